"""PostgreSQL backend (psycopg 3): the engine behind Aurora PostgreSQL's Data API.

The service runs statements through pgjdbc, so this module copies pgjdbc's
view of the engine: ``:name`` placeholders become positional parameters,
plain strings are bound as ``varchar`` (which is why the service needs type
hints for uuid/json/date columns), integers as ``int8``, and hinted strings
with the hinted type's OID so that PostgreSQL itself parses and checks them.
Results come back as the text the service would send: timestamps in UTC
without an offset, uuid/json/dates as strings, 1-D arrays as lists. Column
metadata uses pgjdbc's JDBC type codes and precisions.

A session is one pooled connection set to ``TimeZone=UTC`` and ``DateStyle=ISO``
(the service renders timestamptz in UTC); each statement commits on its own
except between ``begin`` and ``commit``/``rollback``.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi.local.backends import base
from sigv4_dataapi.local.backends.base import (
    Column,
    DatabaseError,
    Param,
    StatementResult,
    Value,
)

__all__ = [
    "ConnectionPool",
    "PostgresBackend",
    "PostgresSession",
    "UnsupportedResultError",
    "open_backend",
    "rewrite_placeholders",
]

C = TypeVar("C")

# Session settings every connection starts with; RESET/DISCARD return to them.
_SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres"
_CONNECT_TIMEOUT = 10  # seconds; a dead server must not hang a request forever

# One token of PostgreSQL's lexical structure that can hide a ``:name``
# (strings, quoted identifiers, comments, dollar quotes, ``::`` casts) or that
# must be escaped for psycopg (``%``). Unterminated quotes run to the end so the
# server, not this scanner, reports them.
_PG_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*)
    | (?P<block>/\*)
    | (?P<estring>(?<![\w$])[eE]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'?)
    | (?P<ident>[^\W\d][\w$]*)
    | (?P<string>'[^']*(?:''[^']*)*'?)
    | (?P<quoted>"[^"]*(?:""[^"]*)*"?)
    | (?P<dollar>\$(?:[^\W\d]\w*)?\$)
    | (?P<cast>::)
    | (?P<param>:[^\W\d]\w*)
    | (?P<percent>%)
    """,
    re.VERBOSE | re.DOTALL,
)
_BLOCK_EDGE = re.compile(r"/\*|\*/")


class RewrittenSql:
    """``sql`` with ``:name`` replaced by ``%s``; ``names`` in placeholder order."""

    __slots__ = ("names", "text")

    def __init__(self, text: str, names: tuple[str, ...]) -> None:
        self.text = text
        self.names = names


@lru_cache(maxsize=512)
def rewrite_placeholders(sql: str) -> RewrittenSql:
    """Turn the Data API's ``:name`` placeholders into psycopg's ``%s``.

    Like the service (Spring-style named parameters before pgjdbc), each
    occurrence is its own positional parameter, so ``:a ... :a`` binds twice.
    """
    out: list[str] = []
    names: list[str] = []
    pos = 0
    while (match := _PG_TOKEN.search(sql, pos)) is not None:
        out.append(sql[pos : match.start()])
        kind, token, pos = match.lastgroup, match.group(), match.end()
        if kind == "param":
            names.append(token[1:])
            out.append("%s")
            continue
        if kind == "block":
            pos = _block_comment_end(sql, match.start())
        elif kind == "dollar":
            close = sql.find(token, pos)
            pos = len(sql) if close < 0 else close + len(token)
        out.append(sql[match.start() : pos].replace("%", "%%"))
    out.append(sql[pos:])
    return RewrittenSql("".join(out), tuple(names))


def _block_comment_end(sql: str, start: int) -> int:
    """End of the (nestable, in PostgreSQL) comment opening at ``start``."""
    depth, pos = 0, start
    for edge in _BLOCK_EDGE.finditer(sql, start):
        depth += 1 if edge.group() == "/*" else -1
        pos = edge.end()
        if depth == 0:
            return pos
    return len(sql)


def missing_parameter_error(index: int) -> DatabaseError:
    """pgjdbc's error for a placeholder with no value (client side, no ``ERROR:``)."""
    text = f"No value specified for parameter {index}."
    return DatabaseError(f"{text}; SQLState: 22023", sqlstate="22023", v1_message=text)


def database_error(exc: Exception, *, detail: bool = False) -> DatabaseError:
    """Flatten a psycopg error the way the service does (F12).

    v2: ``ERROR: msg; [Detail: ..;] [Hint: ..;] [Position: N;] SQLState: X``.
    The service builds this from pgjdbc's ServerErrorMessage with server detail
    logging off (the recorded not-null message carries no Detail), hence
    ``detail=False``. v1 is pgjdbc's multi-line ``toString``.
    """
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    sqlstate = getattr(exc, "sqlstate", None)
    if diag is None or primary is None:
        return _client_error(exc)
    severity = diag.severity_nonlocalized or diag.severity or "ERROR"
    parts = [f"{severity}: {primary}"]
    extras = [("Detail", diag.message_detail), ("Hint", diag.message_hint)]
    extras.append(("Position", diag.statement_position))
    shown = [(k, v) for k, v in extras if v and (detail or k != "Detail")]
    v2 = "; ".join(parts + [f"{k}: {v}" for k, v in shown] + [f"SQLState: {sqlstate}"])
    v1 = "\n  ".join(parts + [f"{k}: {v}" for k, v in extras if v])
    return DatabaseError(v2, sqlstate=sqlstate, v1_message=v1)


def _client_error(exc: Exception) -> DatabaseError:
    """An error psycopg raised itself (bad value, lost connection): no server fields."""
    psycopg = _import_psycopg()
    if isinstance(exc, psycopg.OperationalError):
        return _connection_error(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sqlstate = "22000" if isinstance(exc, psycopg.DataError) else "XX000"
    return DatabaseError(
        f"ERROR: {text}; SQLState: {sqlstate}", sqlstate=sqlstate, v1_message=f"ERROR: {text}"
    )


# FATAL texts libpq reports for a failed connection (no diag fields are set).
_CONNECT_STATES = (
    (re.compile(r'database ".*" does not exist'), "3D000"),
    (re.compile(r'role ".*" does not exist'), "28000"),
    (re.compile(r"authentication failed"), "28P01"),
    (re.compile(r"no pg_hba.conf entry"), "28000"),
)


def _connection_error(exc: Exception) -> DatabaseError:
    """A connection that could not be made or was lost (08xxx, or the FATAL's state)."""
    text = str(exc).strip()
    fatal = re.search(r"FATAL:\s+(.*)", text)
    message = fatal.group(1).strip() if fatal else text.splitlines()[0] if text else ""
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate is None:
        found = (state for pattern, state in _CONNECT_STATES if pattern.search(message))
        sqlstate = next(found, "08001" if not fatal else "08004")
    severity = "FATAL" if fatal else "ERROR"
    return DatabaseError(
        f"{severity}: {message}; SQLState: {sqlstate}",
        sqlstate=sqlstate,
        v1_message=f"{severity}: {message}",
    )


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise MissingDependencyError("the PostgreSQL backend", "postgres", "psycopg") from exc
    return psycopg


def open_backend(url: str) -> PostgresBackend:
    """The backend for a ``postgresql://user:pw@host:port/db`` URL."""
    return PostgresBackend(url)


class PostgresBackend:
    """Connections to one PostgreSQL server from a ``postgresql://`` URL.

    The URL names the default user and database; ``session(database, user)``
    overrides either (the secret's user, the request's ``database``), keeping
    the URL's password, host, port and query options.
    """

    engine = "postgresql"

    def __init__(self, url: str, *, include_detail: bool = False, pool_size: int = 8) -> None:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ConfigurationError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
        self._psycopg = _import_psycopg()
        self._conninfo = urlunsplit(parts._replace(scheme="postgresql"))
        self._default_user = unquote(parts.username) if parts.username else None
        self._default_db = unquote(parts.path.lstrip("/")) or None
        self._where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        self.include_detail = include_detail
        self.types = TypeRegistry(self._psycopg)
        self._pool: ConnectionPool[Any] = ConnectionPool(
            pool_size, reset=self._reset, discard=_close_quietly
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
            raise _connection_error(exc) from None

    def _release(self, key: tuple[str, str], conn: Any) -> None:
        self._pool.give(key, conn)

    def _reset(self, conn: Any) -> bool:
        """Make a returned connection as good as new, or say it is not."""
        if conn.closed or conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
            return False
        try:
            conn.execute("DISCARD ALL")
        except self._psycopg.Error:
            return False
        return True


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):  # closing a broken socket may fail; nothing to do
        conn.close()


class PostgresSession:
    """One connection: statements, batches, a transaction, cancellation.

    The connection stays in psycopg's autocommit mode; ``begin`` sends an
    explicit ``BEGIN`` and ``commit``/``rollback`` end it, so every statement
    outside a transaction commits on its own.
    """

    def __init__(self, backend: PostgresBackend, conn: Any, key: tuple[str, str]) -> None:
        self._backend = backend
        self._conn = conn
        self._key = key
        self._psycopg = backend._psycopg
        self._lock = threading.Lock()  # a cancel must never reach the connection's next user
        self._busy = False
        self._in_transaction = False
        self._closed = False

    @property
    def connection_id(self) -> int:
        """The server process id: ``dbConnectionId`` in StatementTimeoutException."""
        return int(self._conn.info.backend_pid)

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        query, args = self._bind(sql, params)
        with self._guard(), self._conn.cursor() as cur:
            cur.execute(query, args)
            return self._result(cur)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        """Run ``sql`` per set, all or nothing (pgjdbc sends a batch as one transaction).

        PostgreSQL fills no generated fields (F11): one empty list per set.
        """
        bound = [self._bind(sql, params) for params in param_sets]
        if not bound:
            return []
        query, first = bound[0]
        with self._guard(), self._atomic(), self._conn.cursor() as cur:
            if first is None:
                for _ in bound:
                    cur.execute(query)
            else:
                cur.executemany(query, [args for _, args in bound])
        return [[] for _ in bound]

    def begin(self) -> None:
        with self._guard():
            self._conn.execute("BEGIN")
        self._in_transaction = True

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        self._end("ROLLBACK")

    def cancel(self) -> None:
        """Ask the server to cancel the running statement (thread-safe; idle: no-op).

        Never raises: if the request cannot be delivered the statement runs on,
        and the caller's timeout handling goes ahead anyway.
        """
        with self._lock, contextlib.suppress(Exception):
            if self._busy:
                self._conn.cancel()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._in_transaction:
            _close_quietly(self._conn)  # an open transaction dies with its connection
            return
        self._backend._release(self._key, self._conn)

    # -- internals --------------------------------------------------------

    def _bind(self, sql: str, params: Sequence[Param]) -> tuple[str, list[Any] | None]:
        rewritten = rewrite_placeholders(sql)
        if not rewritten.names:
            return sql, None  # unchanged SQL, psycopg does not look at '%'
        given = {param.name: param for param in params}
        args: list[Any] = []
        for index, name in enumerate(rewritten.names, start=1):
            param = given.get(name)
            if param is None:
                raise missing_parameter_error(index)
            args.append(self._backend.types.parameter(param))
        return rewritten.text, args

    def _result(self, cur: Any) -> StatementResult:
        if cur.description is None:
            return StatementResult(columns=None, rows_updated=max(cur.rowcount, 0))
        plan = self._backend.types.plan(cur, self._conn)
        rows = [list(row) for row in cur.fetchall()]
        plan.check_rows(rows)
        return StatementResult(columns=plan.columns(self._conn), rows=rows)

    def _end(self, command: str) -> None:
        try:
            with self._guard():
                self._conn.execute(command)
        finally:
            self._in_transaction = False

    def _guard(self) -> _Guard:
        return _Guard(self)

    def _atomic(self) -> contextlib.AbstractContextManager[None]:
        if self._in_transaction:
            return contextlib.nullcontext()
        return _Atomic(self._conn)


class _Guard:
    """Marks the session busy (for ``cancel``) and translates driver errors."""

    def __init__(self, session: PostgresSession) -> None:
        self._session = session

    def __enter__(self) -> None:
        with self._session._lock:
            self._session._busy = True

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        with self._session._lock:
            self._session._busy = False
        if isinstance(exc, self._session._psycopg.Error):
            backend = self._session._backend
            raise database_error(exc, detail=backend.include_detail) from None


class _Atomic:
    """BEGIN … COMMIT around a batch, ROLLBACK when any set fails."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN")

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self._conn.execute("COMMIT")
        else:
            with contextlib.suppress(Exception):
                self._conn.execute("ROLLBACK")


class UnsupportedResultError(base.UnsupportedResultError):
    """A result column has a type the service cannot put in a Field (F9).

    ``ops`` answers ``UnsupportedResultException`` with the service's text;
    ``type_name`` says which engine type it was.
    """

    def __init__(self, type_name: str) -> None:
        text = f"The result contains the unsupported data type {type_name}."
        super().__init__(text, sqlstate="0A000", v1_message=text)
        self.type_name = type_name


# pgjdbc's JDBC type code per supported PostgreSQL type (TypeInfoCache).
_JDBC_CODES = {
    "bool": -7, "int2": 5, "int4": 4, "int8": -5, "oid": -5,
    "float4": 7, "float8": 8, "numeric": 2,
    "bpchar": 1, "varchar": 12, "text": 12, "name": 12, "bytea": -2,
    "date": 91, "time": 92, "timetz": 92, "timestamp": 93, "timestamptz": 93,
    "interval": 1111, "uuid": 1111, "json": 1111, "jsonb": 1111, "xml": 2009,
    "inet": 1111, "cidr": 1111, "macaddr": 1111, "macaddr8": 1111,
    "bit": -7, "varbit": 1111,
}  # fmt: skip
_ARRAY = 2003
_OTHER = 1111
_NO_ARRAYS = frozenset({"uuid", "bytea"})  # F9: no UUID arrays; ArrayValue has no blobs
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
_TEXT_LOADED = (
    "uuid", "json", "jsonb", "date", "time", "timetz", "timestamp", "interval",
    "inet", "cidr", "macaddr", "macaddr8", "xml", "varbit",
)  # fmt: skip
_HINT_TYPES = {
    "JSON": "json", "UUID": "uuid", "TIMESTAMP": "timestamp",
    "DATE": "date", "TIME": "time", "DECIMAL": "numeric",
}  # fmt: skip
_TABLE_COLUMNS_SQL = (
    "SELECT a.attrelid::int8, a.attnum::int8, n.nspname, c.relname, a.attnotnull,"
    " (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%',"
    " false)) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE a.attrelid = ANY(%s::oid[]) AND a.attnum > 0"
)


class PgType:
    """What this backend knows about one result type OID."""

    __slots__ = ("element", "jdbc", "name", "supported")

    def __init__(
        self, name: str, jdbc: int, *, element: PgType | None = None, supported: bool = True
    ) -> None:
        self.name = name
        self.jdbc = jdbc
        self.element = element
        self.supported = supported


class _TableColumn:
    __slots__ = ("auto_increment", "not_null", "schema", "table")

    def __init__(self, schema: str, table: str, not_null: bool, auto_increment: bool) -> None:
        self.schema = schema
        self.table = table
        self.not_null = not_null
        self.auto_increment = auto_increment


class TypeRegistry:
    """OID → PgType, the parameter dumpers and the result loaders (per backend)."""

    def __init__(self, psycopg: Any) -> None:
        self._psycopg = psycopg
        self.by_oid: dict[int, PgType] = {}
        for name, jdbc in _JDBC_CODES.items():
            info = psycopg.postgres.types.get(name)
            scalar = PgType(name, jdbc)
            self.by_oid[info.oid] = scalar
            self.by_oid[info.array_oid] = PgType(
                "_" + name, _ARRAY, element=scalar, supported=name not in _NO_ARRAYS
            )
        self._lock = threading.Lock()
        self.adapters, self._hinted = _build_adapters(psycopg)

    def parameter(self, param: Param) -> Any:
        """The Python value to bind; a hinted string carries its PostgreSQL type."""
        value = param.value
        if isinstance(value, str) and param.type_hint in self._hinted:
            return self._hinted[param.type_hint](value)
        return value

    def lookup(self, oid: int, conn: Any) -> PgType:
        """A type by OID; user types (enums) are read from ``pg_type`` once."""
        found = self.by_oid.get(oid)
        if found is not None:
            return found
        row = conn.execute("SELECT typname, typtype FROM pg_type WHERE oid = %s", [oid])
        name, typtype = row.fetchone() or (str(oid), "")
        found = PgType(name, _OTHER, supported=typtype == "e")  # enums read as text
        with self._lock:
            self.by_oid[oid] = found
        return found

    def plan(self, cur: Any, conn: Any) -> ResultPlan:
        result = cur.pgresult
        fields = []
        for index, column in enumerate(cur.description):
            pg_type = self.lookup(result.ftype(index), conn)
            if not pg_type.supported:
                raise UnsupportedResultError(pg_type.name)
            fields.append(
                _Field(column.name, pg_type, result.fmod(index),
                       result.ftable(index), result.ftablecol(index))
            )  # fmt: skip
        return ResultPlan(fields)


class _Field:
    __slots__ = ("attnum", "modifier", "name", "table_oid", "type")

    def __init__(self, name: str, pg_type: PgType, modifier: int, table: int, attnum: int) -> None:
        self.name = name
        self.type = pg_type
        self.modifier = modifier
        self.table_oid = table
        self.attnum = attnum


class ResultPlan:
    """The columns of one result set: row checks and ColumnMetadata."""

    def __init__(self, fields: list[_Field]) -> None:
        self.fields = fields
        self._arrays = [i for i, f in enumerate(fields) if f.type.element is not None]

    def check_rows(self, rows: list[list[Value]]) -> None:
        """Multi-dimensional arrays have no Field form on v2 (F9)."""
        for index in self._arrays:
            for row in rows:
                value = row[index]
                if isinstance(value, list) and any(isinstance(v, list) for v in value):
                    raise UnsupportedResultError(self.fields[index].type.name)

    def columns(self, conn: Any) -> list[Column]:
        tables = _table_columns(conn, {f.table_oid for f in self.fields if f.table_oid})
        return [_column(f, tables.get((f.table_oid, f.attnum))) for f in self.fields]


def _table_columns(conn: Any, oids: set[int]) -> dict[tuple[int, int], _TableColumn]:
    if not oids:
        return {}
    with conn.cursor() as cur:
        cur.execute(_TABLE_COLUMNS_SQL, [sorted(oids)])
        return {(row[0], row[1]): _TableColumn(*row[2:]) for row in cur.fetchall()}


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


def _build_adapters(psycopg: Any) -> tuple[Any, dict[str, type[str]]]:
    """The dumpers and loaders that make psycopg talk like pgjdbc talks to the service.

    Dumpers: ``str`` as varchar (pgjdbc ``setString``), ``int`` as int8
    (``setLong``), and one ``str`` subclass per type hint whose OID makes the
    server parse the text as that type. Loaders: text for the types the service
    sends as ``stringValue``; timestamptz (session in UTC) without its offset;
    ``bit(1)`` as a boolean.
    """
    from psycopg.adapt import AdaptersMap, Loader
    from psycopg.types.numeric import Int8Dumper
    from psycopg.types.string import StrDumper, TextLoader

    class UtcTimestampLoader(Loader):
        def load(self, data: Any) -> str:
            return bytes(data).decode().replace("+00", "")

    class BitLoader(Loader):
        def load(self, data: Any) -> bool | str:
            text = bytes(data).decode()
            return text == "1" if len(text) == 1 else text

    def text_dumper(name: str, type_name: str) -> type:
        oid = psycopg.postgres.types.get(type_name).oid
        return type(f"{name}Dumper", (StrDumper,), {"oid": oid})

    adapters = AdaptersMap(psycopg.adapters)
    adapters.register_dumper(str, text_dumper("Varchar", "varchar"))
    adapters.register_dumper(int, Int8Dumper)
    hinted: dict[str, type[str]] = {}
    for hint, type_name in _HINT_TYPES.items():
        wrapper = type(f"Hinted{hint.title()}", (str,), {"__slots__": ()})
        adapters.register_dumper(wrapper, text_dumper(hint.title(), type_name))
        hinted[hint] = wrapper
    for type_name in _TEXT_LOADED:
        adapters.register_loader(type_name, TextLoader)
    adapters.register_loader("timestamptz", UtcTimestampLoader)
    adapters.register_loader("bit", BitLoader)
    return adapters, hinted


class ConnectionPool(Generic[C]):
    """Idle connections per (database, user), like the service's own pool.

    ``reset`` readies a returned connection (False: it is unusable) and
    ``discard`` closes one. Idle connections older than ``max_idle`` seconds
    are closed rather than reused, so a restarted server costs one error at most.
    """

    def __init__(
        self,
        size: int,
        *,
        reset: Callable[[C], bool],
        discard: Callable[[C], None],
        max_idle: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = size
        self._reset = reset
        self._discard = discard
        self._max_idle = max_idle
        self._clock = clock
        self._idle: dict[tuple[str, str], list[tuple[float, C]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, key: tuple[str, str]) -> C | None:
        stale: list[C] = []
        found: C | None = None
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and found is None:
                since, conn = idle.pop()
                if self._clock() - since > self._max_idle:
                    stale.append(conn)
                else:
                    found = conn
        for conn in stale:
            self._discard(conn)
        return found

    def give(self, key: tuple[str, str], conn: C) -> None:
        if not self._reset(conn):
            self._discard(conn)
            return
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not self._closed and len(idle) < self._size:
                idle.append((self._clock(), conn))
                return
        self._discard(conn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _, conn in conns:
                self._discard(conn)
