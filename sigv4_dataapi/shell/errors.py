"""How a failed statement reads: psql's ``ERROR:`` block, plus Data API advice.

The fields come from the DB-API error (``.sqlstate``, ``.errno``, ``.detail``,
``.hint``, ``.position``). Limit errors get the one piece of advice that gets
past them (dbapi-streaming-shell.md D.5.7): the 1 MiB result cap (streaming,
LIMIT), the 64 KB row cap, types the service cannot return (cast them).
"""

from __future__ import annotations

import re
from typing import Any

RESULT_TOO_LARGE = (
    "The Data API returns at most 1 MiB per call. The shell streams SELECTs on "
    "PostgreSQL (outside or inside a transaction); otherwise add a LIMIT, select "
    "fewer columns, or page with WHERE key > last ORDER BY key LIMIT n."
)
ROW_TOO_LARGE = (
    "One row is over the Data API's 64 KB row limit: select fewer or shorter columns "
    "(left(col, 1000), length(col)), or fetch the large value in pieces with substring()."
)
UNSUPPORTED_TYPE = (
    "The Data API cannot return this column type: cast it, e.g. col::text on "
    "PostgreSQL or CAST(col AS CHAR) on MySQL."
)
JSON_TOO_LARGE = "JSON results are capped at 10 MB: add a LIMIT or select fewer columns."

_ADVICE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"packet for query is too large|row.*64 ?KB|exceeds.*row", re.I), ROW_TOO_LARGE),
    (re.compile(r"JSON result exceeds", re.I), JSON_TOO_LARGE),
    (re.compile(r"size limit|more than the allowed response size", re.I), RESULT_TOO_LARGE),
    (re.compile(r"unsupported (data )?type|unsupported result", re.I), UNSUPPORTED_TYPE),
)


_SERVICE_PREFIX = re.compile(r"^\w+(Exception|Error) \(\d{3}\): ")
_REQUEST_ID = re.compile(r"\s*\[request id [^\]]*\]\s*$")
_TAILS = (
    re.compile(r";\s*Error code:\s*-?\d+;\s*SQLState:\s*\w+\s*$", re.S),  # MySQL
    re.compile(r";\s*(Detail|Hint|Position|Where|SQLState):.*$", re.S | re.I),  # PostgreSQL
)


def message_of(exc: BaseException) -> str:
    """The engine's message on one line, without what the other lines show.

    The service wraps it (``DatabaseErrorException (400): ERROR: ...; SQLState: 42P01
    [request id ...]``); once the DB-API has split the fields out, the wrapping
    and the tail are dropped so nothing is printed twice.
    """
    text = getattr(exc, "text", None) or getattr(exc, "message", None)
    text = str(text or (exc.args[0] if exc.args else "") or exc)
    text = _REQUEST_ID.sub("", _SERVICE_PREFIX.sub("", text))
    if _field(exc, "sqlstate") is not None or _field(exc, "errno") is not None:
        for tail in _TAILS:
            text = tail.sub("", text)
    text = text.removeprefix("ERROR: ")  # PostgreSQL's own level: the shell prints ERROR:
    return " ".join(text.split()) or type(exc).__name__


def advice_for(exc: BaseException) -> str | None:
    """The Data API limit advice that applies to ``exc``, if any."""
    if type(exc).__name__ == "ResultTooLargeError":
        return RESULT_TOO_LARGE
    text = message_of(exc)
    for pattern, advice in _ADVICE:
        if pattern.search(text):
            return advice
    return None


def error_lines(exc: BaseException, *, where: str = "", sql: str | None = None) -> list[str]:
    """``ERROR: ...`` then DETAIL/HINT/POSITION, the SQLSTATE or errno, and advice.

    A position beyond the end of ``sql`` (the statement typed) counts in some other
    text (a wrapper the statement was sent in) and would mislead: it is left out.
    """
    lines = [f"{where}ERROR: {message_of(exc)}"]
    for label, attr in (("DETAIL", "detail"), ("HINT", "hint"), ("POSITION", "position")):
        value = _field(exc, attr)
        if attr == "position" and sql is not None and not _within(value, sql):
            continue
        if value is not None:
            lines.append(f"{label}: {value}")
    sqlstate = _field(exc, "sqlstate")
    errno = _field(exc, "errno")
    if sqlstate is not None:
        lines.append(f"SQLSTATE: {sqlstate}")
    if errno is not None:
        lines.append(f"errno: {errno}")
    advice = advice_for(exc)
    if advice is not None:
        lines.append(f"HINT: {advice}")
    return lines


def _within(position: Any, sql: str) -> bool:
    return not isinstance(position, int) or 1 <= position <= len(sql) + 1


def _field(exc: BaseException, name: str) -> Any:
    value = getattr(exc, name, None)
    return None if value in (None, "") else value


INTERRUPTED = (
    "Cancelled: the local wait was abandoned. The Data API has no cancel call, so the "
    "server may still be running the statement."
)
