"""The Backend/Session contract, the same test on every engine: SQLite, PostgreSQL, MariaDB.

Transactions are isolated until commit, a closed open transaction is rolled
back, and autocommit comes back after a commit. Engine specifics (types,
errors, pools, cancel) stay in ``test_backend_sqlite.py``, ``postgres/`` and
``mysql/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _backends import dropped_table, one, server_backend

from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends.base import Param

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
        from sigv4_dataapi.local.backends.mysql import MySQLBackend
        from sigv4_dataapi.local.backends.postgres import PostgresBackend

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
