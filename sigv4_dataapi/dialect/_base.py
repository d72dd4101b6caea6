"""What the PostgreSQL and MySQL dialects share: the DB-API, the URL, isolation, errors.

Isolation levels (reference C.3, C.5 item 3): every Data API call may run on
another pooled database session, so ``SET SESSION ...`` (what SQLAlchemy's
own dialects do) has no lasting effect. ``AUTOCOMMIT`` maps to the DB-API's
``autocommit`` attribute; another non-default level is remembered per DB-API
connection and sent as ``SET TRANSACTION ISOLATION LEVEL ...``, the first
statement of each transaction, from ``do_begin``.
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy.engine import URL

from sigv4_dataapi.dialect._url import connect_kwargs

__all__ = [
    "BINDNAME_ESCAPES",
    "AsyncDataAPIDialectMixin",
    "DataAPIBindNames",
    "DataAPIDialectMixin",
]

# A Data API parameter name is letters, digits and underscores: every other character a
# column name may hold is escaped in the bind name (SQLAlchemy maps the names back).
BINDNAME_ESCAPES: dict[str, str] = {
    char: f"_{index:02d}" for index, char in enumerate(" !\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~")
}

# Service error codes after which the DB-API connection's transaction is gone or
# the database could not be reached: the pool must not hand the connection out again.
_DISCONNECT_CODES = frozenset({
    "TransactionNotFoundException", "NotFoundException", "DatabaseResumingException",
    "DatabaseUnavailableException", "ServiceUnavailableError",
    "InvalidResourceStateException", "HttpEndpointNotEnabledException",
})  # fmt: skip



def _plain_name(name: str) -> str:
    """``name`` as a Data API parameter name: ASCII word characters, not led by a digit."""
    text = "".join(c if c.isascii() else f"_u{ord(c):x}" for c in name)
    text = "".join(BINDNAME_ESCAPES.get(c, c) for c in text)
    return "p_" + text if text[:1].isdigit() else text


class DataAPIBindNames:
    """Compiler mixin: bind names the service's ``:name`` parser reads as one name.

    SQLAlchemy escapes punctuation by ``bindname_escape_characters``; a name
    led by a digit or holding non-ASCII letters needs the same treatment here.
    """

    bindname_escape_characters: ClassVar[Mapping[str, str]] = BINDNAME_ESCAPES

    def bindparam_string(self, name: str, **kw: Any) -> str:
        if not kw.get("escaped_from") and (name[:1].isdigit() or not name.isascii()):
            kw["escaped_from"] = name
            name = _plain_name(name)
        return super().bindparam_string(name, **kw)  # type: ignore[misc,no-any-return]


class DataAPIDialectMixin:
    """Mixed in before SQLAlchemy's ``PGDialect`` / ``MySQLDialect``."""

    driver = "dataapi"
    supports_statement_cache = True
    default_paramstyle = "named"
    supports_sane_rowcount = True
    supports_sane_multi_rowcount = False  # BatchExecuteStatement returns no counts
    supports_native_decimal = True
    engine_name: ClassVar[str]  # "postgresql" or "mysql": dbapi.connect(engine=...)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # DB-API connection -> the level do_begin applies (absent: the server's default)
        self._levels: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    @classmethod
    def import_dbapi(cls) -> Any:
        return importlib.import_module("sigv4_dataapi.dbapi")

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        return [], connect_kwargs(url, self.engine_name)

    # -- isolation ---------------------------------------------------------------------------

    def get_isolation_level_values(self, dbapi_connection: Any) -> Sequence[Any]:
        return ("AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ",
                "SERIALIZABLE")  # fmt: skip

    def set_isolation_level(self, dbapi_connection: Any, level: Any) -> None:
        dbapi_connection.autocommit = level == "AUTOCOMMIT"
        if level == "AUTOCOMMIT" or level == getattr(self, "default_isolation_level", None):
            self._levels.pop(dbapi_connection, None)
        else:
            self._levels[dbapi_connection] = level

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        """The level this connection's transactions run at, without a call when known."""
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        level = self._levels.get(dbapi_connection) or getattr(self, "default_isolation_level", None)
        return level or self.get_default_isolation_level(dbapi_connection)

    def get_default_isolation_level(self, dbapi_connection: Any) -> Any:
        """The level set on this connection, else the server's default read outside any
        transaction (one call, no BEGIN)."""
        level = self._levels.get(dbapi_connection)
        if level is not None:
            return level
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute(self._isolation_query())
            row = cursor.fetchone()
            cursor.close()
        finally:
            dbapi_connection.autocommit = autocommit
        return str(row[0]).upper().replace("-", " ")

    def _isolation_query(self) -> str:
        raise NotImplementedError

    def detect_autocommit_setting(self, dbapi_connection: Any) -> bool:
        return bool(dbapi_connection.autocommit)

    def do_begin(self, dbapi_connection: Any) -> None:
        # SQLAlchemy passes the pool's proxy here; the level is kept by the DB-API connection.
        level = self._levels.get(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))
        if level is not None and not dbapi_connection.autocommit:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET TRANSACTION ISOLATION LEVEL {level}")
            cursor.close()

    # -- errors ------------------------------------------------------------------------------

    def is_disconnect(self, e: Exception, connection: Any, cursor: Any) -> bool:
        """Lost/expired transactions, an unreachable database, a closed connection."""
        dbapi = self.loaded_dbapi  # type: ignore[attr-defined]
        if isinstance(e, dbapi.TransactionLostError) or getattr(e, "transaction_lost", False):
            return True  # the DB-API forgot the transaction: SQLAlchemy's is gone too
        if isinstance(e, dbapi.InterfaceError) and "closed" in str(e):
            return True
        sqlstate = getattr(e, "sqlstate", None) or ""
        if sqlstate.startswith("08"):
            return True
        cause = e.__cause__
        return getattr(cause, "code", None) in _DISCONNECT_CODES


class AsyncDataAPIDialectMixin:
    """What the ``_async`` dialects add to their sync twin: ``dbapi.connect_async`` behind
    SQLAlchemy's greenlet adapter, and the asyncio pool. Put it first in the bases."""

    is_async = True
    driver = "dataapi_async"

    @classmethod
    def import_dbapi(cls) -> Any:
        from sigv4_dataapi.dialect._async import AsyncAdaptedDBAPI

        return AsyncAdaptedDBAPI(super().import_dbapi())  # type: ignore[misc]

    @classmethod
    def get_pool_class(cls, url: Any) -> Any:
        """The asyncio pool: SQLAlchemy 2.1 picks it from ``is_async``, 2.0 (which
        Python 3.10 installs) asks the dialect, as its own asyncio dialects answer."""
        from sqlalchemy.pool import AsyncAdaptedQueuePool

        return AsyncAdaptedQueuePool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection._connection
