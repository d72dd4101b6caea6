"""MariaDB/MySQL: generated fields, batches, transactions, cancel, database, user."""

from __future__ import annotations

import threading
import uuid

import pytest
from _my import MYSQL_URL, one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.mysql import MySQLBackend, MySQLSession

pytestmark = pytest.mark.mysql


# -- generated fields, row counts, batches, transactions ----------------------------------


def test_generated_fields_and_found_rows(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)", [])
    first = session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [Param("v", 1)])
    assert (first.generated, first.rows_updated) == ([1], 1)
    many = session.execute(f"INSERT INTO {table} (v) VALUES (2), (2), (2)", [])
    assert (many.generated, many.rows_updated) == ([2], 3)
    same = session.execute(f"UPDATE {table} SET v = 2 WHERE v = 2", [])
    assert (same.rows_updated, same.generated) == (3, [])  # found rows, as Connector/J counts
    assert session.execute(f"SELECT * FROM {table}", []).rows_updated == 0


def test_batch_generates_an_id_per_set(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)", [])
    sets = [[Param("v", "a")], [Param("v", "b")], [Param("v", None)]]
    generated = session.execute_batch(f"INSERT INTO {table} (v) VALUES (:v)", sets)
    assert generated == [[1], [2], [3]]
    updated = session.execute_batch(f"UPDATE {table} SET v = 'z' WHERE id = :i", [[Param("i", 1)]])
    assert updated == [[]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('y')", []) == []


def test_a_failing_batch_leaves_nothing_behind(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY) ENGINE=InnoDB", [])
    sets = [[Param("i", 1)], [Param("i", 2)], [Param("i", 1)]]
    with pytest.raises(EngineError) as caught:
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", sets)
    assert caught.value.errno == 1062
    assert one(session, f"SELECT count(*) FROM {table}") == 0


def test_pooled_connections_come_back_clean(backend: MySQLBackend) -> None:
    session = backend.session(None, None)
    thread = session.connection_id
    session.execute("SET @b2 = 1, time_zone = '+05:00'", [])
    session.execute("USE information_schema", [])
    session.close()
    again = backend.session(None, None)
    assert again.connection_id == thread  # reused, and reset
    assert again.execute("SELECT @b2, @@time_zone, DATABASE()", []).rows == [
        [None, "+00:00", "test"]
    ]
    again.close()


# -- cancel, database and user -------------------------------------------------------------


def test_cancel_from_another_thread(session: MySQLSession) -> None:
    session.cancel()  # idle: nothing to cancel, nothing breaks
    timer = threading.Timer(0.3, session.cancel)
    timer.start()
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT SLEEP(20)", [])
    timer.join()
    assert (caught.value.errno, caught.value.sqlstate) == (1317, "70100")
    assert one(session, "SELECT 1") == 1


def test_database_selection(backend: MySQLBackend) -> None:
    session = backend.session("information_schema", None)
    assert one(session, "SELECT DATABASE()") == "information_schema"
    session.close()
    with pytest.raises(EngineError) as caught:
        backend.session(f"b2_missing_{uuid.uuid4().hex[:8]}", None)
    assert (caught.value.errno, caught.value.sqlstate) == (1049, "42000")


def test_the_session_user(backend: MySQLBackend) -> None:
    user = f"b2u_{uuid.uuid4().hex[:8]}"
    admin = backend.session(None, None)
    admin.execute(f"CREATE USER '{user}'@'%'", [])
    own = MySQLBackend(MYSQL_URL)  # its pool is closed before the user goes
    try:
        admin.execute(f"GRANT SELECT ON test.* TO '{user}'@'%'", [])
        as_user = own.session(None, user)
        assert str(one(as_user, "SELECT CURRENT_USER()")).startswith(f"{user}@")
        as_user.close()
    finally:
        own.close()
        admin.execute(f"DROP USER '{user}'@'%'", [])
        admin.close()
