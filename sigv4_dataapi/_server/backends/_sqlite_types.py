"""SQLite result columns typed by their declared type, as Aurora MySQL answers.

SQLite stores a storage class per value, not a type per column, but a table
column keeps the type its DDL declared. The service behind the embedded
default is Aurora MySQL (``serve`` says so), so a column declared
``DECIMAL(12,3)`` answers as MySQL Connector/J reports a DECIMAL(12,3)
(reference F9, F15): ``stringValue`` text with three decimals, ``typeName``
DECIMAL, JDBC code 3, precision 12, scale 3. The names, codes and
precisions are the ones the MariaDB backend (``_mysql_types``) reports for
the same DDL, so a program sees the same Fields on both.

A result column that is not a table column (an expression, ``count(*)``,
``CAST``) has no declared type and keeps the storage-class rule: its first
non-null value decides (what the xerial JDBC driver reports for SQLite).

The declared types themselves come from ``_sqlite_decltypes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sigv4_dataapi._server.backends.base import Column, Value

__all__ = ["Declared", "columns_and_rows", "declared_type"]

Convert = Callable[[Value, "Declared"], Value]


@dataclass(frozen=True)
class Declared:
    """A declared column type read as MySQL reads the same DDL."""

    type_name: str  # Connector/J's name: DECIMAL, DATETIME, BIT...
    jdbc: int  # java.sql.Types code (F15)
    precision: int
    scale: int
    convert: Convert
    signed: bool = False
    case_sensitive: bool = False
    quantum: Decimal | None = None  # DECIMAL(p,s) declared: values carry exactly s decimals


# -- value conversions, one per kind of declared type -----------------------------------------

_WIDE = Context(prec=100)
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(\.\d+)?)?(?:Z|[+-]00:?00)?")
_TIME = re.compile(r"(-?\d{1,3}:\d{2}:\d{2})(\.\d+)?")


def _fraction(digits: str | None) -> str:
    """``.120000`` → ``.12``; ``.000000`` goes entirely (as the service, F17b, ``_mysql_types``)."""
    if not digits:
        return ""
    return digits[:7].rstrip("0").rstrip(".")


def _as_int(value: Value, _: Declared) -> Value:
    return value  # an INTEGER-affinity column already holds ints; anything else is left as is


def _as_float(value: Value, _: Declared) -> Value:
    return float(value) if isinstance(value, int) else value


def _as_bool(value: Value, _: Declared) -> Value:
    """BOOLEAN is TINYINT(1) in MySQL, which Connector/J reads as BIT: a boolean (F9)."""
    return bool(value) if isinstance(value, (int, float)) else value


def _as_decimal(value: Value, declared: Declared) -> Value:
    """An exact number; SQLite keeps 15 significant digits of a REAL, so print those."""
    try:
        if isinstance(value, float):
            number = Decimal(format(value, ".15g"))
        elif isinstance(value, (int, str)):
            number = Decimal(value.strip() if isinstance(value, str) else value)
        else:
            return value
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    if declared.quantum is not None:
        return number.quantize(declared.quantum, context=_WIDE)
    return number


def _as_datetime(value: Value, _: Declared) -> Value:
    """``YYYY-MM-DD HH:MM:SS[.ffffff]``, trailing zeros of the fraction trimmed (base.py)."""
    if isinstance(value, str) and len(value) == 19 and value[10] == " ":
        return value  # already the service's form (what SQLite's datetime() writes)
    if not isinstance(value, str) or (match := _DATETIME.fullmatch(value.strip())) is None:
        return value
    day, clock, fraction = match.groups()
    return f"{day} {clock or '00:00:00'}{_fraction(fraction)}"


def _as_date(value: Value, _: Declared) -> Value:
    """``YYYY-MM-DD``; a timestamp's text in a DATE column loses its time, as in MySQL."""
    if not isinstance(value, str) or (match := _DATETIME.fullmatch(value.strip())) is None:
        return value
    return match.group(1)


def _as_time(value: Value, _: Declared) -> Value:
    if not isinstance(value, str) or (match := _TIME.fullmatch(value.strip())) is None:
        return value
    return match.group(1) + _fraction(match.group(2))


def _as_text(value: Value, _: Declared) -> Value:
    """Character types (also JSON and UUID, whose NUMERIC affinity may store a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _as_bytes(value: Value, _: Declared) -> Value:
    """Binary types answer ``blobValue`` even for text SQLite kept as TEXT."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


# -- declared type name -> how MySQL reports it -----------------------------------------------

# name -> (Connector/J name, JDBC code, precision when none is declared, conversion, signed)
_Row = tuple[str, int, int, Convert, bool]
_INTEGERS: dict[str, _Row] = {
    "TINYINT": ("TINYINT", -6, 4, _as_int, True),
    "SMALLINT": ("SMALLINT", 5, 6, _as_int, True),
    "INT2": ("SMALLINT", 5, 6, _as_int, True),
    "MEDIUMINT": ("MEDIUMINT", 4, 9, _as_int, True),
    "INT": ("INT", 4, 11, _as_int, True),
    "INTEGER": ("INT", 4, 11, _as_int, True),
    "BIGINT": ("BIGINT", -5, 20, _as_int, True),
    "INT8": ("BIGINT", -5, 20, _as_int, True),
    "UNSIGNED BIG INT": ("BIGINT UNSIGNED", -5, 20, _as_int, False),
    "YEAR": ("YEAR", 5, 4, _as_int, False),
}
_TEXTS: dict[str, _Row] = {
    "CHAR": ("CHAR", 1, 1, _as_text, False),
    "CHARACTER": ("CHAR", 1, 1, _as_text, False),
    "NCHAR": ("CHAR", 1, 1, _as_text, False),
    "UUID": ("CHAR", 1, 36, _as_text, False),  # MariaDB's UUID type reads as CHAR(36)
    "VARCHAR": ("VARCHAR", 12, 255, _as_text, False),
    "CHARACTER VARYING": ("VARCHAR", 12, 255, _as_text, False),
    "NVARCHAR": ("VARCHAR", 12, 255, _as_text, False),
    "VARYING CHARACTER": ("VARCHAR", 12, 255, _as_text, False),
    "TINYTEXT": ("TINYTEXT", -1, 255, _as_text, False),
    "TEXT": ("TEXT", -1, 65535, _as_text, False),
    "CLOB": ("TEXT", -1, 65535, _as_text, False),
    "MEDIUMTEXT": ("MEDIUMTEXT", -1, 16777215, _as_text, False),
    "LONGTEXT": ("LONGTEXT", -1, 1073741823, _as_text, False),
    "JSON": ("JSON", -1, 1073741823, _as_text, False),  # MySQL 8's JSON type (F8, F9)
}
_OTHERS: dict[str, _Row] = {
    "BOOLEAN": ("BIT", -7, 1, _as_bool, False),
    "BOOL": ("BIT", -7, 1, _as_bool, False),
    "BIT": ("BIT", -7, 1, _as_bool, False),
    "FLOAT": ("FLOAT", 7, 12, _as_float, True),
    "REAL": ("DOUBLE", 8, 22, _as_float, True),
    "DOUBLE": ("DOUBLE", 8, 22, _as_float, True),
    "DOUBLE PRECISION": ("DOUBLE", 8, 22, _as_float, True),
    "DECIMAL": ("DECIMAL", 3, 10, _as_decimal, True),
    "NUMERIC": ("DECIMAL", 3, 10, _as_decimal, True),
    "DEC": ("DECIMAL", 3, 10, _as_decimal, True),
    "FIXED": ("DECIMAL", 3, 10, _as_decimal, True),
    "DATE": ("DATE", 91, 10, _as_date, False),
    "TIME": ("TIME", 92, 10, _as_time, False),
    "DATETIME": ("DATETIME", 93, 19, _as_datetime, False),
    "TIMESTAMP": ("TIMESTAMP", 93, 19, _as_datetime, False),
    "TINYBLOB": ("TINYBLOB", -4, 255, _as_bytes, False),
    "BLOB": ("BLOB", -4, 65535, _as_bytes, False),
    "MEDIUMBLOB": ("MEDIUMBLOB", -4, 16777215, _as_bytes, False),
    "LONGBLOB": ("LONGBLOB", -4, 4294967295, _as_bytes, False),
    "BINARY": ("BINARY", -2, 1, _as_bytes, False),
    "VARBINARY": ("VARBINARY", -3, 255, _as_bytes, False),
}
_BY_NAME = {**_INTEGERS, **_TEXTS, **_OTHERS}
_FRACTIONAL = frozenset({"TIME", "DATETIME", "TIMESTAMP"})
_CASE_SENSITIVE_CODES = frozenset({-7, -4, -3, -2})  # binary collation (``_mysql_types``)
_DECLARATION = re.compile(
    r"\s*(?P<name>[a-z_][a-z0-9_ ]*?)\s*(?:\(\s*(?P<p>\d+)\s*(?:,\s*(?P<s>\d+)\s*)?\))?"
    r"(?P<flags>(?:\s+(?:unsigned|signed|zerofill))*)\s*",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def declared_type(declaration: str) -> Declared | None:
    """How MySQL reports a column declared ``declaration``; None: not a MySQL type."""
    match = _DECLARATION.fullmatch(declaration)
    if match is None:
        return None
    name = " ".join(match["name"].upper().split())
    row = _BY_NAME.get(name)
    if row is None:
        return None
    type_name, jdbc, precision, convert, signed = row
    size, scale = match["p"], int(match["s"] or 0)
    if name == "BIT" and size not in (None, "1"):
        return None  # BIT(n): n bits, no Field kind of its own here; kept by storage class
    if name == "TINYINT" and size == "1":  # BOOLEAN's own form: Connector/J's tinyInt1isBit
        type_name, jdbc, precision, convert, signed = _OTHERS["BOOLEAN"]
    elif "UNSIGNED" in match["flags"].upper() and signed:
        type_name, signed = f"{type_name} UNSIGNED", False
    if name in _FRACTIONAL:
        scale = int(size or 0)  # TIME(6): 6 fraction digits, shown in the precision too
        precision += scale + 1 if scale else 0
    elif size is not None and name not in _INTEGERS:
        precision = int(size)
    return Declared(
        type_name=type_name, jdbc=jdbc, precision=precision, scale=scale, convert=convert,
        signed=signed, case_sensitive=jdbc in _CASE_SENSITIVE_CODES,
        quantum=Decimal(1).scaleb(-scale) if convert is _as_decimal and size is not None else None,
    )  # fmt: skip


# -- columns and rows --------------------------------------------------------------------------

# Python value type -> (JDBC type code, SQLite storage class name): expressions (xerial's view)
_STORAGE: dict[type, tuple[int, str]] = {
    int: (-5, "INTEGER"),
    float: (8, "REAL"),
    str: (12, "TEXT"),
    bytes: (2004, "BLOB"),
}
_NULL_TYPE = (0, "NULL")
_UNDECLARED = frozenset({"", "NUM"})  # newer SQLites name an expression's affinity "NUM"


def _storage_column(name: str, index: int, rows: Sequence[Sequence[Any]]) -> Column:
    sample = next((row[index] for row in rows if row[index] is not None), None)
    code, type_name = _NULL_TYPE if sample is None else _STORAGE[type(sample)]
    return Column(name=name, label=name, type=code, type_name=type_name,
                  is_signed=code in (-5, 8), is_case_sensitive=code == 12)  # fmt: skip


def _declared_column(name: str, declared: Declared, notnull: int) -> Column:
    return Column(
        name=name, label=name, type=declared.jdbc, type_name=declared.type_name,
        precision=declared.precision, scale=declared.scale, nullable=0 if notnull else 1,
        is_signed=declared.signed, is_case_sensitive=declared.case_sensitive,
    )  # fmt: skip


def columns_and_rows(
    description: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    declarations: Sequence[tuple[str, int]] | None,
) -> tuple[list[Column], list[list[Value]]]:
    """ColumnMetadata and values: by declared type where there is one, else by storage class."""
    if declarations is not None and len(declarations) != len(description):
        declarations = None
    types = [
        None if declarations is None or declarations[i][0].upper() in _UNDECLARED
        else declared_type(declarations[i][0])
        for i in range(len(description))
    ]  # fmt: skip
    columns = [
        _storage_column(entry[0], i, rows) if types[i] is None
        else _declared_column(entry[0], types[i], declarations[i][1])  # type: ignore[arg-type,index]
        for i, entry in enumerate(description)
    ]  # fmt: skip
    typed = [(i, t) for i, t in enumerate(types) if t is not None]
    out = [list(row) for row in rows]
    if typed:
        for row in out:
            for index, declared in typed:
                if row[index] is not None:
                    row[index] = declared.convert(row[index], declared)
    return columns, out
