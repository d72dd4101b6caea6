"""The SQLite backend answers alike on every supported Python.

Python 3.10's ``sqlite3`` raises ``Warning`` (not an ``Error``) for two
statements in one call, and its exceptions carry no ``sqlite_errorname`` or
``sqlite_errorcode``. The endpoint must give the same engine error either way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigv4_dataapi._server.backends._sqlite_errors import error_code
from sigv4_dataapi._server.backends.base import EngineError
from sigv4_dataapi._server.backends.sqlite import SqliteBackend, SqliteSession

SCHEMA = [
    "PRAGMA foreign_keys = ON",
    "CREATE TABLE p (id INTEGER PRIMARY KEY)",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n TEXT NOT NULL, "
    "k INT CHECK (k > 0), f INT REFERENCES p (id))",
    "CREATE TABLE w (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID",
    "CREATE TABLE r (x TEXT)",
    "CREATE UNIQUE INDEX r_lower ON r (lower(x))",
    "INSERT INTO t (id, u, n, k) VALUES (1, 'a', 'x', 1)",
    "INSERT INTO w VALUES ('a', 'b')",
    "INSERT INTO r (rowid, x) VALUES (1, 'a')",
]
# statement -> (result code name, number) on every interpreter
SAME_EVERYWHERE = {
    "SELECT 1; SELECT 2": ("SQLITE_ERROR", 1),
    "SELECT * FROM no_such_table": ("SQLITE_ERROR", 1),
    "SELEC 1": ("SQLITE_ERROR", 1),
    "INSERT INTO t (u, k) VALUES ('b', 1)": ("SQLITE_CONSTRAINT_NOTNULL", 1299),
    "INSERT INTO t (u, n, k) VALUES ('c', 'x', 0)": ("SQLITE_CONSTRAINT_CHECK", 275),
    "INSERT INTO t (u, n, k, f) VALUES ('d', 'x', 1, 99)": ("SQLITE_CONSTRAINT_FOREIGNKEY", 787),
    "INSERT INTO t (id, u, n, k) VALUES ('abc', 'e', 'x', 1)": ("SQLITE_MISMATCH", 20),
    "INSERT INTO t (u, n, k) VALUES ('a', 'x', 1)": ("SQLITE_CONSTRAINT_UNIQUE", 2067),
    "INSERT INTO t (id, n) VALUES (1, 'x')": ("SQLITE_CONSTRAINT_PRIMARYKEY", 1555),
    "INSERT INTO w VALUES ('a', 'b')": ("SQLITE_CONSTRAINT_PRIMARYKEY", 1555),
    "INSERT INTO r (rowid, x) VALUES (1, 'z')": ("SQLITE_CONSTRAINT_ROWID", 2579),
    "INSERT INTO r (x) VALUES ('A')": ("SQLITE_CONSTRAINT_UNIQUE", 2067),
}


@pytest.fixture
def session(tmp_path: Path) -> Iterator[SqliteSession]:
    backend = SqliteBackend(str(tmp_path / "db.sqlite3"))
    opened = backend.session(None, None)
    for sql in SCHEMA:
        opened.execute(sql, [])
    yield opened
    opened.close()
    backend.close()


def _refusal(session: SqliteSession, sql: str) -> EngineError:
    with pytest.raises(EngineError) as caught:
        session.execute(sql, [])
    return caught.value


@pytest.mark.parametrize("sql", list(SAME_EVERYWHERE))
def test_an_engine_refusal_has_the_same_code_on_every_python(
    session: SqliteSession, sql: str
) -> None:
    name, code = SAME_EVERYWHERE[sql]
    refused = _refusal(session, sql)
    assert refused.message.startswith(f"[{name}] ")
    assert refused.v1_message.startswith(f"Database error code: {code}. Message: [{name}]")


def test_the_message_table_agrees_with_the_engine(tmp_path: Path) -> None:
    """On 3.11+, the codes read from the text (3.10's way) match the engine's own."""
    connection = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    try:
        for sql in SCHEMA:
            connection.execute(sql)
        for sql in SAME_EVERYWHERE:
            with pytest.raises((sqlite3.Error, sqlite3.Warning)) as caught:
                connection.execute(sql)
            native = error_code(caught.value, connection)
            from_text = error_code(type(caught.value)(str(caught.value)), connection)
            assert from_text == native, sql
    finally:
        connection.close()
