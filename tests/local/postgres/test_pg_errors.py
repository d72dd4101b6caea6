"""PostgreSQL: engine errors as the service words them."""

from __future__ import annotations

import pytest
from _pg import PG_URL, one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.postgres import PostgresBackend, PostgresSession

pytestmark = pytest.mark.postgres


def test_error_format_matches_the_recorded_service_text(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT * FROM no_such_table_xyz", [])
    error = caught.value
    assert error.message == (
        'ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01'
    )
    assert error.v1_message == 'ERROR: relation "no_such_table_xyz" does not exist\n  Position: 15'
    assert error.sqlstate == "42P01"


def test_syntax_error_text(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELEKT 1", [])
    assert caught.value.message == (
        'ERROR: syntax error at or near "SELEKT"; Position: 1; SQLState: 42601'
    )


def test_not_null_violation_has_no_detail_in_v2(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id int, name text NOT NULL)", [])
    with pytest.raises(EngineError) as caught:
        session.execute(f"INSERT INTO {table} (id) VALUES (1)", [])
    assert caught.value.message == (
        f'ERROR: null value in column "name" of relation "{table}" violates not-null '
        "constraint; SQLState: 23502"
    )
    assert "\n  Detail: Failing row contains (1, null)." in caught.value.v1_message


def test_detail_can_be_included(table: str, backend: PostgresBackend) -> None:
    detailed = PostgresBackend(PG_URL, include_detail=True)
    session = detailed.session(None, None)
    try:
        session.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)", [])
        session.execute(f"INSERT INTO {table} VALUES (1)", [])
        with pytest.raises(EngineError) as caught:
            session.execute(f"INSERT INTO {table} VALUES (1)", [])
        assert "; Detail: Key (id)=(1) already exists.; SQLState: 23505" in caught.value.message
    finally:
        session.close()
        detailed.close()


def test_hint_is_kept(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT no_such_function(1)", [])
    message = caught.value.message
    assert message.startswith("ERROR: function no_such_function(integer) does not exist; Hint: ")
    assert message.endswith("; Position: 8; SQLState: 42883")


def test_missing_parameter(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT :a, :b", [Param("a", 1)])
    assert caught.value.message == "No value specified for parameter 2.; SQLState: 22023"


def test_positional_placeholders_are_not_bound(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT $1", [Param("1", 1)])
    assert caught.value.sqlstate == "42P02"


def test_client_side_errors_are_database_errors(session: PostgresSession) -> None:
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT :s", [Param("s", "nul\x00byte")])
    assert caught.value.sqlstate == "22000"
    assert caught.value.message == (
        "ERROR: PostgreSQL text fields cannot contain NUL (0x00) bytes; SQLState: 22000"
    )


def test_the_session_stays_usable_after_errors(session: PostgresSession) -> None:
    with pytest.raises(EngineError):
        session.execute("SELECT 1/0", [])
    assert one(session, "SELECT 2") == 2
