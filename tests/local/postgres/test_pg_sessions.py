"""PostgreSQL: batches, transactions, the pool, cancel, database and user."""

from __future__ import annotations

import threading
import uuid

import pytest
from _pg import PG_URL, one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.postgres import PostgresBackend, PostgresSession

pytestmark = pytest.mark.postgres


# -- batches and transactions ---------------------------------------------------------


def test_batch_runs_each_set_and_generates_nothing(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id serial, v text)", [])
    sets = [[Param("v", "a")], [Param("v", "b")], [Param("v", None)]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES (:v)", sets) == [[], [], []]
    assert session.execute(f"SELECT v FROM {table} ORDER BY id", []).rows == [["a"], ["b"], [None]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('x')", [[], []]) == [[], []]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('y')", []) == []
    assert one(session, f"SELECT count(*) FROM {table}") == 5


def test_a_failing_batch_leaves_nothing_behind(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)", [])
    sets = [[Param("i", 1)], [Param("i", 2)], [Param("i", 1)]]
    with pytest.raises(EngineError) as caught:
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", sets)
    assert caught.value.sqlstate == "23505"
    assert one(session, f"SELECT count(*) FROM {table}") == 0
    with pytest.raises(EngineError):  # a set without the parameter: nothing runs
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", [[Param("i", 5)], []])
    assert one(session, f"SELECT count(*) FROM {table}") == 0


def test_pooled_connections_come_back_clean(backend: PostgresBackend) -> None:
    session = backend.session(None, None)
    pid = session.connection_id
    session.execute("SET TimeZone = 'America/New_York'", [])
    session.execute("CREATE TEMP TABLE b2_scratch (id int)", [])
    session.close()
    again = backend.session(None, None)
    assert again.connection_id == pid  # reused, and reset
    assert one(again, "SHOW TimeZone") == "UTC"
    assert one(again, "SELECT count(*) FROM pg_tables WHERE tablename = 'b2_scratch'") == 0
    again.close()


def test_concurrent_sessions_share_the_pool(backend: PostgresBackend) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                session = backend.session(None, None)
                try:
                    assert one(session, "SELECT :n + :i", Param("n", n), Param("i", i)) == n + i
                finally:
                    session.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# -- cancel, database and user -------------------------------------------------------------


def test_cancel_from_another_thread(session: PostgresSession) -> None:
    session.cancel()  # idle: nothing to cancel, nothing breaks
    timer = threading.Timer(0.3, session.cancel)
    timer.start()
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT pg_sleep(20)", [])
    timer.join()
    assert caught.value.sqlstate == "57014"
    assert caught.value.message == (
        "ERROR: canceling statement due to user request; SQLState: 57014"
    )
    assert one(session, "SELECT 1") == 1


def test_database_selection(backend: PostgresBackend) -> None:
    session = backend.session("postgres", None)
    assert one(session, "SELECT current_database()") == "postgres"
    session.close()
    default = backend.session(None, None)
    assert one(default, "SELECT current_database()") == "test"
    default.close()
    with pytest.raises(EngineError) as caught:
        backend.session(f"b2_missing_{uuid.uuid4().hex[:8]}", None)
    assert caught.value.sqlstate == "3D000"
    assert caught.value.message.startswith('FATAL: database "b2_missing_')


def test_the_session_user(backend: PostgresBackend) -> None:
    role = f"b2_role_{uuid.uuid4().hex[:8]}"
    admin = backend.session(None, None)
    admin.execute(f"CREATE ROLE {role} LOGIN", [])
    own = PostgresBackend(PG_URL)  # its pool is closed before the role goes
    try:
        as_role = own.session(None, role)
        assert one(as_role, "SELECT current_user") == role
        as_role.close()
        assert one(admin, "SELECT current_user") == "postgres"
    finally:
        own.close()
        admin.execute(f"DROP ROLE {role}", [])
        admin.close()
