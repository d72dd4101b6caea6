"""The Backend/Session contract, the same test on every engine: SQLite, PostgreSQL, MariaDB.

Transactions are isolated until commit, a closed open transaction is rolled
back, and autocommit comes back after a commit. The server engines also share
what needs no server: the ``:name`` rewrite both dialects agree on, a repr
without the password, refusing the other engine's URL, naming the missing
extra. Engine specifics (types, errors, dialect-only placeholders, pools,
cancel) stay in ``test_backend_sqlite.py``, ``postgres/`` and ``mysql/``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from _backends import (
    MYSQL_TYPES,
    MYSQL_URL,
    PG_TYPES,
    PG_URL,
    dropped_table,
    one,
    server_backend,
)

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi._server.backends import mysql, open_backend, postgres
from sigv4_dataapi._server.backends.base import Param

# Backend.engine -> the DDL suffix that makes a transactional table
TABLE_OPTIONS = {"sqlite": "", "postgresql": "", "mysql": " ENGINE=InnoDB"}


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = str(request.param)
    if engine == "sqlite":
        opened: Any = open_backend(f"sqlite://{tmp_path_factory.mktemp('contract') / 'db'}")
    else:
        from sigv4_dataapi._server.backends.mysql import MySQLBackend
        from sigv4_dataapi._server.backends.postgres import PostgresBackend

        url = request.getfixturevalue(f"{engine}_url")
        kind = PostgresBackend if engine == "postgres" else MySQLBackend
        opened = server_backend(url, kind, engine)
    yield opened
    opened.close()


@pytest.fixture
def table(backend: Any) -> Iterator[str]:
    yield from dropped_table(backend, "contract")


def test_transactions_commit_and_roll_back(backend: Any, table: str) -> None:
    first, other = backend.session(None, None), backend.session(None, None)
    try:
        first.execute(f"CREATE TABLE {table} (id INT){TABLE_OPTIONS[backend.engine]}", [])
        first.begin()
        first.execute(f"INSERT INTO {table} VALUES (1)", [])
        assert one(other, f"SELECT count(*) FROM {table}") == 0  # not yet visible
        first.rollback()
        assert one(other, f"SELECT count(*) FROM {table}") == 0
        first.begin()
        first.execute_batch(f"INSERT INTO {table} VALUES (:i)", [[Param("i", 2)], [Param("i", 3)]])
        first.commit()
        assert one(other, f"SELECT count(*) FROM {table}") == 2
        first.execute(f"INSERT INTO {table} VALUES (4)", [])  # autocommit again
        assert one(other, f"SELECT count(*) FROM {table}") == 3
    finally:
        first.close()
        other.close()


def test_closing_an_open_transaction_rolls_it_back(backend: Any, table: str) -> None:
    session = backend.session(None, None)
    session.execute(f"CREATE TABLE {table} (id INT){TABLE_OPTIONS[backend.engine]}", [])
    session.begin()
    session.execute(f"INSERT INTO {table} VALUES (1)", [])
    session.close()
    check = backend.session(None, None)
    assert one(check, f"SELECT count(*) FROM {table}") == 0
    check.close()


def test_sqlite_file_path_is_what_the_url_names(tmp_path: Path) -> None:
    """``sqlite:///abs/path`` opens that file (the contract fixture relies on it)."""
    path = tmp_path / "named.sqlite3"
    opened = open_backend(f"sqlite://{path}")
    session = opened.session(None, None)
    session.execute("CREATE TABLE t (x INT)", [])
    session.close()
    opened.close()
    assert path.exists()


class ServerEngine(NamedTuple):
    """What the shared server-engine tests need to know of one engine."""

    backend: Callable[[str], Any]
    rewrite: Callable[[str], Any]
    url: str
    server: str  # its name in the skip reason
    schema: str  # the schema name in column metadata
    scheme: str  # of a URL with a password, for the repr test
    other_url: str  # the other engine's URL: refused
    driver: str  # the module the backend imports lazily
    extra: str  # the pip extra that installs it


SERVER_ENGINES = {
    "postgres": ServerEngine(
        backend=postgres.PostgresBackend,
        rewrite=postgres.rewrite_placeholders,
        url=PG_URL,
        server="PostgreSQL",
        schema="public",
        scheme="postgresql",
        other_url="mysql://root@127.0.0.1/test",
        driver="psycopg",
        extra="postgres",
    ),
    "mysql": ServerEngine(
        backend=mysql.MySQLBackend,
        rewrite=mysql.rewrite_placeholders,
        url=MYSQL_URL,
        server="MariaDB/MySQL",
        schema="",
        scheme="mysql",
        other_url="postgresql://postgres@127.0.0.1/test",
        driver="pymysql",
        extra="mysql",
    ),
}
per_server_engine = pytest.mark.parametrize("engine", sorted(SERVER_ENGINES))


@per_server_engine
@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT :a, :b", "SELECT %s, %s", ("a", "b")),
        ("SELECT :a + :a", "SELECT %s + %s", ("a", "a")),
        ("SELECT ':a', :b", "SELECT ':a', %s", ("b",)),
        ("SELECT 'it''s :a', :b", "SELECT 'it''s :a', %s", ("b",)),
        ("SELECT 1 -- :a\n, :b", "SELECT 1 -- :a\n, %s", ("b",)),
        ("SELECT 5 % 2, :b, '%'", "SELECT 5 %% 2, %s, '%%'", ("b",)),
        ("SELECT ':unterminated", "SELECT ':unterminated", ()),
    ],
)
def test_rewrite_placeholders_both_dialects_agree_on(
    engine: str, sql: str, text: str, names: tuple[str, ...]
) -> None:
    """Dialect-only cases are in ``postgres/test_pg_unit.py`` and ``mysql/test_my_unit.py``."""
    rewritten = SERVER_ENGINES[engine].rewrite(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


@per_server_engine
def test_repr_hides_the_password(engine: str) -> None:
    spec = SERVER_ENGINES[engine]
    backend = spec.backend(f"{spec.scheme}://u:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret" not in repr(backend)
    backend.close()


@per_server_engine
def test_other_schemes_are_refused(engine: str) -> None:
    with pytest.raises(ConfigurationError):
        SERVER_ENGINES[engine].backend(SERVER_ENGINES[engine].other_url)


@per_server_engine
def test_missing_driver_names_the_extra(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = SERVER_ENGINES[engine]
    monkeypatch.setitem(sys.modules, spec.driver, None)
    with pytest.raises(MissingDependencyError, match=rf"sigv4-dataapi\[{spec.extra}\]"):
        spec.backend(spec.url)


@pytest.fixture(scope="module")
def servers() -> Iterator[Callable[[str], Any]]:
    """Opens each server engine's backend once (skips, or fails on CI=true, when absent)."""
    opened: dict[str, Any] = {}

    def backend_of(engine: str) -> Any:
        if engine not in opened:
            spec = SERVER_ENGINES[engine]
            opened[engine] = server_backend(spec.url, spec.backend, spec.server)  # type: ignore[arg-type]
        return opened[engine]

    yield backend_of
    for backend in opened.values():
        backend.close()


@pytest.mark.parametrize(
    ("engine", "column", "param", "expected", "type_name", "jdbc"),
    [pytest.param("postgres", *case, marks=pytest.mark.postgres) for case in PG_TYPES]
    + [pytest.param("mysql", *case, marks=pytest.mark.mysql) for case in MYSQL_TYPES],
)
def test_every_type_round_trips(
    servers: Callable[[str], Any],
    engine: str,
    column: str,
    param: Param,
    expected: object,
    type_name: str,
    jdbc: int,
) -> None:
    """The tables are in ``_backends.py``; engine-only renderings stay in ``*_types.py``."""
    backend = servers(engine)
    names = dropped_table(backend, f"types_{engine}")
    table, session = next(names), backend.session(None, None)
    try:
        session.execute(f"CREATE TABLE {table} (v {column})", [])
        inserted = session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [param])
        assert (inserted.columns, inserted.rows_updated, inserted.generated) == (None, 1, [])
        result = session.execute(f"SELECT v FROM {table}", [])
        assert result.rows == [[expected]]
        assert result.columns is not None
        (meta,) = result.columns
        assert (meta.type_name, meta.type, meta.table_name, meta.schema_name, meta.nullable) == (
            type_name, jdbc, table, SERVER_ENGINES[engine].schema, 1)  # fmt: skip
        session.execute(f"DELETE FROM {table}", [])
        session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [Param("v", None)])
        assert session.execute(f"SELECT v FROM {table}", []).rows == [[None]]
    finally:
        session.close()
        next(names, None)  # drops the table
