"""The SQLite backend against the Backend/Session contract."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.sqlite import SqliteBackend


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[SqliteBackend]:
    opened = open_backend(f"sqlite://{tmp_path / 'db.sqlite3'}")
    assert isinstance(opened, SqliteBackend)
    yield opened
    opened.close()


def test_named_parameters_and_types(backend: SqliteBackend) -> None:
    session = backend.session(None, None)
    result = session.execute(
        "SELECT :i AS i, :f, :s, :b, :n, :t",
        [Param("i", 1), Param("f", 1.5), Param("s", "x"), Param("b", b"\x00"), Param("n", None),
         Param("t", True)],
    )  # fmt: skip
    assert result.rows == [[1, 1.5, "x", b"\x00", None, 1]]
    assert result.columns is not None
    assert [(c.label, c.type, c.type_name) for c in result.columns] == [
        ("i", -5, "INTEGER"), (":f", 8, "REAL"), (":s", 12, "TEXT"), (":b", 2004, "BLOB"),
        (":n", 0, "NULL"), (":t", -5, "INTEGER"),
    ]  # fmt: skip
    session.close()


def test_show_tables_and_generated_ids(backend: SqliteBackend) -> None:
    session = backend.session("mydb", None)
    session.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT)", [])
    session.execute("CREATE TABLE a (x)", [])
    inserted = session.execute("INSERT INTO b (v) VALUES ('x')", [])
    assert (inserted.rows_updated, inserted.generated) == (1, [1])
    shown = session.execute("SHOW TABLES;", [])
    assert shown.rows == [["a"], ["b"]]
    assert shown.columns is not None and shown.columns[0].label == "Tables_in_mydb"
    session.close()


def test_errors_carry_the_engine_text(backend: SqliteBackend) -> None:
    session = backend.session(None, None)
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT * FROM missing", [])
    assert caught.value.message == "[SQLITE_ERROR] no such table: missing"
    assert caught.value.v1_message.startswith("Database error code: 1. Message:")
    session.close()


def test_transactions_are_isolated_until_commit(backend: SqliteBackend) -> None:
    writer, reader = backend.session(None, None), backend.session(None, None)
    writer.execute("CREATE TABLE t (x)", [])
    writer.begin()
    writer.execute("INSERT INTO t VALUES (1)", [])
    assert reader.execute("SELECT count(*) FROM t", []).rows == [[0]]
    writer.commit()
    assert reader.execute("SELECT count(*) FROM t", []).rows == [[1]]
    writer.close()
    reader.close()


def test_cancel_interrupts_a_running_statement(backend: SqliteBackend) -> None:
    session = backend.session(None, None)
    timer = threading.Timer(0.2, session.cancel)
    timer.start()
    with pytest.raises(EngineError) as caught:
        session.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) "
            "SELECT count(*) FROM c",
            [],
        )
    assert "interrupted" in caught.value.message
    timer.join()
    session.close()


def test_memory_database_is_shared_between_sessions() -> None:
    backend = open_backend("sqlite:///:memory:")
    first, second = backend.session(None, None), backend.session(None, None)
    first.execute("CREATE TABLE m (x)", [])
    assert second.execute("SELECT count(*) FROM m", []).rows == [[0]]
    first.close()
    second.close()
    backend.close()
