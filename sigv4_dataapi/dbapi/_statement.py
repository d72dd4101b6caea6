"""What ``execute`` checks before any HTTP call (no I/O here).

- parameters are a mapping (``paramstyle = "named"``); a sequence, or a missing
  or extra name, is a ``ProgrammingError``;
- SQL the service would change (``:name`` in a ``$$`` body, ``a[1:2]``, a
  placeholder hidden by a quote in a ``$$`` body) is refused (``_sqltext.parameters``;
  the local endpoint substitutes there too, parameters sent or not);
- ``BEGIN``/``COMMIT``/``ROLLBACK`` are recognised, to become API calls;
- the 65,536-character ``sql`` limit (rds-data-api.md F3) is checked.

Before the engine is known, the SQL is read with both dialects; when they
agree (nearly always) no engine probe is needed, so lazy begin stays one call.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sigv4_dataapi._sqltext import (
    TransactionControl,
    placeholders_and_hazards,
    split_statements,
    transaction_control,
)
from sigv4_dataapi.dbapi.errors import ProgrammingError

MAX_SQL_CHARS = 65536
DIALECTS = ("postgresql", "mysql")
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
_CONTROL_HEADS = ("begin", "start", "commit", "end", "rollback", "abort", "--", "/*", "#")
_CACHE_SIZE = 256  # distinct statements kept read: at most 256 x 65,536 characters
_ROW_VERBS = frozenset({"select", "values", "table", "show", "explain", "describe", "desc"})


class NeedEngine(Exception):
    """The two dialects read the SQL differently: the engine must be known first."""


@dataclass(frozen=True)
class Reading:
    """The SQL as one dialect reads it (``wanted``: its names as a set, for ``match_names``)."""

    names: tuple[str, ...]
    hazards: tuple[str, ...]
    control: TransactionControl | None
    wanted: frozenset[str] = frozenset()


class Prepared(NamedTuple):
    """A checked statement: its SQL, its parameters, or the transaction verb it is.

    A tuple, made on every ``execute``: a frozen dataclass took ~1.3 us more to build.
    """

    sql: str
    params: dict[str, object] | None
    control: TransactionControl | None = None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def read(sql: str, engine: str | None) -> Reading:
    """The reading of ``sql`` by ``engine``'s dialect, or by both when they agree.

    Cached: a pure function of its arguments with a frozen result, and ORMs send
    the same text again and again (a bulk INSERT page, an UPDATE by key).
    ``NeedEngine`` is raised, not cached, until the engine is known.
    """
    dialects = DIALECTS if engine is None else (engine,)
    readings = {_read_one(sql, d) for d in dialects}
    if len(readings) != 1:
        raise NeedEngine
    return readings.pop()


def _read_one(sql: str, dialect: str) -> Reading:
    if ":" in sql:
        found, problems = placeholders_and_hazards(sql, dialect)
        names, hazards = tuple(found), tuple(h.message for h in problems)
    else:
        hazards, names = (), ()
    control = transaction_control(sql, dialect) if _may_be_control(sql) else None
    return Reading(names, hazards, control, frozenset(names))


def _may_be_control(sql: str) -> bool:
    """Cheap pre-check: only text starting with a verb or a comment can be BEGIN/COMMIT."""
    head = sql.lstrip()[:8].lower()
    return head.startswith(_CONTROL_HEADS)


def check_params(params: object) -> dict[str, object] | None:
    """The parameters as a dict, or a ``ProgrammingError`` for anything but a mapping."""
    if params is None:
        return None
    if not isinstance(params, Mapping):
        raise ProgrammingError(
            f"parameters must be a mapping of names to values (paramstyle 'named', "
            f"SQL placeholders :name), not a {type(params).__name__}"
        )
    values: dict[str, object] = {}
    for name, value in params.items():
        if not isinstance(name, str):
            raise ProgrammingError(f"parameter names must be str, not {type(name).__name__}")
        if type(value) is int and not _LONG_MIN <= value <= _LONG_MAX:
            value = Decimal(value)  # past longValue's 64 bits: sent as DECIMAL text (A.6 item 12)
        values[name] = value
    return values


def check_sql(sql: object) -> str:
    """``sql`` if it is a str within the service's 65,536 characters."""
    if not isinstance(sql, str):
        raise ProgrammingError(f"the SQL must be a str, not {type(sql).__name__}")
    if len(sql) > MAX_SQL_CHARS:
        raise ProgrammingError(
            f"the SQL is {len(sql)} characters; the Data API takes at most {MAX_SQL_CHARS}"
        )
    return sql


def prepare(sql: object, params: object, engine: str | None) -> Prepared:
    """Check ``sql`` and ``params``; raise ``NeedEngine`` when the dialect matters."""
    sql = check_sql(sql)
    values = check_params(params)
    reading = read(sql, engine)
    if reading.control is not None:
        if values:
            raise ProgrammingError("a transaction statement takes no parameters")
        return Prepared(sql, None, reading.control)
    match_names(reading, values)
    return Prepared(sql, values or None)


def match_names(reading: Reading, values: Mapping[str, object] | None) -> None:
    """Missing or extra names, or placeholders the service would corrupt: refuse."""
    if reading.hazards:  # the service substitutes whether or not values are sent
        raise ProgrammingError("; ".join(reading.hazards))
    if (values.keys() if values else frozenset()) == reading.wanted:
        return  # every name given, none extra (the sets below say which otherwise)
    given = set(values or ())
    wanted = set(reading.names)
    missing = [n for n in reading.names if n not in given]
    extra = sorted(given - wanted)
    if missing or extra:
        parts = []
        if missing:
            parts.append("no value for " + ", ".join(f":{n}" for n in missing))
        if extra:
            parts.append("parameters not in the SQL: " + ", ".join(extra))
        raise ProgrammingError("; ".join(parts))


def single_statement(sql: str, engine: str) -> str:
    """The one statement of ``sql`` without a trailing ``;`` (for DECLARE ... FOR)."""
    statements = split_statements(sql, engine)
    if len(statements) != 1:
        raise ProgrammingError(f"a streaming cursor runs one statement; got {len(statements)}")
    return statements[0].text


def returns_rows(sql: str) -> bool:
    """True when the statement's first word makes it a query (not for executemany)."""
    for statement in split_statements(sql, "postgresql")[:1]:
        words = statement.text.lstrip("(").split(None, 1)
        return bool(words) and words[0].lower() in _ROW_VERBS
    return False
