"""``mysql+dataapi://`` and ``mysql+dataapi_async://``: MySQL / MariaDB over the Data API.

Built on SQLAlchemy's ``MySQLDialect``. What differs from a socket driver:
named parameters; no driver-side character set (the service speaks UTF-8);
error codes read from the DB-API's ``errno``; ``TIME`` arriving as
``datetime.time`` rather than ``timedelta``; JSON selected as text; no
server-side cursors (the Data API has none for MySQL, so ``stream_results``
buffers as SQLAlchemy does for any driver without them).

Isolation: MySQL refuses ``SET TRANSACTION`` inside a transaction (error
1568), and ``BeginTransaction`` has already started one when the first
statement arrives; ``SET SESSION`` does not persist between calls. So the
levels offered are ``AUTOCOMMIT`` and the server's default.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.mysql.base import MySQLCompiler, MySQLDialect, MySQLExecutionContext
from sqlalchemy.dialects.mysql.json import JSON
from sqlalchemy.dialects.mysql.mariadb import MariaDBDialect
from sqlalchemy.dialects.mysql.types import TIME
from sqlalchemy.engine import interfaces
from sqlalchemy.sql import expression

from sigv4_dataapi.dialect._base import (
    AsyncDataAPIDialectMixin,
    DataAPIBindNames,
    DataAPIDialectMixin,
)
from sigv4_dataapi.dialect._imv import InsertManyValuesPaging

__all__ = [
    "MariaDBDialect_dataapi",
    "MariaDBDialect_dataapi_async",
    "MySQLDialect_dataapi",
    "MySQLDialect_dataapi_async",
]


class DataAPIDate(sqltypes.Date):
    """Bound as ``CAST(:p AS DATE)``: MySQL types a parameter as a string otherwise."""

    render_bind_cast = True


class DataAPIDateTime(sqltypes.DateTime):
    render_bind_cast = True


class DataAPITime(TIME):
    """The service sends ``TIME`` as a time of day (``datetime.time``), not a timedelta."""

    render_bind_cast = True

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        parent = super().result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            return parent(value) if isinstance(value, datetime.timedelta) else value

        return process


class DataAPIJSON(JSON):
    """Selected as text: MySQL 8 types it ``JSON`` (which a driver may decode), MariaDB
    ``LONGTEXT``; either way the engine's deserializer sees the document text."""

    def column_expression(self, colexpr: Any) -> Any:
        return expression.type_coerce(expression.cast(colexpr, sqltypes.CHAR), self)


_BIND_CASTS = {sqltypes.Date: "DATE", sqltypes.DateTime: "DATETIME(6)", sqltypes.Time: "TIME(6)"}


class MySQLCompiler_dataapi(  # type: ignore[misc]  # bindparam_string(**kw) takes them all
    DataAPIBindNames, InsertManyValuesPaging, MySQLCompiler
):
    def render_bind_cast(self, type_: Any, dbapi_type: Any, sqltext: str) -> str:
        """Dates and times: ``CAST(:p AS DATETIME(6))``, so a bare parameter is typed."""
        return f"CAST({sqltext} AS {_BIND_CASTS[dbapi_type._type_affinity]})"


class MySQLDialect_dataapi(DataAPIDialectMixin, MySQLDialect):
    """MySQL / MariaDB (Aurora MySQL) through ``sigv4_dataapi.dbapi``."""

    supports_statement_cache = True
    engine_name = "mysql"
    statement_compiler = MySQLCompiler_dataapi
    execution_ctx_cls = MySQLExecutionContext
    bind_typing = interfaces.BindTyping.RENDER_CASTS
    supports_server_side_cursors = False
    colspecs = {  # noqa: RUF012 (SQLAlchemy's own attribute)
        **MySQLDialect.colspecs, sqltypes.Time: DataAPITime, TIME: DataAPITime,
        sqltypes.Date: DataAPIDate, sqltypes.DateTime: DataAPIDateTime,
        sqltypes.JSON: DataAPIJSON, JSON: DataAPIJSON,
    }  # fmt: skip

    def get_isolation_level_values(self, dbapi_connection: Any) -> Sequence[Any]:
        default = getattr(self, "default_isolation_level", None)
        return ("AUTOCOMMIT", default) if default else ("AUTOCOMMIT", "REPEATABLE READ")

    def _isolation_query(self) -> str:
        if not self.is_mariadb and self.server_version_info >= (5, 7, 20):
            return "SELECT @@transaction_isolation"
        return "SELECT @@tx_isolation"

    def _detect_charset(self, connection: Any) -> str:
        return "utf8mb4"

    def _extract_error_code(self, exception: Any) -> Any:
        return getattr(exception, "errno", None)


class MySQLDialect_dataapi_async(AsyncDataAPIDialectMixin, MySQLDialect_dataapi):
    """The same over ``dbapi.connect_async`` (``create_async_engine``)."""

    supports_statement_cache = True


class MariaDBDialect_dataapi(MariaDBDialect, MySQLDialect_dataapi):
    """``mariadb+dataapi://``: the same, MariaDB from the start (SQLAlchemy's ``mariadb``)."""

    supports_statement_cache = True


class MariaDBDialect_dataapi_async(MariaDBDialect, MySQLDialect_dataapi_async):
    supports_statement_cache = True


dialect = MySQLDialect_dataapi
mariadb_dialect = MariaDBDialect_dataapi
