"""Column type -> converter of a whole column of service values (F9, F15).

A converter takes one column's values (``str`` as the service sent them, or
``None``, or whatever the Field carried) and returns Python values:
DECIMAL/NUMERIC -> ``Decimal``, DATE/TIME/TIMESTAMP -> ``date``/``time``/
``datetime`` (``timestamptz`` -> aware UTC, F9), JSON/JSONB -> parsed, integer
columns sent as strings (``longReturnType: STRING``) -> ``int``, and arrays
(``_numeric``, ``_date``, ...) element by element.

The type comes from ``typeName`` (PostgreSQL's lower-case ``int4``/``numeric``/
``timestamptz``/``jsonb``/``_int4``..., MySQL's upper-case ``DECIMAL``/
``DATETIME``/``JSON``...); an unknown name falls back to the JDBC ``type`` code.
Only ``str`` values are converted: ``decimalReturnType: DOUBLE_OR_LONG``
numbers stay numbers. A value its type cannot represent stays a string.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timezone
from decimal import Decimal
from itertools import repeat
from operator import add
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sigv4_dataapi._codec.result import ColumnMetadata

Parse = Callable[[str], Any]
Converter = Callable[[list[Any]], list[Any]]

_FAILURES = (ValueError, ArithmeticError, TypeError, RecursionError)
_STR_ONLY = {str}
_STR_OR_NONE = {str, type(None)}
_NULL_TEXT = {None: "null"}  # .get(v, v): None -> "null", any str -> itself
_NULL_BACK = {None: None}.get  # .get(value, parsed): None where the value is NULL
_UTC = timezone.utc


def parse_timestamp(text: str) -> datetime:
    """The service's timestamp text, fraction of 0-9 digits (trimmed zeros restored)."""
    return datetime.fromisoformat(_six_digit_fraction(text))


def parse_time(text: str) -> time:
    """``HH:MM:SS[.f...]`` with trimmed trailing zeros (``.5`` is 500000 µs)."""
    return time.fromisoformat(_six_digit_fraction(text))


def _six_digit_fraction(text: str) -> str:
    """Pad or cut the fraction to 6 digits: Python 3.10 accepts only 3 or 6."""
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"


# Python 3.11's fromisoformat reads any fraction length (".5"); 3.10 needs 3 or 6 digits.
_TIMESTAMP: Parse = datetime.fromisoformat if sys.version_info >= (3, 11) else parse_timestamp
_TIME: Parse = time.fromisoformat if sys.version_info >= (3, 11) else parse_time


def _map(parse: Parse, values: list[Any]) -> list[Any]:
    """``parse`` every ``str`` in ``values``, in C via ``map`` when they are text and NULLs.

    Returns ``values`` itself when there is nothing to parse (a column of
    numbers, or all NULL), so the caller can skip writing it back.
    """
    kinds = set(map(type, values))
    if str not in kinds:
        return values
    try:
        if len(kinds) == 1:
            return list(map(parse, values))
        if kinds == _STR_OR_NONE and parse in _STAND_IN:
            return _keep_nulls(values, map(parse, map(_STAND_IN[parse], values, values)))
    except _FAILURES:
        pass
    return [_one(parse, v) if v.__class__ is str else v for v in values]


def _keep_nulls(values: list[Any], parsed: Iterable[Any]) -> list[Any]:
    """``parsed`` (one per value, NULLs parsed from a stand-in text) with the NULLs put back.

    ``{None: None}.get(value, parsed)`` is ``None`` where the value is NULL and
    the parsed value elsewhere: the merge stays in C, with no Python-level loop.
    """
    return list(map(_NULL_BACK, values, parsed))


def _one(parse: Parse, text: str) -> Any:
    try:
        return parse(text)
    except _FAILURES:
        return text


def _column(parse: Parse) -> Converter:
    return lambda values: _map(parse, values)


def _timestamptz_column(values: list[Any]) -> list[Any]:
    """The service renders ``timestamptz`` in UTC without an offset (F9): read it as UTC.

    Appending ``+00:00`` lets ``fromisoformat`` build the aware value in C; a
    value that already carries an offset makes it fail, and the slow path
    then converts each value on its own. ``operator.add``, not ``str.__add__``:
    a slot wrapper builds an argument tuple per call (2.5x slower in ``map``).
    """
    kinds = set(map(type, values))
    if kinds in (_STR_ONLY, _STR_OR_NONE):
        texts = values if len(kinds) == 1 else map(_TIMESTAMP_STAND_IN, values, values)
        try:
            parsed = map(_TIMESTAMP, map(add, texts, repeat("+00:00")))
            return list(parsed) if len(kinds) == 1 else _keep_nulls(values, parsed)
        except _FAILURES:
            pass
    return _map(_timestamptz, values)


def _aware_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)


def _timestamptz(text: str) -> datetime:
    return _aware_utc(_TIMESTAMP(text))


def _json_column(values: list[Any]) -> list[Any]:
    """All of a column's documents in one ``json.loads`` of ``[d1,d2,...]``.

    Each value of a JSON column is one complete JSON document, so joining them
    with commas cannot merge or split any (the count is checked anyway); SQL
    NULLs join as ``null``. Anything unexpected falls back to one at a time.
    """
    kinds = set(map(type, values))
    if str not in kinds:
        return values
    if kinds <= _STR_OR_NONE:
        try:
            parsed = json.loads("[" + ",".join(map(_NULL_TEXT.get, values, values)) + "]")
            if len(parsed) == len(values):
                return parsed  # type: ignore[no-any-return]
        except (ValueError, RecursionError):
            pass
    return [_one(json.loads, v) if v.__class__ is str else v for v in values]


def _array_column(parse: Parse) -> Converter:
    def convert(values: list[Any]) -> list[Any]:
        return [_nested(parse, v) if v.__class__ is list else v for v in values]

    return convert


def _nested(parse: Parse, items: list[Any]) -> list[Any]:
    return [
        _one(parse, v) if v.__class__ is str else _nested(parse, v) if v.__class__ is list else v
        for v in items
    ]


_INTEGERS: tuple[str, ...] = (
    "int2",
    "int4",
    "int8",
    "smallint",
    "integer",
    "int",
    "bigint",
    "tinyint",
)
_INTEGERS += ("mediumint", "serial", "serial2", "serial4", "serial8", "bigserial", "year")
_FINAL: tuple[str, ...] = (
    "text",
    "varchar",
    "char",
    "bpchar",
    "name",
    "uuid",
    "bool",
    "boolean",
    "bit",
)
_FINAL += ("float4", "float8", "float", "double", "real", "double precision", "bytea")
_FINAL += ("blob", "binary", "varbinary", "enum", "set", "interval", "inet", "cidr")

# scalar parsers by normalised type name; None: known, nothing to convert
_BY_NAME: dict[str, Parse | None] = {
    **dict.fromkeys(("numeric", "decimal", "number", "fixed", "dec"), Decimal),
    **dict.fromkeys(_INTEGERS, int),
    "date": date.fromisoformat,
    **dict.fromkeys(("time", "time without time zone", "timetz", "time with time zone"), _TIME),
    **dict.fromkeys(("timestamp", "timestamp without time zone", "datetime"), _TIMESTAMP),
    **dict.fromkeys(("timestamptz", "timestamp with time zone"), _timestamptz),
    **dict.fromkeys(("json", "jsonb"), json.loads),
    **dict.fromkeys(_FINAL, None),
}

# JDBC java.sql.Types codes (F15) for names we do not know
_BY_CODE: dict[int, Parse] = {
    2: Decimal,
    3: Decimal,
    -6: int,
    5: int,
    4: int,
    -5: int,
    91: date.fromisoformat,
    92: _TIME,
    93: _TIMESTAMP,
    2013: _TIME,  # TIME_WITH_TIMEZONE
    2014: _timestamptz,  # TIMESTAMP_WITH_TIMEZONE
}
_ARRAY = 2003

# a text each parser reads, parsed in place of NULL and then dropped (``_keep_nulls``)
_DAY = "2000-01-01"
_STAND_IN: dict[Any, Callable[[Any, Any], Any]] = {
    parse: {None: text}.get
    for parse, text in (
        (Decimal, "0"),
        (int, "0"),
        (date.fromisoformat, _DAY),
        (_TIME, "00:00:00"),
        (_TIMESTAMP, f"{_DAY} 00:00:00"),
        (_timestamptz, f"{_DAY} 00:00:00"),
    )
}
_TIMESTAMP_STAND_IN = _STAND_IN[_TIMESTAMP]

# whole-column versions where one beats mapping the scalar parser
_COLUMN_FAST: dict[Any, Converter] = {
    json.loads: _json_column,
    _timestamptz: _timestamptz_column,
}


_PARAMETERS = re.compile(r"\([^)]*\)")


def _normalise(type_name: str) -> str:
    """``DECIMAL UNSIGNED`` -> ``decimal``, ``varchar(20)`` -> ``varchar``."""
    name = _PARAMETERS.sub("", type_name.lower()).strip()
    return name.removesuffix(" zerofill").removesuffix(" unsigned").strip()


def scalar_parser(type_name: str, type_code: int) -> Parse | None:
    """The parser of one value of a (non-array) column type, if it needs one."""
    name = _normalise(type_name)
    if name in _BY_NAME:
        return _BY_NAME[name]
    return _BY_CODE.get(type_code)


def _element_name(name: str) -> str | None:
    """``_int4`` (PostgreSQL's array name) or ``int4[]`` -> ``int4``; else None."""
    if name.startswith("_"):
        return name[1:]
    if name.endswith("[]"):
        return name[:-2]
    return None


def column_converter(column: ColumnMetadata) -> Converter | None:
    """The converter for ``column``'s values, or ``None`` when they are final."""
    return _converter(column.type_name, column.type, column.array_base_column_type)


@functools.lru_cache(maxsize=512)
def _converter(type_name: str, type_code: int, base_code: int) -> Converter | None:
    """The converter of one column type, chosen once per type (converters keep no state).

    Every call of a statement brings the same few types back; naming them
    (``lower``, a regex, suffixes) was work per column on every call.
    """
    name = _normalise(type_name)
    element_name = _element_name(name)
    if element_name is not None or type_code == _ARRAY:
        element = scalar_parser(element_name or "", base_code)
        if element is None or element is int:  # longValues are ints already
            return None
        return _array_column(element)
    parse = scalar_parser(name, type_code)
    if parse is None:
        return None
    return _COLUMN_FAST.get(parse) or _column(parse)
