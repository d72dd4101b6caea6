"""The DB-API against the local endpoint over TLS: SQLite, PostgreSQL, MariaDB; v1 and v2."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from _dbapi_support import ENGINE_FLAVORS, connect, start_endpoint, table_name

from sigv4_dataapi import dbapi


@pytest.fixture(scope="module", params=ENGINE_FLAVORS)
def endpoint(
    request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]
) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


@pytest.fixture
def table(endpoint: Any) -> Iterator[str]:
    name = table_name()
    with connect(endpoint, autocommit=True) as conn:
        conn.cursor().execute(
            f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, "
            "amount DECIMAL(12,3), pad TEXT)"
        )
    yield name
    with connect(endpoint, autocommit=True) as conn:
        conn.cursor().execute(f"DROP TABLE {name}")


def count(endpoint: Any, table: str) -> int:
    with connect(endpoint, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT count(*) AS n FROM {table}")
        row = cur.fetchone()
        assert row is not None
        return int(row[0])


def test_execute_fetch_description_rowcount(endpoint: Any, table: str) -> None:
    with connect(endpoint) as conn:
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {table} (id, name, amount) VALUES (:id, :name, :amount)",
                    {"id": 1, "name": "ada", "amount": Decimal("12.500")})  # fmt: skip
        assert cur.rowcount == 1 and cur.description is None
        cur.executemany(f"INSERT INTO {table} (id, name) VALUES (:id, :name)",
                        [{"id": i, "name": f"n{i}"} for i in range(2, 12)])  # fmt: skip
        assert cur.rowcount == -1
        cur.execute(f"UPDATE {table} SET name = :n WHERE id > :lo", {"n": "x", "lo": 5})
        assert cur.rowcount == 6
        cur.execute(f"SELECT id, name AS label FROM {table} WHERE id <= :hi ORDER BY id", {"hi": 4})
        assert cur.description is not None
        assert [d[0] for d in cur.description] == ["id", "label"]
        assert cur.description[0][1] == dbapi.NUMBER and cur.description[1][1] == dbapi.STRING
        assert cur.rowcount == 4
        assert cur.fetchone() == (1, "ada")
        cur.arraysize = 2
        assert cur.fetchmany() == [(2, "n2"), (3, "n3")]
        assert list(cur) == [(4, "n4")]
        assert cur.fetchall() == []


def test_commit_rollback_and_context_manager(endpoint: Any, table: str) -> None:
    conn = connect(endpoint)
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {table} (id, name) VALUES (1, 'a')")
    assert conn.in_transaction
    conn.rollback()
    assert count(endpoint, table) == 0
    cur.execute(f"INSERT INTO {table} (id, name) VALUES (2, 'b')")
    conn.commit()
    assert count(endpoint, table) == 1
    cur.execute(f"INSERT INTO {table} (id, name) VALUES (3, 'c')")
    conn.close()  # rolls back
    assert count(endpoint, table) == 1
    with pytest.raises(RuntimeError), connect(endpoint) as conn2:
        conn2.cursor().execute(f"INSERT INTO {table} (id, name) VALUES (4, 'd')")
        raise RuntimeError
    with connect(endpoint) as conn3:
        conn3.cursor().execute(f"INSERT INTO {table} (id, name) VALUES (5, 'e')")
    assert count(endpoint, table) == 2


def test_sql_begin_commit_map_to_the_api(endpoint: Any, table: str) -> None:
    with connect(endpoint, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("BEGIN")
        assert conn.in_transaction
        cur.execute(f"INSERT INTO {table} (id, name) VALUES (1, 'a')")
        cur.execute("ROLLBACK")
        assert not conn.in_transaction and count(endpoint, table) == 0
        cur.execute("START TRANSACTION")
        cur.execute(f"INSERT INTO {table} (id, name) VALUES (2, 'b')")
        cur.execute("COMMIT")
        assert count(endpoint, table) == 1


def test_executemany_failure_leaves_nothing(endpoint: Any, table: str) -> None:
    rows = [{"id": i, "name": f"n{i}"} for i in range(50)] + [{"id": 3, "name": "dup"}]
    with connect(endpoint, autocommit=True) as conn, pytest.raises(dbapi.IntegrityError):
        conn.cursor().executemany(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", rows)
    assert count(endpoint, table) == 0
    with connect(endpoint) as conn:
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {table} (id, name) VALUES (100, 'kept')")
        with pytest.raises(dbapi.IntegrityError):
            cur.executemany(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", rows)
        cur.execute(f"SELECT count(*) FROM {table}")
        assert cur.fetchone() == (1,)  # earlier work kept, the batch undone
    assert count(endpoint, table) == 1


def test_result_over_one_mib_is_result_too_large_and_connection_survives(
    endpoint: Any, table: str
) -> None:
    with connect(endpoint, autocommit=True) as conn:
        conn.cursor().executemany(f"INSERT INTO {table} (id, name, pad) VALUES (:id, 'p', :pad)",
                                  [{"id": i, "pad": "x" * 30000} for i in range(40)])  # fmt: skip
    with connect(endpoint) as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT count(*) FROM {table}")
        with pytest.raises(dbapi.ResultTooLargeError) as caught:
            cur.execute(f"SELECT id, pad FROM {table}")
        assert caught.value.limit == "response" and caught.value.transaction_lost
        assert "1 MiB" in str(caught.value) and not conn.in_transaction
        cur.execute(f"SELECT id FROM {table} WHERE id < 3 ORDER BY id")
        assert cur.fetchall() == [(0,), (1,), (2,)]


def test_lastrowid(endpoint: Any) -> None:
    name = table_name()
    family = endpoint.engine
    ddl = {
        "postgres": f"CREATE TABLE {name} (id SERIAL PRIMARY KEY, v INT)",
        "mysql": f"CREATE TABLE {name} (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
        "sqlite": f"CREATE TABLE {name} (id INTEGER PRIMARY KEY AUTOINCREMENT, v INT)",
    }[family]
    with connect(endpoint, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute(ddl)
        try:
            cur.execute(f"INSERT INTO {name} (v) VALUES (1)")
            cur.execute(f"INSERT INTO {name} (v) VALUES (2)")
            if family == "postgres":
                assert cur.lastrowid is None  # use RETURNING
            elif family == "mysql":
                assert cur.lastrowid == 2
        finally:
            cur.execute(f"DROP TABLE {name}")


@pytest.mark.parametrize("flavor", ["v1", "v2"])
def test_idle_transaction_is_lost_with_a_clear_error(
    local_endpoint_factory: Callable[..., Any], flavor: str
) -> None:
    endpoint = local_endpoint_factory("--transaction-idle-timeout", "1", flavor=flavor)
    with connect(endpoint) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 1")
        first = conn.transaction_id
        time.sleep(1.6)
        with pytest.raises(dbapi.OperationalError, match="3 minutes") as caught:
            cur.execute("SELECT 2")
        assert isinstance(caught.value, dbapi.TransactionLostError)
        assert caught.value.__cause__ is not None
        assert conn.transaction_id is None
        cur.execute("SELECT 3")
        assert cur.fetchall() == [(3,)]
        assert conn.transaction_id not in (None, first)
