"""``connect_async``: the same rules as coroutines, on a fake and on the local endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from _dbapi_support import ENGINE_FLAVORS, FakeDataAPI, connect_async, start_endpoint, table_name

from sigv4_dataapi import dbapi


class AsyncFake(FakeDataAPI):
    """The recording fake, answering from a coroutine that yields while "running"."""

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        return self(request)  # records the call; its own count sees no overlap

    def options(self) -> dict[str, Any]:
        return {**super().options(), "http_transport": httpx.MockTransport(self.handle)}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_lazy_begin_and_zero_call_commit() -> None:
    async def main() -> list[str]:
        fake = AsyncFake()
        conn = await fake.connect_async()
        await conn.commit()
        await conn.rollback()
        assert fake.calls == []
        cur = conn.cursor()
        await cur.execute("SELECT 1")
        assert await cur.fetchall() == [(1,)]
        assert cur.description is not None and cur.description[0][1] == dbapi.NUMBER
        await cur.execute("COMMIT")
        await conn.close()
        return fake.operations()

    assert run(main()) == ["BeginTransaction", "ExecuteStatement", "CommitTransaction"]


def test_close_rolls_back_and_use_after_close_raises() -> None:
    async def main() -> None:
        fake = AsyncFake()
        conn = await fake.connect_async()
        cur = conn.cursor()
        await cur.execute("SELECT 1")
        await conn.close()
        await conn.close()
        assert fake.operations() == ["BeginTransaction", "ExecuteStatement", "RollbackTransaction"]
        with pytest.raises(dbapi.InterfaceError):
            await cur.execute("SELECT 1")

    run(main())


def test_concurrent_tasks_on_one_connection_take_turns() -> None:
    async def main() -> AsyncFake:
        fake = AsyncFake(delay=0.005)
        conn = await fake.connect_async()

        async def work() -> None:
            for _ in range(5):
                await conn.cursor().execute("SELECT 1")

        await asyncio.gather(*(work() for _ in range(4)))
        await conn.close()
        return fake

    fake = run(main())
    assert fake.max_in_flight == 1
    assert fake.operations().count("BeginTransaction") == 1


def test_autocommit_setter_and_engine() -> None:
    async def main() -> None:
        fake = AsyncFake(records=[[{"stringValue": "PostgreSQL 17"}]])
        options = fake.options()
        del options["engine"]
        conn = await dbapi.connect_async(**options)
        with pytest.raises(dbapi.InterfaceError, match="detect_engine"):
            _ = conn.engine
        assert await conn.detect_engine() == "postgresql" and conn.engine == "postgresql"
        await conn.cursor().execute("SELECT 1")
        with pytest.raises(dbapi.ProgrammingError, match="set_autocommit"):
            conn.autocommit = True
        await conn.set_autocommit(True)
        assert conn.autocommit and not conn.in_transaction
        assert fake.operations()[-1] == "CommitTransaction"
        await conn.close()

    run(main())


def test_bad_parameters_fail_before_any_call() -> None:
    async def main() -> None:
        fake = AsyncFake()
        conn = await fake.connect_async()
        with pytest.raises(dbapi.ProgrammingError, match="mapping"):
            await conn.cursor().execute("SELECT :a", [1])  # type: ignore[arg-type]
        assert fake.calls == []
        await conn.close()

    run(main())


@pytest.fixture(scope="module", params=ENGINE_FLAVORS)
def endpoint(
    request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]
) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


def test_round_trip_on_the_local_endpoint(endpoint: Any) -> None:
    name = table_name("dbapi_async")

    async def main() -> None:
        async with await connect_async(endpoint, autocommit=True) as setup:
            await setup.cursor().execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, v TEXT)")
        try:
            async with await connect_async(endpoint) as conn:
                cur = conn.cursor()
                await cur.executemany(f"INSERT INTO {name} VALUES (:id, :v)",
                                      [{"id": i, "v": f"v{i}"} for i in range(30)])  # fmt: skip
                with pytest.raises(dbapi.IntegrityError):
                    await cur.execute(f"INSERT INTO {name} VALUES (1, 'dup')")
                await conn.rollback()
                await cur.executemany(f"INSERT INTO {name} VALUES (:id, :v)",
                                      [{"id": i, "v": f"v{i}"} for i in range(30)])  # fmt: skip
            async with await connect_async(endpoint, autocommit=True) as conn:
                cur = conn.cursor()
                await cur.execute(f"SELECT id, v FROM {name} WHERE id < :n ORDER BY id", {"n": 5})
                assert [row async for row in cur] == [(i, f"v{i}") for i in range(5)]
                await cur.execute(f"SELECT count(*) FROM {name}")
                assert await cur.fetchone() == (30,)
        finally:
            async with await connect_async(endpoint, autocommit=True) as conn:
                await conn.cursor().execute(f"DROP TABLE {name}")

    run(main())


def test_streaming_on_the_local_endpoint(endpoint: Any) -> None:
    async def main() -> None:
        async with await connect_async(endpoint, autocommit=True) as conn:
            cur = conn.cursor(stream=True)
            if endpoint.engine != "postgres":
                with pytest.raises(dbapi.NotSupportedError, match="iter_keyset"):
                    await cur.execute("SELECT 1")
                return
            await cur.execute("SELECT g, repeat('z', 3000) AS pad FROM generate_series(1, 900) g")
            seen = [g async for g, _pad in cur]
            assert seen == list(range(1, 901)) and cur.rowcount == 900
            assert conn.call_count > 4  # paged: 2.7 MB cannot come back in one answer

    run(main())


def test_aiter_keyset_on_the_local_endpoint(endpoint: Any) -> None:
    name = table_name("dbapi_akeys")

    async def main() -> None:
        async with await connect_async(endpoint, autocommit=True) as conn:
            cur = conn.cursor()
            await cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, v TEXT)")
            try:
                await cur.executemany(f"INSERT INTO {name} VALUES (:id, :v)",
                                      [{"id": i, "v": "w" * 500} for i in range(300)])  # fmt: skip
                rows = [r async for r in dbapi.aiter_keyset(conn, name, "id", columns="id",
                                                            page_bytes=16 * 1024)]  # fmt: skip
                assert rows == [(i,) for i in range(300)]
            finally:
                await cur.execute(f"DROP TABLE {name}")

    run(main())
