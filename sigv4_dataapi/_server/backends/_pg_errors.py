"""PostgreSQL errors in the service's words (reference F12): v2 and v1 message forms.

The service reads errors through pgjdbc, so the texts here are pgjdbc's:
the server's fields flattened into one line for v2, its multi-line
``toString`` for v1, and pgjdbc's own client-side texts where no server
error exists (a missing parameter, a failed connection).
"""

from __future__ import annotations

import re
from typing import Any

from sigv4_dataapi._server.backends import base
from sigv4_dataapi._server.backends.base import EngineError

__all__ = [
    "MissingParameterError",
    "UnsupportedResultError",
    "connection_error",
    "database_error",
    "missing_parameter_error",
]

# FATAL texts libpq reports for a failed connection (no diag fields are set).
_CONNECT_STATES = (
    (re.compile(r'database ".*" does not exist'), "3D000"),
    (re.compile(r'role ".*" does not exist'), "28000"),
    (re.compile(r"authentication failed"), "28P01"),
    (re.compile(r"no pg_hba.conf entry"), "28000"),
)


class UnsupportedResultError(base.UnsupportedResultError):
    """A result column has a type the service cannot put in a Field (F9).

    ``ops`` answers ``UnsupportedResultException`` with the service's text;
    ``type_name`` says which engine type it was.
    """

    def __init__(self, type_name: str) -> None:
        text = f"The result contains the unsupported data type {type_name}."
        super().__init__(text, sqlstate="0A000", v1_message=text)
        self.type_name = type_name


class MissingParameterError(EngineError):
    """A placeholder with no value; PostgreSQL's syntax errors come first (F17b)."""


def missing_parameter_error(index: int) -> EngineError:
    """pgjdbc's error for a placeholder with no value (client side, no ``ERROR:``)."""
    text = f"No value specified for parameter {index}."
    return MissingParameterError(f"{text}; SQLState: 22023", sqlstate="22023", v1_message=text)


def database_error(exc: Exception, psycopg: Any, *, detail: bool = False) -> EngineError:
    """Flatten a psycopg error the way the service does (F12).

    v2: ``ERROR: msg; [Detail: ..;] [Hint: ..;] [Position: N;] SQLState: X``.
    The service builds this from pgjdbc's ServerErrorMessage with server detail
    logging off (the recorded not-null message carries no Detail), hence
    ``detail=False``. v1 is pgjdbc's multi-line ``toString``.
    """
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    sqlstate = getattr(exc, "sqlstate", None)
    if diag is None or primary is None:
        return _client_error(exc, psycopg)
    severity = diag.severity_nonlocalized or diag.severity or "ERROR"
    parts = [f"{severity}: {primary}"]
    extras = [("Detail", diag.message_detail), ("Hint", diag.message_hint)]
    extras.append(("Position", diag.statement_position))
    shown = [(k, v) for k, v in extras if v and (detail or k != "Detail")]
    v2 = "; ".join(parts + [f"{k}: {v}" for k, v in shown] + [f"SQLState: {sqlstate}"])
    v1 = "\n  ".join(parts + [f"{k}: {v}" for k, v in extras if v])
    return EngineError(v2, sqlstate=sqlstate, v1_message=v1)


def connection_error(exc: Exception) -> EngineError:
    """A connection that could not be made or was lost (08xxx, or the FATAL's state)."""
    text = str(exc).strip()
    fatal = re.search(r"FATAL:\s+(.*)", text)
    message = fatal.group(1).strip() if fatal else text.splitlines()[0] if text else ""
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate is None:
        found = (state for pattern, state in _CONNECT_STATES if pattern.search(message))
        sqlstate = next(found, "08001" if not fatal else "08004")
    severity = "FATAL" if fatal else "ERROR"
    return EngineError(
        f"{severity}: {message}; SQLState: {sqlstate}",
        sqlstate=sqlstate,
        v1_message=f"{severity}: {message}",
    )


def _client_error(exc: Exception, psycopg: Any) -> EngineError:
    """An error psycopg raised itself (bad value, lost connection): no server fields."""
    if isinstance(exc, psycopg.OperationalError):
        return connection_error(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sqlstate = "22000" if isinstance(exc, psycopg.DataError) else "XX000"
    return EngineError(
        f"ERROR: {text}; SQLState: {sqlstate}", sqlstate=sqlstate, v1_message=f"ERROR: {text}"
    )
