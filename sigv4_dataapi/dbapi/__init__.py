"""PEP 249 (DB-API 2.0) over the RDS Data API: ``from sigv4_dataapi import dbapi``.

    conn = dbapi.connect(resource_arn=..., secret_arn=..., database="app")
    with conn:                                   # commit on success, rollback on error
        cur = conn.cursor()
        cur.execute("SELECT id, name FROM users WHERE id = :id", {"id": 7})
        print(cur.description, cur.fetchall())

``paramstyle`` is ``named`` (``:name`` placeholders, a mapping of values).
Transactions begin lazily with the first statement; ``autocommit=True`` runs
each statement on its own. ``conn.cursor(stream=True)`` reads PostgreSQL results
larger than the Data API's 1 MiB limit; on MySQL use :func:`iter_keyset`.
``connect_async`` gives the same API as coroutines (``AsyncConnection``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sigv4_dataapi.dbapi._pages import StreamSettings
from sigv4_dataapi.dbapi.errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    ResultTooLargeError,
    TransactionLostError,
    Warning,
)
from sigv4_dataapi.dbapi.types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

if TYPE_CHECKING:
    from sigv4_dataapi.dbapi.connection import Connection
    from sigv4_dataapi.dbapi.connection_async import AsyncConnection
    from sigv4_dataapi.dbapi.cursor import Cursor
    from sigv4_dataapi.dbapi.cursor_async import AsyncCursor
    from sigv4_dataapi.dbapi.keyset import aiter_keyset, iter_keyset

apilevel = "2.0"
threadsafety = 1  # share the module, not connections: one connection = one transaction id
paramstyle = "named"

_LAZY = {
    "Connection": "sigv4_dataapi.dbapi.connection",
    "Cursor": "sigv4_dataapi.dbapi.cursor",
    "AsyncConnection": "sigv4_dataapi.dbapi.connection_async",
    "AsyncCursor": "sigv4_dataapi.dbapi.cursor_async",
    "iter_keyset": "sigv4_dataapi.dbapi.keyset",
    "aiter_keyset": "sigv4_dataapi.dbapi.keyset",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sigv4_dataapi.dbapi' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


_OWN = ("autocommit", "engine", "clock", "stream_settings")


def connect(
    *,
    resource_arn: str | None = None,
    secret_arn: str | None = None,
    database: str | None = None,
    schema: str | None = None,
    autocommit: bool = False,
    **client_options: Any,
) -> Connection:
    """A :class:`Connection`; ``client_options`` are :class:`sigv4_dataapi.Client`'s.

    ARNs and database fall back to ``DATA_API_RESOURCE_ARN``/``DATA_API_SECRET_ARN``/
    ``DATA_API_DATABASE``, then the profile, like the CLI. Also accepted:
    ``engine="postgresql"|"mysql"`` (skips the one-query detection),
    ``stream_settings=StreamSettings(...)`` and ``clock=`` (monotonic seconds).
    No call is made here.
    """
    from sigv4_dataapi import Client
    from sigv4_dataapi.dbapi.connection import Connection

    own, options = _split(client_options)
    client = _client(Client, resource_arn, secret_arn, database, schema, options)
    return Connection(client, autocommit=autocommit, **own)


async def connect_async(
    *,
    resource_arn: str | None = None,
    secret_arn: str | None = None,
    database: str | None = None,
    schema: str | None = None,
    autocommit: bool = False,
    **client_options: Any,
) -> AsyncConnection:
    """``await connect_async(...)``: an :class:`AsyncConnection` on ``AsyncClient``."""
    from sigv4_dataapi import AsyncClient
    from sigv4_dataapi.dbapi.connection_async import AsyncConnection

    own, options = _split(client_options)
    client = _client(AsyncClient, resource_arn, secret_arn, database, schema, options)
    return AsyncConnection(client, autocommit=autocommit, **own)


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    own = {key: options.pop(key) for key in _OWN if key in options}
    return own, options


def _client(
    cls: Any, resource_arn: str | None, secret_arn: str | None, database: str | None,
    schema: str | None, options: dict[str, Any],
) -> Any:  # fmt: skip
    from sigv4_dataapi import DataAPIError
    from sigv4_dataapi.dbapi._target import resolve_target

    target = resolve_target(resource_arn, secret_arn, database, options)
    try:
        return cls(target.resource_arn, target.secret_arn, database=target.database,
                   schema=schema, **options)  # fmt: skip
    except DataAPIError as exc:
        raise InterfaceError(f"cannot connect: {exc}") from exc
    except TypeError as exc:
        raise InterfaceError(f"connect(): {exc}") from exc


__all__ = [
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "AsyncConnection",
    "AsyncCursor",
    "Binary",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "ResultTooLargeError",
    "StreamSettings",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "TransactionLostError",
    "Warning",
    "aiter_keyset",
    "apilevel",
    "connect",
    "connect_async",
    "iter_keyset",
    "paramstyle",
    "threadsafety",
]
