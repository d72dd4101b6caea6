"""PostgreSQL backend (psycopg 3): the engine behind Aurora PostgreSQL's Data API.

The service runs statements through pgjdbc, so this backend copies pgjdbc's
view of the engine: ``:name`` placeholders become positional parameters
(``_placeholders``), parameters and results are typed as pgjdbc types them
(``_pg_types``), column metadata uses pgjdbc's JDBC codes and precisions
(``_pg_result``) and errors read as pgjdbc's (``_pg_errors``). Results come
back as the text the service would send: timestamps in UTC without an
offset, uuid/json/dates as strings, 1-D arrays as lists.

A session is one pooled connection set to ``TimeZone=UTC`` and ``DateStyle=ISO``
(the service renders timestamptz in UTC); each statement commits on its own
except between ``begin`` and ``commit``/``rollback`` (``_session``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._server.backends._driver import close_quietly, import_driver
from sigv4_dataapi._server.backends._pg_errors import (
    MissingParameterError,
    UnsupportedResultError,
    connection_error,
    database_error,
    missing_parameter_error,
)
from sigv4_dataapi._server.backends._pg_result import ResultPlan
from sigv4_dataapi._server.backends._pg_types import TypeRegistry
from sigv4_dataapi._server.backends._placeholders import BoundStatement, bind, numbered_postgres
from sigv4_dataapi._server.backends._placeholders import rewrite_postgres as rewrite_placeholders
from sigv4_dataapi._server.backends._pool import ConnectionPool, PoolKey
from sigv4_dataapi._server.backends._session import PooledSession, TransactionCommand
from sigv4_dataapi._server.backends.base import EngineError, Param, StatementResult, Value

__all__ = [
    "PostgresBackend",
    "PostgresSession",
    "UnsupportedResultError",
    "open_backend",
    "rewrite_placeholders",
]

# Session settings every connection starts with; RESET/DISCARD return to them.
_SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres"
_CONNECT_TIMEOUT = 10  # seconds; a dead server must not hang a request forever
_SYNTAX_ERROR = b"42601"


def open_backend(url: str) -> PostgresBackend:
    """The backend for a ``postgresql://user:pw@host:port/db`` URL."""
    return PostgresBackend(url)


class PostgresBackend:
    """Connections to one PostgreSQL server from a ``postgresql://`` URL.

    The URL names the default user and database; ``session(database, user)``
    overrides either (the secret's user, the request's ``database``), keeping
    the URL's password, host, port and query options. The backend is also its
    sessions' ``SessionHost``.
    """

    engine = "postgresql"

    def __init__(self, url: str, *, include_detail: bool = False, pool_size: int = 8) -> None:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ConfigurationError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
        self._psycopg = import_driver("psycopg", feature="the PostgreSQL backend", extra="postgres")
        self._conninfo = urlunsplit(parts._replace(scheme="postgresql"))
        self._default_user = unquote(parts.username) if parts.username else None
        self._default_db = unquote(parts.path.lstrip("/")) or None
        self._where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        self.include_detail = include_detail
        self.types = TypeRegistry(self._psycopg)
        self._pool: ConnectionPool[Any] = ConnectionPool(
            pool_size, reset=self._reset, discard=close_quietly
        )

    def __repr__(self) -> str:  # never the URL: it may carry a password
        return f"<PostgresBackend {self._where}>"

    def session(self, database: str | None, user: str | None) -> PostgresSession:
        key = (database or self._default_db or "", user or self._default_user or "")
        conn = self._pool.take(key)
        if conn is None:
            conn = self._connect(database, user)
        return PostgresSession(self, conn, key)

    def close(self) -> None:
        self._pool.close()

    # -- SessionHost ------------------------------------------------------

    def transaction(self, conn: Any, command: TransactionCommand) -> None:
        conn.execute(command)

    def interrupt(self, conn: Any, user: str) -> None:
        conn.cancel()  # libpq's cancel request: its own socket, no session needed

    def translate(self, exc: BaseException, conn: Any) -> EngineError | None:
        if isinstance(exc, self._psycopg.Error):
            return database_error(exc, self._psycopg, detail=self.include_detail)
        return None

    def release(self, key: PoolKey, conn: Any) -> None:
        self._pool.give(key, conn)

    # -- internals --------------------------------------------------------

    def _connect(self, database: str | None, user: str | None) -> Any:
        overrides: dict[str, Any] = {}
        if database:
            overrides["dbname"] = database
        if user:
            overrides["user"] = user
        try:
            return self._psycopg.connect(
                self._conninfo,
                autocommit=True,
                prepare_threshold=None,
                context=self.types.adapters,
                options=_SESSION_OPTIONS,
                connect_timeout=_CONNECT_TIMEOUT,
                **overrides,
            )
        except self._psycopg.Error as exc:
            raise connection_error(exc) from None

    def _reset(self, conn: Any) -> bool:
        """Make a returned connection as good as new, or say it is not."""
        if conn.closed or conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            return False
        try:
            conn.execute("DISCARD ALL")
        except self._psycopg.Error:
            return False
        return True


class PostgresSession(PooledSession):
    """One connection: statements and batches (transactions and cancel: PooledSession).

    The connection stays in psycopg's autocommit mode; ``begin`` sends an
    explicit ``BEGIN`` and ``commit``/``rollback`` end it.
    """

    def __init__(self, backend: PostgresBackend, conn: Any, key: PoolKey) -> None:
        super().__init__(backend, conn, key)
        self._types = backend.types

    @property
    def connection_id(self) -> int:
        """The server process id: ``dbConnectionId`` in StatementTimeoutException."""
        return int(self._conn.info.backend_pid)

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        try:
            bound = self._bind(sql, params)
        except MissingParameterError:
            self._check_syntax(sql)
            raise
        with self._running(), self._conn.cursor() as cur:
            cur.execute(bound.query, bound.args)
            return self._result(cur)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        """Run ``sql`` per set, all or nothing (pgjdbc sends a batch as one transaction).

        PostgreSQL fills no generated fields (F11): one empty list per set.
        """
        bound = [self._bind(sql, params) for params in param_sets]
        if not bound:
            return []
        query = bound[0].query
        with self._running(), self._all_or_nothing(), self._conn.cursor() as cur:
            if bound[0].args is None:
                for _ in bound:
                    cur.execute(query)
            else:
                cur.executemany(query, [statement.args for statement in bound])
        return [[] for _ in bound]

    def _bind(self, sql: str, params: Sequence[Param]) -> BoundStatement:
        return bind(
            sql,
            params,
            rewrite=rewrite_placeholders,
            convert=self._types.parameter,
            missing=missing_parameter_error,
        )

    def _check_syntax(self, sql: str) -> None:
        """PostgreSQL's syntax error, if the text it would get has one (F17b).

        The service hands PostgreSQL ``$n`` for every ``:name`` it reads, so
        ``a[1:2]`` fails with ``syntax error at or near "$1"`` even when no
        parameter ``2`` was sent; only a statement that parses lacks a value.
        """
        from psycopg import errors, pq  # loaded already: the backend imported psycopg

        with self._running():
            result = self._conn.pgconn.prepare(b"", numbered_postgres(sql).encode())
        sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE)
        if result.status == pq.ExecStatus.FATAL_ERROR and sqlstate == _SYNTAX_ERROR:
            error = errors.error_from_result(result, encoding=self._conn.info.encoding)
            raise self._host.translate(error, self._conn) or error from None

    def _result(self, cur: Any) -> StatementResult:
        if cur.description is None:
            return StatementResult(columns=None, rows_updated=max(cur.rowcount, 0))
        plan = ResultPlan.for_cursor(cur, self._conn, self._types)
        rows = [list(row) for row in cur.fetchall()]
        plan.check_rows(rows)
        return StatementResult(columns=plan.columns(self._conn), rows=rows)
