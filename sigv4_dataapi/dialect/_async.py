"""The asyncio DB-API (``dbapi.connect_async``) adapted to SQLAlchemy's sync interface.

SQLAlchemy runs dialects synchronously inside a greenlet and awaits the
driver's coroutines through ``await_``; its ``AsyncAdapt_dbapi_*`` classes
(``sqlalchemy.connectors.asyncio``) do that for any PEP 249-shaped asyncio
driver. What is ours: cursors are made with ``cursor(stream=...)``, closing
may or may not be a coroutine, and ``autocommit`` is an attribute.
"""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy.connectors.asyncio import (
    AsyncAdapt_dbapi_connection,
    AsyncAdapt_dbapi_cursor,
    AsyncAdapt_dbapi_ss_cursor,
)

# await_only: SQLAlchemy 2.1's await_ under the name 2.0 has too (Python 3.10 installs 2.0)
from sqlalchemy.util.concurrency import await_only as await_

__all__ = ["AsyncAdaptedDBAPI"]

_EXCEPTIONS = ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
               "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
               "NotSupportedError", "TransactionLostError", "ResultTooLargeError")  # fmt: skip
_NAMES = ("paramstyle", "apilevel", "threadsafety", "Date", "Time", "Timestamp", "Binary",
          "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID")  # fmt: skip


def _maybe_await(value: Any) -> Any:
    return await_(value) if inspect.isawaitable(value) else value


class AsyncAdaptedCursor(AsyncAdapt_dbapi_cursor):
    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return connection.cursor()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    def close(self) -> None:
        self._rows.clear()
        if self._cursor is not None:
            _maybe_await(self._cursor.close())


class AsyncAdaptedStreamCursor(AsyncAdapt_dbapi_ss_cursor):
    """``cursor(stream=True)``: rows are fetched page by page, never buffered whole."""

    __slots__ = ()

    def _make_new_cursor(self, connection: Any) -> Any:
        return connection.cursor(stream=True)

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    def close(self) -> None:
        if self._cursor is not None:
            _maybe_await(self._cursor.close())
            self._cursor = None  # type: ignore[assignment]

    def fetchmany(self, size: int | None = None) -> Any:
        return await_(self._cursor.fetchmany(size if size is not None else self.arraysize))


class AsyncAdaptedConnection(AsyncAdapt_dbapi_connection):
    __slots__ = ("__weakref__",)
    _cursor_cls = AsyncAdaptedCursor
    _ss_cursor_cls = AsyncAdaptedStreamCursor

    @property
    def autocommit(self) -> bool:
        return bool(self._connection.autocommit)

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        await_(self._connection.set_autocommit(value))

    @property
    def engine(self) -> str:
        return str(self._connection.engine)

    def close(self) -> None:
        _maybe_await(self._connection.close())

    def terminate(self) -> None:
        self.close()


class AsyncAdaptedDBAPI:
    """A module-like object: PEP 249 names plus a sync ``connect`` over ``connect_async``."""

    def __init__(self, dbapi: Any) -> None:
        self.dbapi = dbapi
        for name in (*_EXCEPTIONS, *_NAMES):
            setattr(self, name, getattr(dbapi, name))

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdaptedConnection:
        connecting = self.dbapi.connect_async(*args, **kwargs)
        adapter: Any = AsyncAdaptedConnection
        if not hasattr(adapter, "create"):  # SQLAlchemy 2.0 (Python 3.10): takes the connection
            return adapter(self, await_(connecting))  # type: ignore[no-any-return]
        return await_(AsyncAdaptedConnection.create(self, connecting))
