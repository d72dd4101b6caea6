"""Results past 1 MiB: PostgreSQL streaming cursors (v1 and v2) and MySQL keyset paging.

The local endpoint enforces the 1 MiB response and 64 KB row limits and, like
Serverless v1, ends the transaction on a size error, so a cursor that probed
for the limit would fail here. Every answer's size is recorded on the wire by
a real httpx transport wrapped around the default one.
"""

from __future__ import annotations

import ssl
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from _dbapi_support import MYSQL_FLAVORS, PG_FLAVORS, connect, start_endpoint, table_name

from sigv4_dataapi import dbapi

MIB = 1024 * 1024
# rows of 32 .. ~62,000 bytes: md5 text repeated; every 97th row is large, every 13th medium
SKEWED = (
    "SELECT g, repeat(md5(g::text), (CASE WHEN g % 97 = 0 THEN 1900 WHEN g % 13 = 0 THEN 120 "
    "ELSE 1 END)::int) AS pad FROM generate_series(1, :n) AS g ORDER BY g"
)


def pad_length(g: int) -> int:
    return 32 * (1900 if g % 97 == 0 else 120 if g % 13 == 0 else 1)


class Recording(httpx.BaseTransport):
    """A real httpx transport that notes each answer's body size."""

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        self.inner = httpx.HTTPTransport(verify=verify)
        self.sizes: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        self.sizes.append(len(body))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module", params=PG_FLAVORS)
def pg(request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


@pytest.fixture(scope="module", params=MYSQL_FLAVORS)
def my(request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


_OPEN: list[Recording] = []


@pytest.fixture(autouse=True)
def _close_wires() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def recorded(endpoint: Any, **options: Any) -> tuple[dbapi.Connection, Recording]:
    """A connection whose answers are measured (the transport is closed after the test)."""
    wire = Recording(endpoint.httpx_verify)
    _OPEN.append(wire)
    return connect(endpoint, http_transport=wire, engine="postgresql", **options), wire


@pytest.mark.parametrize("autocommit", [True, False])
@pytest.mark.parametrize("budget_kib", [900, 384])
def test_skewed_rows_stream_in_order_under_the_budget(
    pg: Any, autocommit: bool, budget_kib: int
) -> None:
    settings = dbapi.StreamSettings(budget=budget_kib * 1024)
    conn, wire = recorded(pg, autocommit=autocommit, stream_settings=settings)
    rows = 3000
    with conn:
        cur = conn.cursor(stream=True)
        cur.execute(SKEWED, {"n": rows})
        assert cur.rowcount == -1 and cur.description is not None
        assert [d[0] for d in cur.description] == ["g", "pad"]
        total_bytes = 0
        expected = 1
        for g, pad in cur:
            assert g == expected and len(pad) == pad_length(g)
            expected += 1
            total_bytes += len(pad)
        assert expected == rows + 1 and cur.rowcount == rows
        assert conn.in_transaction is (not autocommit)
    assert total_bytes > 2 * MIB
    assert max(wire.sizes) <= settings.budget, sorted(wire.sizes)[-5:]
    fetches = len(wire.sizes) - 4  # begin, (set read only | declare), ..., commit
    assert fetches <= 3 * (total_bytes / (settings.budget / settings.safety)) + 8


def test_fetchmany_and_fetchall_on_a_stream(pg: Any) -> None:
    conn, _ = recorded(pg, autocommit=True)
    with conn:
        cur = conn.cursor(stream=True)
        cur.execute("SELECT g FROM generate_series(1, 1000) AS g")
        assert cur.fetchone() == (1,)
        assert cur.fetchmany(30) == [(g,) for g in range(2, 32)]
        assert cur.rownumber == 31
        assert cur.fetchall() == [(g,) for g in range(32, 1001)]
        assert cur.rowcount == 1000 and cur.fetchone() is None


@pytest.mark.slow
def test_large_stream_holds_about_one_page_in_memory(pg: Any) -> None:
    _stream_memory(pg, rows=1400, growth_mib=6)  # 42.7 MiB streamed


def test_stream_memory_is_bounded(pg: Any) -> None:
    _stream_memory(pg, rows=400, growth_mib=6)  # 12.2 MiB streamed


def _stream_memory(pg: Any, *, rows: int, growth_mib: int) -> None:
    sql = "SELECT g, repeat(md5(g::text), 1000) AS pad FROM generate_series(1, :n) AS g"
    conn, _wire = recorded(pg, autocommit=True)
    with conn:
        cur = conn.cursor(stream=True)
        tracemalloc.start()
        try:
            cur.execute(sql, {"n": rows})
            seen = sum(len(pad) for _g, pad in cur)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert seen == rows * 32000  # rows * 32 KB: far more than the bound below when large
    assert peak < growth_mib * MIB, peak


def test_row_over_64kb_raises_naming_the_row_limit(pg: Any) -> None:
    conn, _ = recorded(pg, autocommit=True)
    with conn:
        cur = conn.cursor(stream=True)
        with pytest.raises(dbapi.ResultTooLargeError, match="64 KB row limit") as caught:
            cur.execute("SELECT g, repeat('x', 70000) FROM generate_series(1, 3) AS g")
        assert caught.value.limit == "row"
        plain = conn.cursor()
        plain.execute("SELECT 1")
        assert plain.fetchall() == [(1,)]


def test_idle_stream_raises_a_clear_operational_error(pg: Any) -> None:
    now = [1000.0]
    conn, wire = recorded(pg, autocommit=True, clock=lambda: now[0])
    with conn:
        cur = conn.cursor(stream=True)
        cur.execute("SELECT g FROM generate_series(1, 100) AS g")
        assert len(cur.fetchmany(12)) == 12  # the first page
        now[0] += 171.0
        calls = len(wire.sizes)
        with pytest.raises(dbapi.OperationalError, match="3 minutes"):
            cur.fetchone()
        assert len(wire.sizes) == calls + 1  # the implicit transaction rolled back, no FETCH
        plain = conn.cursor()
        plain.execute("SELECT 2")
        assert plain.fetchall() == [(2,)]


def test_commit_ends_a_stream_in_the_connection_transaction(pg: Any) -> None:
    conn, _ = recorded(pg)
    with conn:
        cur = conn.cursor(stream=True)
        cur.execute("SELECT g FROM generate_series(1, 100) AS g")
        cur.fetchmany(12)
        conn.commit()
        with pytest.raises(dbapi.OperationalError, match="transaction has ended"):
            cur.fetchall()


def test_close_releases_an_unfinished_stream(pg: Any) -> None:
    conn, _wire = recorded(pg)
    with conn:
        cur = conn.cursor(stream=True)
        cur.execute("SELECT g FROM generate_series(1, 100) AS g")
        cur.close()
        assert conn.in_transaction
        plain = conn.cursor()
        plain.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE 'sigv4_stream_%'")
        assert plain.fetchall() == [(0,)]


def test_stream_on_mysql_names_the_keyset_helper(my: Any) -> None:
    with connect(my) as conn:
        cur = conn.cursor(stream=True)
        with pytest.raises(dbapi.NotSupportedError, match="iter_keyset"):
            cur.execute("SELECT 1")


def test_iter_keyset_reads_every_row_once_in_key_order(my: Any) -> None:
    name = table_name("dbapi_keys")
    rows = [{"a": i // 10, "b": i % 10, "pad": "y" * (20 + (i * 7919) % 3000)} for i in range(900)]
    with connect(my, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {name} (a INT NOT NULL, b INT NOT NULL, pad TEXT, "
                    "PRIMARY KEY (a, b))")  # fmt: skip
        try:
            cur.executemany(f"INSERT INTO {name} VALUES (:a, :b, :pad)", rows)
            calls = conn.call_count
            got = list(dbapi.iter_keyset(conn, name, ["a", "b"], columns=["a", "b", "pad"],
                                         page_bytes=64 * 1024))  # fmt: skip
            assert got == [(r["a"], r["b"], r["pad"]) for r in rows]
            assert conn.call_count - calls > 10  # paged, not one call
            filtered = list(dbapi.iter_keyset(conn, name, ["a", "b"], where="a >= :lo",
                                              params={"lo": 80}, columns="a, b"))  # fmt: skip
            assert filtered == [(r["a"], r["b"]) for r in rows if r["a"] >= 80]
        finally:
            cur.execute(f"DROP TABLE {name}")


def test_iter_keyset_finds_the_primary_key_and_sees_concurrent_inserts_once(my: Any) -> None:
    name = table_name("dbapi_pk")
    with connect(my, autocommit=True) as conn, connect(my, autocommit=True) as other:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, pad TEXT)")
        try:
            cur.executemany(f"INSERT INTO {name} VALUES (:id, :pad)",
                            [{"id": i, "pad": "q" * 400} for i in range(0, 2000, 2)])  # fmt: skip
            seen: list[int] = []
            writer = other.cursor()
            for row_id, _pad in dbapi.iter_keyset(conn, name, None, page_bytes=32 * 1024):
                seen.append(row_id)
                if row_id in (500, 1200):  # between pages: one key behind, one ahead
                    writer.execute(f"INSERT INTO {name} VALUES (:a, 'x'), (:b, 'x')",
                                   {"a": row_id - 1, "b": row_id + 301})  # fmt: skip
            assert len(seen) == len(set(seen)) and seen == sorted(seen)
            assert set(range(0, 2000, 2)) <= set(seen)
            assert {801, 1501} <= set(seen) and not {499, 1199} & set(seen)
        finally:
            cur.execute(f"DROP TABLE {name}")


def test_closing_the_connection_rolls_back_an_open_stream(pg: Any) -> None:
    conn, wire = recorded(pg, autocommit=True)
    cur = conn.cursor(stream=True)
    cur.execute("SELECT g FROM generate_series(1, 100) AS g")
    calls = len(wire.sizes)
    conn.close()
    assert len(wire.sizes) == calls + 1  # RollbackTransaction of the implicit transaction
    with pytest.raises(dbapi.InterfaceError):
        cur.fetchone()
