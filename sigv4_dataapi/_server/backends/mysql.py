"""MariaDB/MySQL backend (PyMySQL): the engine behind Aurora MySQL's Data API.

The service runs statements through MySQL Connector/J, so this backend copies
Connector/J's view of the engine: ``:name`` placeholders become positional
parameters (``_placeholders``; PyMySQL interpolates them client side, as
Connector/J does by default), affected-row counts are *found* rows
(Connector/J's default ``useAffectedRows=false``), the last insert id fills
``generatedFields``, values and column metadata read as Connector/J's
(``_mysql_types``) and so do errors (``_mysql_errors``). Sessions run with
``time_zone = '+00:00'``.

Connections are pooled per (database, user) (``_pool``); a returned one gets
``COM_RESET_CONNECTION``. Transactions and cancellation: ``_session``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._server.backends._driver import close_quietly, import_driver
from sigv4_dataapi._server.backends._mysql_errors import missing_parameter_error, mysql_error
from sigv4_dataapi._server.backends._mysql_types import decoders, parameter, statement_result
from sigv4_dataapi._server.backends._placeholders import BoundStatement, bind
from sigv4_dataapi._server.backends._placeholders import rewrite_mysql as rewrite_placeholders
from sigv4_dataapi._server.backends._pool import ConnectionPool, PoolKey
from sigv4_dataapi._server.backends._session import PooledSession, TransactionCommand
from sigv4_dataapi._server.backends.base import EngineError, Param, StatementResult, Value

__all__ = ["MySQLBackend", "MySQLSession", "open_backend", "rewrite_placeholders"]

_TIME_ZONE_SQL = "SET time_zone = '+00:00'"
_CONNECT_TIMEOUT = 10  # seconds
_CLIENT_FOUND_ROWS = 2  # pymysql.constants.CLIENT.FOUND_ROWS
_COM_RESET_CONNECTION = 0x1F


def open_backend(url: str) -> MySQLBackend:
    """The backend for a ``mysql://user:pw@host:port/db`` URL."""
    return MySQLBackend(url)


class MySQLBackend:
    """Connections to one MariaDB/MySQL server from a ``mysql://`` URL.

    The backend is also its sessions' ``SessionHost``.
    """

    engine = "mysql"

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("mysql", "mariadb"):
            raise ConfigurationError(f"not a MySQL URL (scheme {parts.scheme!r})")
        self._pymysql = import_driver("pymysql", feature="the MySQL backend", extra="mysql")
        self._host = parts.hostname or "localhost"
        self._port = parts.port or 3306
        self._user = unquote(parts.username) if parts.username else "root"
        self._password = unquote(parts.password) if parts.password else ""
        self._database = unquote(parts.path.lstrip("/")) or None
        self._decoders = decoders(self._pymysql)
        self._pool: ConnectionPool[Any] = ConnectionPool(
            pool_size, reset=self._reset, discard=close_quietly
        )

    def __repr__(self) -> str:  # never the password
        return f"<MySQLBackend {self._host}:{self._port}>"

    def session(self, database: str | None, user: str | None) -> MySQLSession:
        key = (database or self._database or "", user or self._user)
        conn = self._pool.take(key)
        if conn is None:
            conn = self._connect(key[0] or None, key[1])
        return MySQLSession(self, conn, key)

    def close(self) -> None:
        self._pool.close()

    # -- SessionHost ------------------------------------------------------

    def transaction(self, conn: Any, command: TransactionCommand) -> None:
        """PyMySQL's own calls for these (they expect an OK packet, not a result)."""
        send = {"BEGIN": conn.begin, "COMMIT": conn.commit, "ROLLBACK": conn.rollback}[command]
        send()

    def interrupt(self, conn: Any, user: str) -> None:
        """``KILL QUERY`` through a second connection: the only way to cancel.

        It connects as the session's own user, who may always kill its own threads.
        """
        killer = self._connect(None, user)
        try:
            killer.cursor().execute(f"KILL QUERY {int(conn.thread_id())}")
        finally:
            close_quietly(killer)

    def translate(self, exc: BaseException, conn: Any) -> EngineError | None:
        if isinstance(exc, self._pymysql.MySQLError):
            return mysql_error(exc, conn)
        return None

    def release(self, key: PoolKey, conn: Any) -> None:
        self._pool.give(key, conn)

    # -- internals --------------------------------------------------------

    def _connect(self, database: str | None, user: str) -> Any:
        try:
            return self._pymysql.connect(
                host=self._host,
                port=self._port,
                user=user,
                password=self._password,
                database=database,
                autocommit=True,
                charset="utf8mb4",
                client_flag=_CLIENT_FOUND_ROWS,
                conv=self._decoders,
                connect_timeout=_CONNECT_TIMEOUT,
                init_command=_TIME_ZONE_SQL,
            )
        except self._pymysql.MySQLError as exc:
            raise mysql_error(exc, None) from None

    def _reset(self, conn: Any) -> bool:
        """COM_RESET_CONNECTION (temporary tables, variables), then our settings."""
        try:
            conn._execute_command(_COM_RESET_CONNECTION, b"")
            conn._read_ok_packet()
            conn.query(_TIME_ZONE_SQL)
            if conn.db:
                conn.select_db(conn.db)
        except Exception:  # any failure: the connection is not reusable
            return False
        return True


class MySQLSession(PooledSession):
    """One connection: statements and batches (transactions and cancel: PooledSession)."""

    @property
    def connection_id(self) -> int:
        """The server thread id: ``dbConnectionId`` in StatementTimeoutException."""
        return int(self._conn.thread_id())

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        bound = _bind(sql, params)
        with self._running(), self._conn.cursor() as cur:
            cur.execute(bound.query, bound.args)
            return statement_result(cur)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        """Run ``sql`` per set, all or nothing; each set's last insert id.

        Outside a transaction the batch gets its own, so a failing set leaves
        no half-applied batch behind (a retry then cannot duplicate rows).
        """
        bound = [_bind(sql, params) for params in param_sets]
        generated: list[list[Value]] = []
        with self._running(), self._all_or_nothing(), self._conn.cursor() as cur:
            for statement in bound:
                cur.execute(statement.query, statement.args)
                generated.append([cur.lastrowid] if cur.lastrowid else [])
        return generated


def _bind(sql: str, params: Sequence[Param]) -> BoundStatement:
    return bind(
        sql,
        params,
        rewrite=rewrite_placeholders,
        convert=parameter,
        missing=missing_parameter_error,
    )
