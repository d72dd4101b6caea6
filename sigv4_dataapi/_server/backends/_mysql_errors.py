"""MySQL errors in the service's words (reference F12): errno, SQLSTATE, v2 and v1 forms.

PyMySQL drops the SQLSTATE of an error packet, so after a server error the
session asks ``GET DIAGNOSTICS`` for it (one round trip, on errors only);
client-side and connection errors have no diagnostics area and use a table.
"""

from __future__ import annotations

from typing import Any

from sigv4_dataapi._server.backends.base import EngineError

__all__ = ["missing_parameter_error", "mysql_error"]

# Client-side (2xxx) and connection errors have no diagnostics area to ask.
_CLIENT_STATES = {
    1044: "42000", 1045: "28000", 1049: "42000", 2003: "08S01", 2006: "08S01", 2013: "08S01",
}  # fmt: skip


def missing_parameter_error(index: int) -> EngineError:
    """Connector/J's client-side error for a placeholder with no value."""
    text = f"No value specified for parameter {index}"
    return _error(text, errno=0, sqlstate="07001")


def mysql_error(exc: Exception, conn: Any) -> EngineError:
    """A EngineError for a PyMySQL error, with the server's SQLSTATE when it has one.

    ``conn`` (None when connecting failed) is asked for the SQLSTATE.
    """
    args = exc.args
    errno = args[0] if args and isinstance(args[0], int) else 0
    text = str(args[1]) if len(args) > 1 else str(exc)
    sqlstate = _CLIENT_STATES.get(errno)
    if sqlstate is None and _is_server_errno(errno):
        sqlstate = _diagnostics_sqlstate(conn)
    return _error(text, errno=errno, sqlstate=sqlstate or "HY000")


def _error(text: str, *, errno: int, sqlstate: str) -> EngineError:
    """The v2 form (F12, unverified) and the v1 form of one MySQL error."""
    return EngineError(
        f"{text}; Error code: {errno}; SQLState: {sqlstate}",
        sqlstate=sqlstate,
        errno=errno,
        v1_message=f"Database error code: {errno}. Message: {text}",
    )


def _is_server_errno(errno: int) -> bool:
    """Server errors (1xxx, 3xxx+) fill the diagnostics area; client ones (0, 2xxx) do not."""
    return 1000 <= errno < 2000 or errno >= 3000


def _diagnostics_sqlstate(conn: Any) -> str | None:
    if conn is None:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("GET DIAGNOSTICS CONDITION 1 @sigv4_dataapi_state = RETURNED_SQLSTATE")
            cur.execute("SELECT @sigv4_dataapi_state")
            row = cur.fetchone()
    except Exception:  # the connection may be gone; fall back
        return None
    return str(row[0]) if row and row[0] else None
