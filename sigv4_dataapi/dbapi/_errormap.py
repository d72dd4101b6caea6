"""A sigv4_dataapi error -> the PEP 249 error to raise, by code first, text second.

Message formats (rds-data-api.md F12, and the live strings the local endpoint copies):

- v2 PostgreSQL  ``ERROR: <msg>[; Detail: ..][; Hint: ..][; Position: N]; SQLState: XXXXX``
  (the message itself may hold ``; `` so it is parsed from the right);
- v1 PostgreSQL  ``ERROR: <msg>\\n  Detail: ..\\n  Hint: ..\\n  Position: N`` (no SQLSTATE);
- v2 MySQL       ``<msg>; Error code: N; SQLState: XXXXX``;
- v1 MySQL       ``Database error code: N. Message: <msg>``.

Service errors that are not SQL errors map by their code: a lost transaction
(``TransactionNotFoundException``, v1 ``Transaction .. is not found``) is an
``OperationalError`` naming the 3-minute idle rule; the size limits are
``ResultTooLargeError``; the rest by A.6 item 8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi.dbapi import _sqlstate
from sigv4_dataapi.dbapi.errors import (
    DatabaseError,
    Error,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    ResultTooLargeError,
    TransactionLostError,
)

_PG_V2_TAIL = re.compile(r";\s*(Detail|Hint|Position|Where|SQLState):\s*", re.IGNORECASE)
_PG_V1_LINE = re.compile(r"\n\s*(Detail|Hint|Position|Where):\s*", re.IGNORECASE)
_MYSQL_V2 = re.compile(
    r"^(?P<msg>.*?);\s*Error code:\s*(?P<errno>-?\d+);\s*SQLState:\s*(?P<state>\w+)\s*$", re.DOTALL
)
_MYSQL_V1 = re.compile(r"^Database error code:\s*(?P<errno>-?\d+)\.\s*Message:\s*(?P<msg>.*)$",
                       re.DOTALL)  # fmt: skip
_SQLITE = re.compile(r"^\[(SQLITE_[A-Z_]+)\]")
_PG_LEVELS = ("ERROR:", "FATAL:", "PANIC:")
_LOST = re.compile(r"Transaction \S* ?is not found", re.IGNORECASE)
_SQL_ERRORS = {"StatementError", "DatabaseErrorException", "BadRequestException"}
_RESPONSE_LIMIT = ("size limit", "Please paginate", "exceeded size limit")
_ROW_LIMIT = "Packet for query is too large"

IDLE_RULE = (
    "the Data API rolls a transaction back after 3 minutes without a call using it "
    "(or after a statement that ended it); its statements are lost, and the next "
    "statement begins a new transaction"
)


@dataclass
class Diagnostics:
    """What an engine message says, in PEP 249 terms."""

    text: str
    sqlstate: str | None = None
    errno: int | None = None
    detail: str | None = None
    hint: str | None = None
    position: int | None = None
    sqlite_code: str | None = None


def parse_message(message: str) -> Diagnostics:
    """Split a database error message into its parts (formats in the module docstring)."""
    mysql = _MYSQL_V2.match(message)
    if mysql:
        return Diagnostics(mysql["msg"], mysql["state"].upper(), int(mysql["errno"]))
    mysql = _MYSQL_V1.match(message)
    if mysql:
        found = _parse_pg(mysql["msg"]) if mysql["msg"].startswith("ERROR:") else None
        diag = found or Diagnostics(mysql["msg"])
        diag.errno = int(mysql["errno"])
        _sqlite(diag)
        return diag
    diag = _parse_pg(message) or Diagnostics(message)
    _sqlite(diag)
    return diag


def _sqlite(diag: Diagnostics) -> None:
    match = _SQLITE.match(diag.text)
    if match:
        diag.sqlite_code = match.group(1)


def _parse_pg(message: str) -> Diagnostics | None:
    v2 = "SQLState:" in message
    if not v2 and not message.startswith(_PG_LEVELS):
        return None
    pieces = _split_fields(message, _PG_V2_TAIL if v2 else _PG_V1_LINE)
    head = pieces.pop("")
    text = head.split(":", 1)[1].strip() if head.startswith(_PG_LEVELS) else head.strip()
    position = pieces.get("Position", "")
    state = pieces.get("SQLState")
    return Diagnostics(
        text,
        state.upper() if state else _sqlstate.pg_state_from_message(text),
        detail=pieces.get("Detail"),
        hint=pieces.get("Hint"),
        position=int(position) if position.isdigit() else None,
    )


def _split_fields(message: str, pattern: re.Pattern[str]) -> dict[str, str]:
    """``{"": head, "Detail": .., "SQLState": ..}``; fields are read from the right."""
    fields: dict[str, str] = {}
    end = len(message)
    for match in reversed(list(pattern.finditer(message))):
        key = match.group(1).capitalize().replace("Sqlstate", "SQLState")
        if key in fields:
            break  # an earlier "; Hint: " belongs to the message text itself
        fields[key] = message[match.end() : end].strip()
        end = match.start()
    fields[""] = message[:end]
    return fields


def class_for(diag: Diagnostics) -> type[DatabaseError]:
    """SQLSTATE first, then the MySQL number, then SQLite's code; else DatabaseError."""
    if diag.sqlite_code is not None:
        return _sqlstate.sqlite_class(diag.sqlite_code)
    if diag.errno:
        return _sqlstate.class_for_errno(diag.errno)
    if diag.sqlstate:
        if diag.errno is not None:  # MySQL client-side error (errno 0)
            found = _sqlstate.MYSQL_STATES.get(diag.sqlstate)
            if found is not None:
                return found
        return _sqlstate.class_for_sqlstate(diag.sqlstate)
    return DatabaseError


def _names(exc: BaseException) -> set[str]:
    """The class names of ``exc``'s type and bases (stable across module moves)."""
    return {cls.__name__ for cls in type(exc).__mro__}


@dataclass
class Translated:
    """The error to raise and whether the connection's transaction is gone."""

    error: Error
    transaction_lost: bool = False


def translate(exc: DataAPIError, *, transaction_id: str | None) -> Translated:
    """The PEP 249 error for ``exc`` (raise it ``from exc``)."""
    names = _names(exc)
    message = str(getattr(exc, "message", "") or exc)
    in_tx = transaction_id is not None
    if _LOST.search(message) or names & {"TransactionNotFoundException", "NotFoundException"}:
        text = f"transaction lost: {IDLE_RULE} (service: {message})"
        return Translated(TransactionLostError(text), transaction_lost=in_tx)
    size = _size_limit(message)
    if size is not None:
        return Translated(too_large(size, transaction_lost=in_tx, service=message), in_tx)
    if names & _SQL_ERRORS and not names & {"ValidationException"}:
        if message.startswith("Communications link failure"):
            return Translated(OperationalError(f"the database is not reachable: {message}"))
        diag = parse_message(message)
        cls = class_for(diag)
        error = cls(str(exc), sqlstate=diag.sqlstate, errno=diag.errno, detail=diag.detail,
                    hint=diag.hint, position=diag.position)  # fmt: skip
        return Translated(error)
    return Translated(_service_class(names)(str(exc)))


def _service_class(names: set[str]) -> type[Error]:
    if "UnsupportedResultException" in names:
        return NotSupportedError
    if names & {"ValidationException", "ConfigurationError"}:
        return ProgrammingError
    if "ResponseParseError" in names:
        return InterfaceError
    return OperationalError  # timeouts, resuming, auth, secrets, endpoint, 5xx, transport


def _size_limit(message: str) -> str | None:
    if _ROW_LIMIT in message:
        return "row"
    if any(needle in message for needle in _RESPONSE_LIMIT):
        return "response"
    return None


def too_large(limit: str, *, transaction_lost: bool, service: str = "") -> ResultTooLargeError:
    """The size error with what happened and what to do (issue 10, "Results over 1 MiB")."""
    if limit == "row":
        what = ("a row is over the Data API's 64 KB row limit; select fewer or shorter "
                "columns (substring(col, 1, n), octet_length(col))")  # fmt: skip
    else:
        what = ("the result is over the Data API's 1 MiB response limit; use "
                "conn.cursor(stream=True) (PostgreSQL), dbapi.iter_keyset (MySQL), a LIMIT, "
                "or fewer columns")  # fmt: skip
    fate = ("the open transaction was lost with it (its earlier statements are rolled back); "
            "the connection begins a new one with the next statement"
            if transaction_lost else "no transaction was open, nothing was lost")  # fmt: skip
    tail = f" (service: {service})" if service else ""
    return ResultTooLargeError(f"{what}; {fate}{tail}", limit=limit,
                               transaction_lost=transaction_lost)  # fmt: skip
