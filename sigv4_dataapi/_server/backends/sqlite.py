"""SQLite through the standard library: the zero-configuration backend.

SQLite binds ``:name`` placeholders itself, so parameters go through as a
mapping. Result columns answer by their declared type as Aurora MySQL would
(``_sqlite_types``); expressions by their first non-null value's storage
class (what the xerial JDBC driver reports). ``SHOW TABLES`` is rewritten to a
``sqlite_master`` query so that MySQL-flavoured examples run as-is. Idle
autocommit connections are pooled: opening one costs more than ``SELECT 1``.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._server.backends._sqlite_decltypes import DeclaredTypes
from sigv4_dataapi._server.backends._sqlite_errors import error_code
from sigv4_dataapi._server.backends._sqlite_types import columns_and_rows
from sigv4_dataapi._server.backends.base import EngineError, Param, StatementResult, Value

_SHOW_TABLES = re.compile(r"\s*show\s+(full\s+)?tables\s*;?\s*", re.IGNORECASE)
_INSERT = re.compile(r"\s*(insert|replace)\b", re.IGNORECASE)
_BUSY_TIMEOUT_S = 30.0  # writers wait for each other rather than fail with SQLITE_BUSY
_POOL_SIZE = 16

_connection_ids = itertools.count(1)
# Python 3.10's sqlite3 raises ``Warning`` (not an ``Error``) for "You can only execute
# one statement at a time."; 3.11+ raises ``ProgrammingError``. Both are the engine's no.
_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlite3.Warning)


def _database_error(exc: Exception, connection: sqlite3.Connection) -> EngineError:
    """The engine's text in the shape a JDBC driver gives it (``[SQLITE_ERROR] ...``)."""
    name, code = error_code(exc, connection)
    message = f"[{name}] {exc}"
    return EngineError(
        message, errno=code, v1_message=f"Database error code: {code}. Message: {message}"
    )


def _bind(value: Param) -> Any:
    raw = value.value
    if isinstance(raw, bool):
        return int(raw)
    return raw


class SqliteSession:
    """One connection; autocommit unless ``begin()`` opened a transaction."""

    def __init__(self, backend: SqliteBackend, connection: sqlite3.Connection, database: str):
        self._backend = backend
        self._connection = connection
        self._database = database
        self.connection_id = next(_connection_ids)
        self._closed = False

    def _rewrite(self, sql: str) -> str:
        if _SHOW_TABLES.fullmatch(sql):
            label = f"Tables_in_{self._database}".replace('"', '""')
            return (
                f"SELECT name AS \"{label}\" FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        return sql

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        try:
            cursor = self._connection.execute(
                self._rewrite(sql), {p.name: _bind(p) for p in params}
            )
            if cursor.description is None:
                generated: list[Value] = []
                if _INSERT.match(sql) and cursor.rowcount > 0 and cursor.lastrowid:
                    generated = [cursor.lastrowid]
                updated = max(cursor.rowcount, 0)
                return StatementResult(None, rows_updated=updated, generated=generated)
            rows = cursor.fetchall()
            declared = self._backend.declared.of(self._connection, self._rewrite(sql))
        except _ERRORS as exc:
            raise _database_error(exc, self._connection) from exc
        columns, values = columns_and_rows(cursor.description, rows, declared)
        return StatementResult(columns, values, rows_updated=0)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        return [self.execute(sql, params).generated for params in param_sets]

    def begin(self) -> None:
        self._run("BEGIN")

    def commit(self) -> None:
        self._run("COMMIT")

    def rollback(self) -> None:
        if self._connection.in_transaction:
            self._run("ROLLBACK")

    def _run(self, sql: str) -> None:
        try:
            self._connection.execute(sql)
        except _ERRORS as exc:
            raise _database_error(exc, self._connection) from exc

    def cancel(self) -> None:
        self._connection.interrupt()

    def close(self) -> None:
        if not self._closed:  # twice would pool one connection for two sessions
            self._closed = True
            self._backend.release(self._connection)


class SqliteBackend:
    """A database file shared by every session (WAL mode, so readers never wait)."""

    engine = "sqlite"

    def __init__(self, target: str, *, uri: bool = False) -> None:
        self._target = target
        self._uri = uri
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.declared = DeclaredTypes()  # result columns' declared types, per SQL text
        self._keeper = self._connect()  # keeps a shared in-memory database alive
        try:
            self._keeper.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            self._keeper.close()
            raise ConfigurationError(f"cannot open SQLite database {target!r}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        try:
            return sqlite3.connect(
                self._target,
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
                uri=self._uri,
            )
        except sqlite3.Error as exc:
            message = f"cannot open SQLite database {self._target!r}: {exc}"
            raise ConfigurationError(message) from exc

    def session(self, database: str | None, user: str | None) -> SqliteSession:
        """A pooled connection; ``database`` only names ``SHOW TABLES``'s column."""
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        return SqliteSession(self, connection or self._connect(), database or "main")

    def release(self, connection: sqlite3.Connection) -> None:
        """Pool ``connection``, or close it: the pool is full or closed, or it is unusable."""
        try:
            if connection.in_transaction:
                connection.rollback()
        except _ERRORS:
            connection.close()
            return
        with self._lock:
            if not self._closed and len(self._idle) < _POOL_SIZE:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the idle connections; sessions still open close theirs on ``release``."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in [*idle, self._keeper]:
            connection.close()


def open_backend(url: str) -> SqliteBackend:
    """``sqlite:///abs/path``, ``sqlite:relative/path`` or ``sqlite:///:memory:``."""
    rest = url.partition(":")[2]
    path = rest[2:] if rest.startswith("//") else rest
    if path in ("", "/:memory:", ":memory:"):
        return SqliteBackend(f"file:sigv4mem{uuid.uuid4().hex}?mode=memory&cache=shared", uri=True)
    return SqliteBackend(path)
