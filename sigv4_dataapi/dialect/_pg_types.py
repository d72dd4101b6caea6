"""PostgreSQL types over the Data API (reference C.5 item 6).

Two SQLAlchemy hooks do all the work, chosen per type from the schema rather
than by sniffing values:

- ``render_bind_cast``: the Data API binds a ``str`` as ``varchar`` (as pgjdbc
  does), which PostgreSQL will not assign to a ``json``/``uuid``/enum/
  ``interval``/array column; the compiler wraps such parameters in
  ``CAST(:p AS type)``. Arrays travel as escaped array literals (the service
  binds scalars only).
- ``column_expression``: result types the service refuses (``interval``,
  ``"char"``, ``int2vector``, enum and uuid arrays...) are selected as text or
  as a supported array type and parsed back by ``result_processor``. JSON is
  selected as text too, so the deserializer configured on the engine always
  sees the document text, whatever the driver would have decoded.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, INTERVAL, JSON, JSONB
from sqlalchemy.dialects.postgresql.json import JSONPathType
from sqlalchemy.dialects.postgresql.pg_catalog import INT2VECTOR, OIDVECTOR
from sqlalchemy.dialects.postgresql.types import CITEXT, OID, PGUuid
from sqlalchemy.sql import elements, expression

from sigv4_dataapi.dialect._arraytext import parse_array
from sigv4_dataapi.dialect._interval import interval_text, parse_interval

__all__ = ["COLSPECS"]

# Element types whose arrays the service cannot return (F9, F17b): read as text[].
# ``_varchar`` included: only ``text[]`` is documented among the string arrays (F15).
_TEXT_ARRAY_ITEMS = (sqltypes.String, sqltypes.Uuid, sqltypes.Interval, sqltypes.JSON)


def _selected_as(colexpr: Any, sql_type: Any, type_: Any) -> Any:
    """``CAST(colexpr AS sql_type)`` that keeps ``type_`` (and so its result processor)."""
    return expression.type_coerce(expression.cast(colexpr, sql_type), type_)


class DataAPIJSON(JSON):
    render_bind_cast = True

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, sqltypes.TEXT, self)


class DataAPIJSONB(JSONB):
    render_bind_cast = True

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, sqltypes.TEXT, self)


class DataAPIJSONPathType(JSONPathType):
    """A path list bound as ``CAST(:p AS TEXT[])`` (``#>`` takes ``text[]``, not varchar)."""

    render_bind_cast = True


class DataAPIJSONIntIndex(sqltypes.JSON.JSONIntIndexType):
    """``json -> :i``: the service binds an int as ``int8``; the operator takes ``int``."""

    __visit_name__ = "json_int_index"
    render_bind_cast = True


class DataAPIJSONStrIndex(sqltypes.JSON.JSONStrIndexType):
    __visit_name__ = "json_str_index"
    render_bind_cast = True


class DataAPIInteger(sqltypes.Integer):
    """An int is bound as ``int8``; ``date + :n`` and ``substr(s, :n)`` want ``int``."""

    render_bind_cast = True


class DataAPISmallInteger(sqltypes.SmallInteger):
    render_bind_cast = True


class DataAPIBigInteger(sqltypes.BigInteger):
    render_bind_cast = True


class DataAPIDate(sqltypes.Date):
    """``:p IS NULL`` needs a type; a ``timestamptz`` literal needs its zone kept."""

    render_bind_cast = True


class DataAPIDateTime(sqltypes.DateTime):
    render_bind_cast = True


class DataAPITime(sqltypes.Time):
    render_bind_cast = True


class DataAPIString(sqltypes.String):
    render_bind_cast = True


class DataAPINumeric(sqltypes.Numeric[Any]):
    """Cast as plain ``NUMERIC`` / ``FLOAT`` (never the column's scale, which would round)."""

    render_bind_cast = True


class DataAPIFloat(sqltypes.Float[Any]):
    render_bind_cast = True


class DataAPIBoolean(sqltypes.Boolean):
    render_bind_cast = True


class DataAPIUuid(PGUuid[Any]):
    """The service sends a uuid as its text: make it a ``UUID`` when ``as_uuid``."""

    render_bind_cast = True

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        if self.as_uuid:
            return lambda value: uuid.UUID(value) if isinstance(value, str) else value
        return lambda value: value if value is None else str(value)


class DataAPIEnum(ENUM):
    render_bind_cast = True


class DataAPIInterval(INTERVAL):
    """Selected as text (the service refuses ``interval``), bound as interval text."""

    render_bind_cast = True

    @classmethod
    def adapt_emulated_to_native(  # type: ignore[override]  # as INTERVAL's own
        cls, interval: Any, **kw: Any
    ) -> Any:
        return cls(precision=interval.second_precision)

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, sqltypes.TEXT, self)

    def bind_processor(self, dialect: Any) -> Any:
        def process(value: Any) -> Any:
            return interval_text(value) if isinstance(value, datetime.timedelta) else value

        return process

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        return lambda value: parse_interval(value) if isinstance(value, str) else value


class DataAPIARRAY(ARRAY[Any]):
    """Bound as an escaped array literal; unsupported element types read as ``text[]``."""

    render_bind_cast = True

    def bind_processor(self, dialect: Any) -> Any:
        from sigv4_dataapi import pg_array_literal

        items = super().bind_processor(dialect)

        def process(value: Any) -> Any:
            if value is None:
                return None
            return pg_array_literal(items(value) if items else value)

        return process

    def column_expression(self, colexpr: Any) -> Any:
        if (self.dimensions or 1) > 1:
            return _selected_as(colexpr, sqltypes.TEXT, self)
        if isinstance(self.item_type, _TEXT_ARRAY_ITEMS):
            return _selected_as(colexpr, ARRAY(sqltypes.TEXT, dimensions=self.dimensions), self)
        return colexpr


    def result_processor(self, dialect: Any, coltype: object) -> Any:
        """Multi-dimensional arrays arrive as their text: parse, type the items, then
        let SQLAlchemy's own processing run."""
        parent = super().result_processor(dialect, coltype)
        if (self.dimensions or 1) <= 1:
            return parent
        item = _ITEM_FROM_TEXT.get(self.item_type._type_affinity)

        def process(value: Any) -> Any:
            if isinstance(value, str):
                value = _typed(parse_array(value), item)
            return parent(value) if parent else value

        return process


def _typed(items: list[Any], convert: Any) -> list[Any]:
    if convert is None:
        return items
    return [_typed(v, convert) if isinstance(v, list) else v if v is None else convert(v)
            for v in items]  # fmt: skip


# Element text -> Python value, for the item types PostgreSQL prints unquoted.
_ITEM_FROM_TEXT: dict[Any, Any] = {
    sqltypes.Integer: int,
    sqltypes.Float: float,
    sqltypes.Numeric: decimal.Decimal,
    sqltypes.Boolean: lambda v: v == "t",
}


def _catalog_column(colexpr: Any) -> bool:
    """Whether ``colexpr`` is (a label of) a column of a ``pg_catalog`` table."""
    while isinstance(colexpr, elements.Label):
        colexpr = colexpr.element
    table = getattr(colexpr, "table", None)
    return getattr(table, "schema", None) == "pg_catalog"


class CatalogChar(sqltypes.CHAR):
    """pg_catalog's ``"char"`` columns (``attgenerated``, ``contype``...) read as text.

    The service refuses a ``"char"`` result column (F17b), which is what breaks
    SQLAlchemy's PostgreSQL reflection on other drivers; user ``CHAR(n)``
    columns (``bpchar``) are left alone.
    """

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, sqltypes.TEXT, self) if _catalog_column(colexpr) else colexpr


class CatalogInt2Vector(INT2VECTOR):
    """``int2vector`` (``pg_index.indoption``) read as ``smallint[]``."""

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, ARRAY(sqltypes.SmallInteger), self)


class CatalogOidVector(OIDVECTOR):
    """``oidvector`` read as ``oid[]``."""

    def column_expression(self, colexpr: Any) -> Any:
        return _selected_as(colexpr, ARRAY(OID), self)


COLSPECS: dict[Any, Any] = {
    sqltypes.JSON: DataAPIJSON,
    JSON: DataAPIJSON,
    JSONB: DataAPIJSONB,
    sqltypes.JSON.JSONPathType: DataAPIJSONPathType,
    sqltypes.JSON.JSONIntIndexType: DataAPIJSONIntIndex,
    sqltypes.JSON.JSONStrIndexType: DataAPIJSONStrIndex,
    sqltypes.Integer: DataAPIInteger,
    sqltypes.SmallInteger: DataAPISmallInteger,
    sqltypes.BigInteger: DataAPIBigInteger,
    sqltypes.Date: DataAPIDate,
    sqltypes.DateTime: DataAPIDateTime,
    sqltypes.Time: DataAPITime,
    sqltypes.String: DataAPIString,
    CITEXT: CITEXT,  # no VARCHAR cast: the comparison must stay case-insensitive
    sqltypes.Numeric: DataAPINumeric,
    sqltypes.Float: DataAPIFloat,
    sqltypes.Boolean: DataAPIBoolean,
    sqltypes.Uuid: DataAPIUuid,
    sqltypes.Enum: DataAPIEnum,
    ENUM: DataAPIEnum,
    sqltypes.Interval: DataAPIInterval,
    INTERVAL: DataAPIInterval,
    sqltypes.ARRAY: DataAPIARRAY,
    ARRAY: DataAPIARRAY,
    sqltypes.CHAR: CatalogChar,
    INT2VECTOR: CatalogInt2Vector,
    OIDVECTOR: CatalogOidVector,
}
