"""Isolation levels per transaction and AUTOCOMMIT through the DB-API attribute (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, exc, insert, select, text

from tests.dialect.conftest import dataapi_url, unique


def _level(conn: Any) -> str:
    return str(conn.execute(text("SHOW transaction_isolation")).scalar_one())


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL text given to a DB-API cursor, the dialect's own statements included."""
    from sigv4_dataapi.dbapi.cursor import Cursor

    seen: list[str] = []
    execute = Cursor.execute

    def recording(self: Any, sql: str, params: Any = None) -> Any:
        seen.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(Cursor, "execute", recording)
    return seen


def test_level_is_the_first_statement_of_every_transaction(engine: Any, backend: str,
                                                           sent: list[str]) -> None:  # fmt: skip
    if backend != "postgresql":
        pytest.skip("MySQL: see test_mysql_offers_autocommit_and_the_default_only")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="SERIALIZABLE")
        for _ in range(2):  # two transactions on one connection: both serializable
            with conn.begin():
                assert _level(conn) == "serializable"
        assert conn.get_isolation_level() == "SERIALIZABLE"
    with engine.connect() as conn:  # back in the pool, the connection is at the default again
        assert _level(conn) == "read committed"
    assert not any("SET SESSION" in sql.upper() for sql in sent)
    sets = [i for i, sql in enumerate(sent) if sql.startswith("SET TRANSACTION ISOLATION")]
    assert len(sets) == 2 and all(sent[i + 1].startswith("SHOW") for i in sets)


def test_engine_wide_level(endpoint: Any, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("MySQL: see test_mysql_offers_autocommit_and_the_default_only")
    eng = create_engine(dataapi_url(endpoint, backend), isolation_level="REPEATABLE READ",
                        connect_args={"credentials": endpoint.credentials()})  # fmt: skip
    try:
        with eng.connect() as conn:
            assert _level(conn) == "repeatable read"
            conn.commit()
            assert _level(conn) == "repeatable read"
    finally:
        eng.dispose()


def test_autocommit_uses_the_dbapi_attribute(engine: Any, backend: str) -> None:
    meta = MetaData()
    table = Table(unique("ac"), meta, Column("id", Integer, primary_key=True))
    meta.create_all(engine)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            assert conn.connection.dbapi_connection.autocommit is True
            conn.execute(insert(table), {"id": 1})  # no commit
            with engine.connect() as other:  # another connection already sees the row
                assert other.execute(select(table.c.id)).scalar_one() == 1
        with engine.connect() as conn:  # the pool turned autocommit off again
            assert conn.connection.dbapi_connection.autocommit is False
    finally:
        meta.drop_all(engine)


def test_mysql_offers_autocommit_and_the_default_only(engine: Any, backend: str) -> None:
    if backend != "mysql":
        pytest.skip("PostgreSQL applies every level (test above)")
    with engine.connect() as conn:
        assert conn.get_isolation_level() == "REPEATABLE READ"
        with pytest.raises(exc.ArgumentError, match="AUTOCOMMIT, REPEATABLE READ"):
            conn.execution_options(isolation_level="SERIALIZABLE")
