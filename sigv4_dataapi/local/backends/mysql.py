"""MariaDB/MySQL backend (PyMySQL): the engine behind Aurora MySQL's Data API.

The service runs statements through MySQL Connector/J, so this module copies
Connector/J's view of the engine: ``:name`` placeholders become positional
parameters (PyMySQL interpolates them client side, as Connector/J does by
default), affected-row counts are *found* rows (Connector/J's default
``useAffectedRows=false``), the last insert id fills ``generatedFields``, and
column metadata carries Connector/J's upper-case type names and JDBC codes.
Temporal values come back as the server's text with the fraction's trailing
zeros trimmed; sessions run with ``time_zone = '+00:00'``.

PyMySQL drops the SQLSTATE of an error packet, so after a server error the
session asks ``GET DIAGNOSTICS`` for it (one round trip, on errors only).
Connections are pooled per (database, user) with the PostgreSQL backend's
``ConnectionPool``; a returned one gets ``COM_RESET_CONNECTION``.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi.local.backends.base import (
    Column,
    DatabaseError,
    Param,
    StatementResult,
    Value,
)
from sigv4_dataapi.local.backends.postgres import ConnectionPool, RewrittenSql

__all__ = ["MySQLBackend", "MySQLSession", "open_backend", "rewrite_placeholders"]

_TIME_ZONE_SQL = "SET time_zone = '+00:00'"
_CONNECT_TIMEOUT = 10  # seconds
_CLIENT_FOUND_ROWS = 2  # pymysql.constants.CLIENT.FOUND_ROWS
_COM_RESET_CONNECTION = 0x1F

# Tokens that can hide a ``:name`` in MySQL's lexical structure: '#' and '-- '
# comments, /* */ comments, '...' and "..." strings with backslash escapes,
# `quoted` identifiers; '%' must be doubled for PyMySQL's interpolation.
_MY_TOKEN = re.compile(
    r"""
      (?P<comment>(?:\#|--(?=\s|$))[^\n]*)
    | (?P<block>/\*.*?(?:\*/|\Z))
    | (?P<string>'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'?)
    | (?P<dstring>"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"?)
    | (?P<quoted>`[^`]*(?:``[^`]*)*`?)
    | (?P<param>:[^\W\d]\w*)
    | (?P<percent>%)
    """,
    re.VERBOSE | re.DOTALL,
)


@lru_cache(maxsize=512)
def rewrite_placeholders(sql: str) -> RewrittenSql:
    """Turn ``:name`` placeholders into PyMySQL's ``%s``, one per occurrence."""
    out: list[str] = []
    names: list[str] = []
    pos = 0
    while (match := _MY_TOKEN.search(sql, pos)) is not None:
        out.append(sql[pos : match.start()])
        pos = match.end()
        if match.lastgroup == "param":
            names.append(match.group()[1:])
            out.append("%s")
        else:
            out.append(match.group().replace("%", "%%"))
    out.append(sql[pos:])
    return RewrittenSql("".join(out), tuple(names))


def missing_parameter_error(index: int) -> DatabaseError:
    """Connector/J's client-side error for a placeholder with no value."""
    text = f"No value specified for parameter {index}"
    return _error(text, errno=0, sqlstate="07001")


def _error(text: str, *, errno: int, sqlstate: str) -> DatabaseError:
    """The v2 form (F12, unverified) and the v1 form of one MySQL error."""
    return DatabaseError(
        f"{text}; Error code: {errno}; SQLState: {sqlstate}",
        sqlstate=sqlstate,
        errno=errno,
        v1_message=f"Database error code: {errno}. Message: {text}",
    )


# Client-side (2xxx) and connection errors have no diagnostics area to ask.
_CLIENT_STATES = {
    1044: "42000", 1045: "28000", 1049: "42000", 2003: "08S01", 2006: "08S01", 2013: "08S01",
}  # fmt: skip


def trim_fraction(text: str) -> str:
    """``03:04:05.120000`` → ``03:04:05.12``; ``.000000`` goes entirely (as the service)."""
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def _import_pymysql() -> Any:
    try:
        import pymysql
    except ImportError as exc:
        raise MissingDependencyError("the MySQL backend", "mysql", "pymysql") from exc
    return pymysql


def _decoders(pymysql: Any) -> dict[Any, Any]:
    """PyMySQL's converters, with temporal types kept as the server's text."""
    from pymysql.constants import FIELD_TYPE

    conv: dict[Any, Any] = dict(pymysql.converters.conversions)  # encoders and decoders
    for code in (FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP, FIELD_TYPE.TIME):
        conv[code] = trim_fraction
    conv[FIELD_TYPE.DATE] = str
    conv[FIELD_TYPE.NEWDATE] = str
    return conv


def open_backend(url: str) -> MySQLBackend:
    """The backend for a ``mysql://user:pw@host:port/db`` URL."""
    return MySQLBackend(url)


class MySQLBackend:
    """Connections to one MariaDB/MySQL server from a ``mysql://`` URL."""

    engine = "mysql"

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("mysql", "mariadb"):
            raise ConfigurationError(f"not a MySQL URL (scheme {parts.scheme!r})")
        self._pymysql = _import_pymysql()
        self._host = parts.hostname or "localhost"
        self._port = parts.port or 3306
        self._user = unquote(parts.username) if parts.username else "root"
        self._password = unquote(parts.password) if parts.password else ""
        self._database = unquote(parts.path.lstrip("/")) or None
        self._decoders = _decoders(self._pymysql)
        self._pool: ConnectionPool[Any] = ConnectionPool(
            pool_size, reset=self._reset, discard=_close_quietly
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

    def _kill_query(self, thread_id: int, user: str) -> None:
        """``KILL QUERY`` through a second connection: the only way to cancel.

        It connects as the session's own user, who may always kill its own threads.
        """
        conn = self._connect(None, user)
        try:
            conn.cursor().execute(f"KILL QUERY {int(thread_id)}")
        finally:
            _close_quietly(conn)

    def _release(self, key: tuple[str, str], conn: Any) -> None:
        self._pool.give(key, conn)

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


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):  # closing a broken socket may fail
        conn.close()


def mysql_error(exc: Exception, conn: Any) -> DatabaseError:
    """A DatabaseError for a PyMySQL error, with the server's SQLSTATE when it has one."""
    args = exc.args
    errno = args[0] if args and isinstance(args[0], int) else 0
    text = str(args[1]) if len(args) > 1 else str(exc)
    sqlstate = _CLIENT_STATES.get(errno)
    if sqlstate is None and _is_server_errno(errno):
        sqlstate = _diagnostics_sqlstate(conn)
    return _error(text, errno=errno, sqlstate=sqlstate or "HY000")


def _is_server_errno(errno: int) -> bool:
    """Server errors (1xxx, 3xxx+) fill the diagnostics area; client ones (0, 2xxx) do not."""
    return 1000 <= errno < 2000 or errno >= 3000


def _diagnostics_sqlstate(conn: Any) -> str | None:
    if conn is None:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("GET DIAGNOSTICS CONDITION 1 @sigv4_dataapi_state = RETURNED_SQLSTATE")
            cur.execute("SELECT @sigv4_dataapi_state")
            row = cur.fetchone()
    except Exception:  # the connection may be gone; fall back
        return None
    return str(row[0]) if row and row[0] else None


class MySQLSession:
    """One connection: statements, batches, a transaction, cancellation."""

    def __init__(self, backend: MySQLBackend, conn: Any, key: tuple[str, str]) -> None:
        self._backend = backend
        self._conn = conn
        self._key = key
        self._lock = threading.Lock()
        self._busy = False
        self._in_transaction = False
        self._closed = False

    @property
    def connection_id(self) -> int:
        """The server thread id: ``dbConnectionId`` in StatementTimeoutException."""
        return int(self._conn.thread_id())

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        query, args = _bind(sql, params)
        with self._guard(), self._conn.cursor() as cur:
            cur.execute(query, args)
            return _result(cur)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        """Run ``sql`` per set, all or nothing; each set's last insert id.

        Outside a transaction the batch gets its own, so a failing set leaves
        no half-applied batch behind (a retry then cannot duplicate rows).
        """
        bound = [_bind(sql, params) for params in param_sets]
        generated: list[list[Value]] = []
        with self._guard(), self._atomic(), self._conn.cursor() as cur:
            for query, args in bound:
                cur.execute(query, args)
                generated.append([cur.lastrowid] if cur.lastrowid else [])
        return generated

    def begin(self) -> None:
        with self._guard():
            self._conn.begin()
        self._in_transaction = True

    def commit(self) -> None:
        self._end(self._conn.commit)

    def rollback(self) -> None:
        self._end(self._conn.rollback)

    def cancel(self) -> None:
        """Kill the running statement from another thread; no-op when idle.

        Never raises: if the kill cannot be delivered the statement runs on, and
        the caller's timeout handling goes ahead anyway.
        """
        with self._lock, contextlib.suppress(Exception):
            if self._busy:
                self._backend._kill_query(self._conn.thread_id(), self._key[1])

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._in_transaction:
            _close_quietly(self._conn)  # the open transaction rolls back on the server
            return
        self._backend._release(self._key, self._conn)

    def _end(self, finish: Callable[[], None]) -> None:
        try:
            with self._guard():
                finish()
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

    def __init__(self, session: MySQLSession) -> None:
        self._session = session

    def __enter__(self) -> None:
        with self._session._lock:
            self._session._busy = True

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        with self._session._lock:
            self._session._busy = False
        pymysql = self._session._backend._pymysql
        if isinstance(exc, pymysql.MySQLError):
            raise mysql_error(exc, self._session._conn) from None


class _Atomic:
    """BEGIN … COMMIT around a batch, ROLLBACK when any set fails."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.begin()

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self._conn.commit()
        else:
            with contextlib.suppress(Exception):
                self._conn.rollback()


def _bind(sql: str, params: Sequence[Param]) -> tuple[str, list[Any] | None]:
    rewritten = rewrite_placeholders(sql)
    if not rewritten.names:
        return sql, None  # unchanged: PyMySQL interpolates only when given args
    given = {param.name: param for param in params}
    args: list[Any] = []
    for index, name in enumerate(rewritten.names, start=1):
        param = given.get(name)
        if param is None:
            raise missing_parameter_error(index)
        args.append(_parameter(param))
    return rewritten.text, args


def _parameter(param: Param) -> Any:
    """DECIMAL-hinted text binds as an exact number; other hints as the text itself.

    MySQL converts a quoted date/time/JSON/UUID string to the column's type on
    its own, which is what Connector/J's string parameters rely on as well.
    """
    value = param.value
    if param.type_hint == "DECIMAL" and isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value


def _result(cur: Any) -> StatementResult:
    if cur.description is None:
        generated: list[Value] = [cur.lastrowid] if cur.lastrowid else []
        return StatementResult(columns=None, rows_updated=max(cur.rowcount, 0), generated=generated)
    fields = cur._result.fields  # PyMySQL keeps the full descriptors only here
    rows = [list(row) for row in cur.fetchall()]
    bits = [i for i, f in enumerate(fields) if f.type_code == _BIT and f.length == 1]
    for row in rows:
        for index in bits:
            if isinstance(row[index], bytes):
                row[index] = row[index] != b"\x00"
    return StatementResult(columns=[_column(f) for f in fields], rows=rows)


# MySQL field types (pymysql.constants.FIELD_TYPE) → Connector/J name and JDBC code.
# YEAR reads as a number, so it is SMALLINT (Connector/J's yearIsDateType=false view).
_BIT = 16
_BINARY_CHARSET = 63
_NOT_NULL, _UNSIGNED, _AUTO_INCREMENT, _ENUM, _SET = 1, 32, 512, 256, 2048
_TYPES = {
    0: ("DECIMAL", 3), 246: ("DECIMAL", 3), 1: ("TINYINT", -6), 2: ("SMALLINT", 5),
    9: ("MEDIUMINT", 4), 3: ("INT", 4), 8: ("BIGINT", -5), 4: ("FLOAT", 7),
    5: ("DOUBLE", 8), 6: ("NULL", 0), 7: ("TIMESTAMP", 93), 12: ("DATETIME", 93),
    10: ("DATE", 91), 14: ("DATE", 91), 11: ("TIME", 92), 13: ("YEAR", 5),
    16: ("BIT", -7), 245: ("JSON", -1), 247: ("ENUM", 1), 248: ("SET", 1),
    255: ("GEOMETRY", -2),
}  # fmt: skip
_NUMERIC = frozenset({0, 246, 1, 2, 9, 3, 8, 4, 5})
_BLOBS = frozenset({249, 250, 251, 252})
_MAX_BYTES_PER_CHAR = {"utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "ucs2": 2, "utf16": 4, "utf32": 4}


def _type_of(field: Any) -> tuple[str, int]:
    code, binary = field.type_code, field.charsetnr == _BINARY_CHARSET
    if field.flags & _ENUM:
        return "ENUM", 1
    if field.flags & _SET:
        return "SET", 1
    if code in _BLOBS:
        length = field.length if binary else field.length // _charset(field)[0]
        return _blob_name(length, binary), (-4 if binary else -1)
    if code in (15, 253):
        return ("VARBINARY", -3) if binary else ("VARCHAR", 12)
    if code == 254:
        return ("BINARY", -2) if binary else ("CHAR", 1)
    name, jdbc = _TYPES.get(code, ("UNKNOWN", 1111))
    if code in _NUMERIC and field.flags & _UNSIGNED:
        name += " UNSIGNED"
    return name, jdbc


def _blob_name(length: int, binary: bool) -> str:
    size = "TINY" if length <= 255 else "" if length <= 65535 else (
        "MEDIUM" if length <= 16777215 else "LONG")  # fmt: skip
    return size + ("BLOB" if binary else "TEXT")


def _charset(field: Any) -> tuple[int, bool]:
    """Bytes per character and case sensitivity of a field's collation.

    The server reports the *result* collation (the connection's), not the
    column's, so a ``_bin`` column still reads as case-insensitive: Connector/J
    sees the same.
    """
    if field.charsetnr == _BINARY_CHARSET:
        return 1, True
    from pymysql.charset import charset_by_id

    try:
        charset = charset_by_id(field.charsetnr)
    except KeyError:  # a collation PyMySQL does not list (MariaDB's uca1400_*)
        return 4, False
    per_char = _MAX_BYTES_PER_CHAR.get(charset.name, 1)
    return per_char, not charset.collation.endswith("_ci")


def _column(field: Any) -> Column:
    type_name, jdbc = _type_of(field)
    numeric = field.type_code in _NUMERIC
    per_char, case_sensitive = (1, False) if numeric else _charset(field)
    precision, scale = field.length, field.scale
    if field.type_code in (0, 246):
        precision -= (0 if field.flags & _UNSIGNED else 1) + (1 if scale else 0)
    elif jdbc in (1, 12, -1) and per_char > 1:
        precision //= per_char
    return Column(
        name=field.org_name or field.name,
        label=field.name,
        type=jdbc,
        type_name=type_name,
        precision=precision,
        scale=scale if scale < 31 else 0,  # 31/39: "not fixed" float decimals
        nullable=0 if field.flags & _NOT_NULL else 1,
        is_signed=numeric and not field.flags & _UNSIGNED,
        is_auto_increment=bool(field.flags & _AUTO_INCREMENT),
        is_case_sensitive=case_sensitive and jdbc not in (91, 92, 93),
        is_currency=False,
        schema_name="",  # Connector/J reports the database as catalog, not schema
        table_name=field.org_table or field.table_name,
        array_base_column_type=0,
    )
