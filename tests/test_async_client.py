"""``AsyncClient``: the same behaviour as ``Client``, awaited (``asyncio.run`` per test).

The retry decisions are checked again through the async driver against the
real socket server, so a bug in either driver cannot hide behind the other.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:  # tests/conftest.py; not importable by name next to tests/local/conftest.py
    from conftest import LocalEndpoint
from test_transport_server import Drop, ScriptedServer, error, ok, unused_port

from sigv4_dataapi import AsyncClient
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import (
    ConnectError,
    ConnectionLostError,
    DatabaseErrorException,
    InternalServerErrorException,
    StatementMayHaveRunError,
)
from sigv4_dataapi._transport.driver import Clocks
from sigv4_dataapi._transport.driver_async import AsyncTransport

T = TypeVar("T")
CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
BODY = b'{"sql": "INSERT INTO t VALUES (1)"}'


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def connect(endpoint: LocalEndpoint, **options: Any) -> AsyncClient:
    return AsyncClient(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                       verify=endpoint.ca_file or False, region=endpoint.region, env={},
                       credentials=endpoint.credentials(), **options)  # fmt: skip


# -- against the local endpoint -------------------------------------------------------------


def test_execute_batch_and_transactions(engine_endpoint: LocalEndpoint) -> None:
    table = f"c2a_{uuid.uuid4().hex[:10]}"

    async def scenario() -> list[Any]:
        async with connect(engine_endpoint) as db:
            await db.execute(f"CREATE TABLE {table} (id BIGINT PRIMARY KEY, name VARCHAR(20))")
            try:
                rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
                await db.batch_execute(f"INSERT INTO {table} VALUES (:id, :name)", rows)
                async with db.transaction() as tx:
                    await tx.execute(f"INSERT INTO {table} VALUES (:id, :name)",
                                     {"id": 3, "name": "c"})  # fmt: skip
                with pytest.raises(KeyError):
                    async with db.transaction() as tx2:
                        await tx2.execute(f"DELETE FROM {table}")
                        raise KeyError("abort")
                result = await db.execute(f"SELECT id, name FROM {table} ORDER BY id")
                return [tx.status, tx2.status, result.rows]
            finally:
                await db.execute(f"DROP TABLE {table}")

    committed, rolled_back, rows = run(scenario())
    assert committed == "Transaction Committed" and rolled_back == "Rollback Complete"
    assert rows == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]


def test_call_and_errors(local_endpoint: LocalEndpoint) -> None:
    async def scenario() -> tuple[dict[str, Any], DatabaseErrorException]:
        async with connect(local_endpoint) as db:
            raw = await db.call("ExecuteStatement", {"sql": "SELECT 1 AS one",
                                                     "formatRecordsAs": "JSON"})  # fmt: skip
            with pytest.raises(DatabaseErrorException) as caught:
                await db.execute("SELEKT 1")
            return raw, caught.value

    raw, failure = run(scenario())
    assert raw["formattedRecords"] == '[{"one":1}]'
    assert failure.request_id and failure.code == "DatabaseErrorException"


@pytest.mark.slow
def test_paused_cluster_is_waited_out(local_endpoint_factory: Callable[..., LocalEndpoint]) -> None:
    endpoint = local_endpoint_factory("--start-paused", "--resume-seconds", "2")
    waits: list[tuple[int, float, float]] = []

    async def scenario() -> list[dict[str, Any]]:
        async with connect(endpoint, on_resume=lambda *a: waits.append(a)) as db:
            return (await db.execute("SELECT 1 AS one")).rows

    started = time.monotonic()
    assert run(scenario()) == [{"one": 1}]
    assert time.monotonic() - started >= 2.0  # the resume was waited out, not skipped
    assert waits and [w[0] for w in waits] == list(range(1, len(waits) + 1))
    assert all(w[2] == 90.0 and 0 <= w[1] < 90 for w in waits)  # the default deadline


# -- retry decisions through the async driver -------------------------------------------------


@pytest.fixture
def servers() -> Iterator[list[ScriptedServer]]:
    started: list[ScriptedServer] = []
    yield started
    for server in started:
        server.close()


def send(url: str, operation: str = "ExecuteStatement", *, sleeps: list[float] | None = None,
         before_sleep: Callable[[], None] | None = None, **options: Any) -> bytes:  # fmt: skip
    async def sleep(seconds: float) -> None:
        (sleeps if sleeps is not None else []).append(seconds)
        if before_sleep is not None:
            before_sleep()

    async def scenario() -> bytes:
        async with AsyncTransport(region="us-east-1", endpoint_url=url, credentials=CREDS, env={},
                                  sleep=sleep, clocks=Clocks(rand=lambda: 0.0),
                                  timeout=30.0) as transport:  # fmt: skip
            return (await transport.send(operation, BODY, **options)).content

    return run(scenario())


@pytest.mark.parametrize("answer", [error("InternalServerErrorException", "", 500), Drop()])
def test_ambiguous_statement_failure_is_not_replayed(
    servers: list[ScriptedServer], answer: Any
) -> None:
    server = ScriptedServer([answer, ok({})])
    servers.append(server)
    with pytest.raises((InternalServerErrorException, ConnectionLostError)) as caught:
        send(server.url)
    assert isinstance(caught.value, StatementMayHaveRunError)
    assert server.bodies() == [BODY]


def test_idempotent_statement_is_replayed(servers: list[ScriptedServer]) -> None:
    server = ScriptedServer([Drop(), ok({"ok": 1})])
    servers.append(server)
    assert send(server.url, idempotent=True) == b'{"ok": 1}'
    assert server.bodies() == [BODY, BODY]


def test_throttling_and_resume_are_retried(servers: list[ScriptedServer]) -> None:
    server = ScriptedServer([error("ThrottlingException", "slow down"),
                             error("DatabaseResumingException", "resuming"), ok({})])  # fmt: skip
    servers.append(server)
    sleeps: list[float] = []
    send(server.url, sleeps=sleeps)
    assert server.bodies() == [BODY] * 3
    assert sleeps == [0.1, 1.0]


def test_refused_connection_is_retried(servers: list[ScriptedServer]) -> None:
    port = unused_port()

    def listen() -> None:
        if not servers:
            servers.append(ScriptedServer([ok({})], port=port))

    assert send(f"http://127.0.0.1:{port}", before_sleep=listen) == b"{}"
    assert servers[0].bodies() == [BODY]


def test_refused_connection_gives_up() -> None:
    sleeps: list[float] = []
    with pytest.raises(ConnectError):
        send(f"http://127.0.0.1:{unused_port()}", sleeps=sleeps)
    assert len(sleeps) == 3


def test_every_request_option_gives_the_same_bodies_as_the_sync_client() -> None:
    """Single layer (mock transports): the async client sends byte for byte what ``Client`` does."""
    import httpx

    from sigv4_dataapi import Client

    answers = {"/Execute": {"numberOfRecordsUpdated": 0}, "/BatchExecute": {"updateResults": []},
               "/BeginTransaction": {"transactionId": "tx"},
               "/CommitTransaction": {"transactionStatus": "Transaction Committed"},
               "/RollbackTransaction": {"transactionStatus": "Rollback Complete"},
               "/ExecuteSql": {"sqlStatementResults": []}}  # fmt: skip
    sent: dict[str, list[tuple[str, bytes]]] = {"sync": [], "async": []}

    def recorder(kind: str) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            sent[kind].append((request.url.path, request.content))
            return httpx.Response(200, json=answers[request.url.path])

        return handler

    arns = ("arn:aws:rds:us-east-1:1:cluster:c", "arn:aws:secretsmanager:us-east-1:1:s")
    common: dict[str, Any] = {"database": "app", "schema": "s1", "env": {}, "credentials": CREDS}
    execute: dict[str, Any] = {"type_hints": {"d": "DATE"}, "transaction_id": "tx",
               "database": "other",
               "continue_after_timeout": True, "format_records_as": "JSON",
               "result_set_options": {"decimalReturnType": "DOUBLE_OR_LONG"},
               "include_result_metadata": False}  # fmt: skip
    batch: dict[str, Any] = {"type_hints": {"d": "DATE"}, "transaction_id": "tx",
                             "database": "d2", "schema": "s2"}  # fmt: skip
    sets = [{"d": "2024-01-02"}, {"d": "2024-01-03"}]
    legacy = {"sqlStatements": "SELECT 1", "database": "app"}

    with Client(*arns, http_client=httpx.Client(transport=httpx.MockTransport(recorder("sync"))),
                **common) as db:  # fmt: skip
        db.execute("SELECT :d", {"d": "2024-01-02"}, **execute)
        db.batch_execute("INSERT :d", sets, **batch)
        db.begin_transaction(database="d3", schema="s3")
        db.commit_transaction("tx")
        db.rollback_transaction("tx")
        db.call("ExecuteSql", legacy)

    async def scenario() -> None:
        mock = httpx.AsyncClient(transport=httpx.MockTransport(recorder("async")))
        async with AsyncClient(*arns, http_client=mock, **common) as db:
            await db.execute("SELECT :d", {"d": "2024-01-02"}, **execute)
            await db.batch_execute("INSERT :d", sets, **batch)
            await db.begin_transaction(database="d3", schema="s3")
            await db.commit_transaction("tx")
            await db.rollback_transaction("tx")
            await db.call("ExecuteSql", legacy)

    run(scenario())
    assert len(sent["sync"]) == 6 and sent["async"] == sent["sync"]
    assert [path for path, _ in sent["sync"]] == list(answers)
