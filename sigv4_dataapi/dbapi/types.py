"""PEP 249 type objects and constructors, and the ``type_code`` of a result column.

A column's ``type_code`` (``description[i][1]``) is the engine's lower-case
``typeName`` (``int4``, ``varchar``, ``timestamptz``, ``decimal``...), a plain
``str``; each of ``STRING``, ``BINARY``, ``NUMBER``, ``DATETIME`` and ``ROWID``
is a set of such names and compares equal to each of its members, so
``description[0][1] == NUMBER`` holds for an ``int4`` column as PEP 249 asks.
A name no set knows falls back on the JDBC type code (``TypeCode``).
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from typing import Any

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime


def DateFromTicks(ticks: float) -> _dt.date:
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:
    return Timestamp(*_time.localtime(ticks)[:6])


def Binary(value: bytes | bytearray | memoryview | str) -> bytes:
    """Bytes for a binary parameter (sent as ``blobValue``)."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


class DBAPITypeObject:
    """A PEP 249 type object: equal to every type code in its set."""

    def __init__(self, name: str, *codes: str) -> None:
        self.name = name
        self.values = frozenset(codes)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return other is self
        if isinstance(other, TypeCode):
            return other.jdbc_object is self
        if isinstance(other, str):
            return other.lower() in self.values
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<DBAPITypeObject {self.name}>"


STRING = DBAPITypeObject(
    "STRING",
    "text", "varchar", "char", "bpchar", "name", "citext", "character varying", "character",
    "nvarchar", "nchar", "tinytext", "mediumtext", "longtext", "enum", "set", "json", "jsonb",
    "uuid", "xml", "inet", "cidr", "macaddr", "interval", "tsvector", "string", "clob",
    "_text", "_varchar", "_bpchar", "varbit", "money", "geometry", "year",
)  # fmt: skip
BINARY = DBAPITypeObject(
    "BINARY",
    "bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary", "_bytea",
)  # fmt: skip
NUMBER = DBAPITypeObject(
    "NUMBER",
    "int2", "int4", "int8", "smallint", "integer", "int", "bigint", "serial", "bigserial",
    "smallserial", "serial4", "serial8", "serial2", "tinyint", "mediumint", "float4", "float8",
    "real", "double", "double precision", "float", "numeric", "decimal", "bool", "boolean",
    "oid", "bit", "int unsigned", "bigint unsigned", "tinyint unsigned", "smallint unsigned",
    "mediumint unsigned", "decimal unsigned", "double unsigned", "float unsigned", "number",
    "_int2", "_int4", "_int8", "_float4", "_float8", "_numeric", "_bool",
)  # fmt: skip
DATETIME = DBAPITypeObject(
    "DATETIME",
    "date", "time", "timetz", "timestamp", "timestamptz", "datetime",
    "timestamp without time zone", "timestamp with time zone", "time with time zone",
    "time without time zone", "_date", "_timestamp", "_timestamptz",
)  # fmt: skip
ROWID = DBAPITypeObject("ROWID", "rowid", "tid", "ctid")

TYPE_OBJECTS = (STRING, BINARY, NUMBER, DATETIME, ROWID)

# JDBC java.sql.Types code (rds-data-api.md F15) -> the type object, for unknown names
_JDBC: dict[int, DBAPITypeObject] = {
    **dict.fromkeys((-7, -6, -5, 2, 3, 4, 5, 6, 7, 8, 16), NUMBER),
    **dict.fromkeys((1, 12, -1, -15, -9, -16, 2005, 2011), STRING),
    **dict.fromkeys((-2, -3, -4, 2004), BINARY),
    **dict.fromkeys((91, 92, 93, 2013, 2014), DATETIME),
    -8: ROWID,
}


class TypeCode(str):
    """A ``typeName`` no type object lists: equal to the one its JDBC code implies.

    Compares like the plain lower-case name otherwise (``== "geography"``).
    """

    jdbc_object: DBAPITypeObject | None

    def __new__(cls, name: str, jdbc_type: int) -> TypeCode:
        code = super().__new__(cls, name)
        code.jdbc_object = _JDBC.get(jdbc_type, STRING)
        return code

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return other is self.jdbc_object
        return str.__eq__(self, other)

    def __hash__(self) -> int:
        return str.__hash__(self)


_ALIASES = {"serial": "int4", "bigserial": "int8", "smallserial": "int2", "serial4": "int4",
            "serial8": "int8", "serial2": "int2"}  # fmt: skip


def type_code(type_name: str, jdbc_type: int) -> str:
    """The ``description`` type code for a column: its lower-case ``typeName``.

    A ``serial`` column's ``typeName`` is ``serial`` on the live service (F17b);
    its code is the storage type, ``int4``, as psycopg would report it.
    """
    name = type_name.lower()
    name = _ALIASES.get(name, name)
    if name.endswith("[]"):
        name = "_" + name[:-2]
    if any(name in obj.values for obj in TYPE_OBJECTS):
        return name
    return TypeCode(name, jdbc_type)


def type_object(code: Any) -> DBAPITypeObject | None:
    """The one type object ``code`` compares equal to (None if none does)."""
    return next((obj for obj in TYPE_OBJECTS if obj == code), None)


__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "DBAPITypeObject",
    "Date",
    "DateFromTicks",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "TypeCode",
    "type_code",
    "type_object",
]
