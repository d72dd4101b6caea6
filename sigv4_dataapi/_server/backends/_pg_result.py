"""One PostgreSQL result set: which columns it has, whether the service can send it,
and the ColumnMetadata pgjdbc would report for it (reference F15).

pgjdbc fills nullability, auto-increment and schema/table names from the
catalog, so this module asks ``pg_attribute`` for the tables a result's columns
come from; precision and scale follow pgjdbc's rules per type and typmod. Like
pgjdbc (its per-connection field metadata cache, ``databaseMetadataCacheFields``,
65,536 fields by default), the answers are kept per database connection by
(table oid, column number): a table dropped and created again has a new oid, and
a column changed in place keeps what the connection first read, as on the service.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._server.backends._pg_errors import UnsupportedResultError
from sigv4_dataapi._server.backends._pg_types import PgType, TypeRegistry
from sigv4_dataapi._server.backends.base import Column, InternalFailureError, Value

__all__ = ["ResultPlan"]

_SIGNED = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric"})
_CASE_INSENSITIVE = frozenset(
    {"int2", "int4", "int8", "oid", "float4", "float8", "numeric", "bool", "bit",
     "date", "time", "timetz", "timestamp", "timestamptz", "interval"}
)  # fmt: skip
_FIXED_PRECISION = {
    "bool": (1, 0), "int2": (5, 0), "int4": (10, 0), "int8": (19, 0), "oid": (10, 0),
    "float4": (8, 8), "float8": (17, 17), "date": (13, 0), "interval": (49, 0),
}  # fmt: skip
_TEMPORAL_WIDTH = {"time": 8, "timetz": 14, "timestamp": 22, "timestamptz": 28}
_SERIAL_NAMES = {"int2": "smallserial", "int4": "serial", "int8": "bigserial"}
_UNLIMITED = 2147483647
_INFINITE_CAPABLE = frozenset({"date", "timestamp", "timestamptz"})
_INFINITIES = frozenset({"infinity", "-infinity"})
_TABLE_COLUMNS_SQL = (  # pgjdbc's: a NOT NULL domain makes its columns not nullable too
    "SELECT a.attrelid::int8, a.attnum::int8, n.nspname, c.relname,"
    " a.attnotnull OR (t.typtype = 'd' AND t.typnotnull),"
    " (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%',"
    " false)) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE a.attrelid = ANY(%s::oid[]) AND a.attnum > 0"
)


@dataclass(frozen=True)
class _Field:
    """One result column as the wire describes it."""

    name: str
    type: PgType
    modifier: int  # the typmod: length, precision/scale, fraction digits
    table_oid: int  # 0: not a table column
    attnum: int


@dataclass(frozen=True)
class _TableColumn:
    """What the catalog says about a table column behind a result column."""

    schema: str
    table: str
    not_null: bool
    auto_increment: bool


class ResultPlan:
    """The columns of one result set: row checks and ColumnMetadata."""

    def __init__(self, fields: list[_Field]) -> None:
        self.fields = fields
        self._arrays = [i for i, f in enumerate(fields) if f.type.element is not None]
        self._temporal = [
            i for i, f in enumerate(fields) if (f.type.element or f.type).name in _INFINITE_CAPABLE
        ]

    @classmethod
    def for_cursor(cls, cur: Any, conn: Any, types: TypeRegistry) -> ResultPlan:
        """The plan for ``cur``'s result; an unsupported column type fails before any row."""
        result = cur.pgresult
        fields = []
        for index, column in enumerate(cur.description):
            pg_type = types.lookup(result.ftype(index), conn)
            if not pg_type.supported:
                raise UnsupportedResultError(pg_type.name)
            fields.append(
                _Field(column.name, pg_type, result.fmod(index),
                       result.ftable(index), result.ftablecol(index))
            )  # fmt: skip
        return cls(fields)

    def check_rows(self, rows: list[list[Value]]) -> None:
        """Multi-dimensional arrays have no Field form on v2 (F9); infinite dates fail (F17)."""
        for index in self._arrays:
            for row in rows:
                value = row[index]
                if isinstance(value, list) and any(isinstance(v, list) for v in value):
                    raise UnsupportedResultError(self.fields[index].type.name)
        for index in self._temporal:
            for row in rows:
                value = row[index]
                values = value if isinstance(value, list) else [value]
                if any(isinstance(v, str) and v in _INFINITIES for v in values):
                    raise InternalFailureError(f"{self.fields[index].type.name} infinity")

    def columns(self, conn: Any) -> list[Column]:
        tables = _table_columns(conn, self.fields)
        return [_column(f, tables.get((f.table_oid, f.attnum))) for f in self.fields]


_CACHE_FIELDS = 65536  # pgjdbc's databaseMetadataCacheFields default
# database connection -> (table oid, column number) -> the catalog's answer (None: no row)
_FIELD_CACHES: weakref.WeakKeyDictionary[Any, dict[tuple[int, int], _TableColumn | None]] = (
    weakref.WeakKeyDictionary()
)


def _table_columns(conn: Any, fields: list[_Field]) -> dict[tuple[int, int], _TableColumn | None]:
    """The catalog's answer for each table column of ``fields``, asked once per connection."""
    cache = _FIELD_CACHES.get(conn)
    if cache is None:
        cache = _FIELD_CACHES[conn] = {}
    wanted = {(f.table_oid, f.attnum) for f in fields if f.table_oid}
    missing = {oid for oid, attnum in wanted if (oid, attnum) not in cache}
    if missing:
        with conn.cursor() as cur:
            cur.execute(_TABLE_COLUMNS_SQL, [sorted(missing)])
            found = {(row[0], row[1]): _TableColumn(*row[2:]) for row in cur.fetchall()}
        if len(cache) + len(found) > _CACHE_FIELDS:
            cache.clear()
        cache.update(found)
        for key in wanted:
            cache.setdefault(key, None)
    return {key: cache[key] for key in wanted}


def _column(field: _Field, table: _TableColumn | None) -> Column:
    pg_type = field.type
    base = pg_type.element or pg_type
    precision, scale = _precision(base.name, field.modifier)
    auto = table is not None and table.auto_increment
    type_name = _SERIAL_NAMES.get(pg_type.name, pg_type.name) if auto else pg_type.name
    return Column(
        name=field.name,
        label=field.name,  # pgjdbc's getColumnName answers the label
        type=pg_type.jdbc,
        type_name=type_name,
        precision=_UNLIMITED if pg_type.element else precision,
        scale=0 if pg_type.element else scale,
        nullable=0 if table is None or table.not_null else 1,  # F15: `SELECT 123` says 0
        is_signed=pg_type.name in _SIGNED,
        is_auto_increment=auto,
        is_case_sensitive=pg_type.name not in _CASE_INSENSITIVE,
        is_currency=False,
        schema_name=table.schema if table else "",
        table_name=table.table if table else "",
        array_base_column_type=base.jdbc if pg_type.element else 0,
    )


def _precision(name: str, modifier: int) -> tuple[int, int]:
    """pgjdbc's precision and scale for a type and its typmod."""
    if name in _FIXED_PRECISION:
        return _FIXED_PRECISION[name]
    if name == "numeric":
        if modifier < 0:
            return 0, 0
        return ((modifier - 4) >> 16) & 0xFFFF, (modifier - 4) & 0xFFFF
    if name in ("bpchar", "varchar"):
        return (modifier - 4 if modifier >= 4 else _UNLIMITED), 0
    if name in ("bit", "varbit"):
        return (modifier if modifier > 0 else _UNLIMITED), 0
    if name in _TEMPORAL_WIDTH:
        digits = 6 if modifier < 0 else modifier
        return _TEMPORAL_WIDTH[name] + (digits + 1 if digits else 0), digits
    return _UNLIMITED, 0
