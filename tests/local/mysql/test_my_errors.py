"""MariaDB/MySQL: engine errors as the service words them."""

from __future__ import annotations

import pytest
from _my import one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.mysql import MySQLSession

pytestmark = pytest.mark.mysql


def test_error_texts(session: MySQLSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT * FROM no_such_table_xyz", [])
    error = caught.value
    assert error.message == (
        "Table 'test.no_such_table_xyz' doesn't exist; Error code: 1146; SQLState: 42S02"
    )
    assert error.v1_message == (
        "Database error code: 1146. Message: Table 'test.no_such_table_xyz' doesn't exist"
    )
    assert (error.errno, error.sqlstate) == (1146, "42S02")


def test_duplicate_key_and_syntax_errors(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY)", [])
    session.execute(f"INSERT INTO {table} VALUES (1)", [])
    with pytest.raises(EngineError) as caught:
        session.execute(f"INSERT INTO {table} VALUES (1)", [])
    assert (caught.value.errno, caught.value.sqlstate) == (1062, "23000")
    with pytest.raises(EngineError) as caught:
        session.execute("SELEKT 1", [])
    assert (caught.value.errno, caught.value.sqlstate) == (1064, "42000")
    assert caught.value.message.endswith("; Error code: 1064; SQLState: 42000")
    assert one(session, "SELECT 1") == 1


def test_client_side_errors_do_not_take_a_stale_sqlstate(session: MySQLSession) -> None:
    with pytest.raises(EngineError):
        session.execute("SELECT * FROM no_such_table_xyz", [])  # leaves 42S02 behind
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT :d", [Param("d", float("nan"))])
    assert (caught.value.errno, caught.value.sqlstate) == (0, "HY000")
    assert caught.value.message == "nan can not be used with MySQL; Error code: 0; SQLState: HY000"


def test_missing_parameter(session: MySQLSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT :a, :b", [Param("b", 1)])
    assert caught.value.message == (
        "No value specified for parameter 1; Error code: 0; SQLState: 07001"
    )


def test_multiple_statements_are_refused_by_the_engine(session: MySQLSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT 1; SELECT 2", [])
    assert caught.value.errno == 1064
