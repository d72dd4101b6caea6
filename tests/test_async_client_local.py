"""``AsyncClient`` against the local endpoint over TLS: what ``test_client.py`` proves, awaited.

JSON format and request options, errors by class with the engine's code, all
six operations through ``call`` (``ExecuteSql`` on a v1 endpoint), every form
of ``verify``, clock-skew correction, unreadable answers, and a paused v1
cluster waited out.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:  # tests/conftest.py; not importable by name next to tests/local/conftest.py
    from conftest import LocalEndpoint
from test_transport_server import Answer, ScriptedServer, ok

from sigv4_dataapi import AsyncClient
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import (
    AuthError,
    BadRequestException,
    CertificateError,
    ConnectionLostError,
    DatabaseErrorException,
    ResponseParseError,
    ServiceError,
    StatementMayHaveRunError,
)
from sigv4_dataapi._transport.driver import Clocks

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def connect(endpoint: LocalEndpoint, **options: Any) -> AsyncClient:
    options.setdefault("credentials", endpoint.credentials())
    options.setdefault("verify", endpoint.ca_file or False)
    return AsyncClient(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                       region=endpoint.region, env={}, **options)  # fmt: skip


def test_json_format_and_request_options(engine_endpoint: LocalEndpoint) -> None:
    table = f"c2c_{uuid.uuid4().hex[:10]}"

    async def scenario() -> list[Any]:
        async with connect(engine_endpoint) as db:
            await db.execute(f"CREATE TABLE {table} (id BIGINT PRIMARY KEY, name VARCHAR(20))")
            try:
                await db.execute(f"INSERT INTO {table} VALUES (:id, :name)", {"id": 7, "name": "x"})
                as_json = await db.execute(f"SELECT id, name FROM {table}",
                                           format_records_as="JSON")  # fmt: skip
                as_text = await db.execute(
                    f"SELECT id FROM {table}", result_set_options={"longReturnType": "STRING"},
                    continue_after_timeout=True, convert=False,
                )  # fmt: skip
                bare = await db.execute(f"SELECT id FROM {table}", include_result_metadata=False)
                return [as_json.rows, as_text.records, bare.columns, bare.records]
            finally:
                await db.execute(f"DROP TABLE {table}")

    assert run(scenario()) == [[{"id": 7, "name": "x"}], [["7"]], (), [[7]]]


def test_sql_errors_come_back_by_class(engine_endpoint: LocalEndpoint) -> None:
    async def scenario() -> tuple[DatabaseErrorException, ServiceError]:
        async with connect(engine_endpoint) as db:
            with pytest.raises(DatabaseErrorException) as bad_sql:
                await db.execute("SELEKT 1")
            with pytest.raises(ServiceError) as no_tx:
                await db.commit_transaction("no-such-transaction")
            return bad_sql.value, no_tx.value

    failure, unknown = run(scenario())
    assert failure.request_id and failure.status_code == 400
    assert failure.code == "DatabaseErrorException"
    if engine_endpoint.engine == "postgres":
        assert failure.sqlstate == "42601"
    if engine_endpoint.engine == "mysql":
        assert failure.mysql_errno == 1064
    assert unknown.status_code in (400, 404)


def test_call_reaches_all_six_operations(
    local_endpoint: LocalEndpoint, local_endpoint_factory: Callable[..., LocalEndpoint]
) -> None:
    table = f"c2c_{uuid.uuid4().hex[:10]}"
    one = [{"name": "id", "value": {"longValue": 1}}]

    async def v2() -> list[Any]:
        async with connect(local_endpoint) as db:
            await db.call("ExecuteStatement", {"sql": f"CREATE TABLE {table} (id BIGINT)"})
            tx = (await db.call("BeginTransaction", {}))["transactionId"]
            sql = f"INSERT INTO {table} VALUES (:id)"
            await db.call("ExecuteStatement", {"sql": sql, "parameters": one, "transactionId": tx})
            sets = {"sql": sql, "transactionId": tx, "parameterSets": [one, one]}
            batch = await db.call("BatchExecuteStatement", sets)
            committed = await db.call("CommitTransaction", {"transactionId": tx})
            tx2 = (await db.call("BeginTransaction", {}))["transactionId"]
            rolled = await db.call("RollbackTransaction", {"transactionId": tx2})
            rows = (await db.execute(f"SELECT COUNT(*) AS n FROM {table}")).rows
            await db.call("ExecuteStatement", {"sql": f"DROP TABLE {table}"})
            return [len(batch["updateResults"]), committed, rolled, rows]

    async def v1(endpoint: LocalEndpoint) -> dict[str, Any]:
        async with connect(endpoint) as db:
            return await db.call("ExecuteSql", {"sqlStatements": "SELECT 1; SELECT 2"})

    assert run(v2()) == [2, {"transactionStatus": "Transaction Committed"},
                         {"transactionStatus": "Rollback Complete"}, [{"n": 3}]]  # fmt: skip
    legacy = local_endpoint_factory(flavor="v1")
    assert len(run(v1(legacy))["sqlStatementResults"]) == 2


def test_v1_sql_errors_are_bad_requests(
    local_endpoint_factory: Callable[..., LocalEndpoint],
) -> None:
    async def scenario(endpoint: LocalEndpoint) -> None:
        async with connect(endpoint) as db:
            await db.execute("SELEKT 1")

    with pytest.raises(BadRequestException):
        run(scenario(local_endpoint_factory(flavor="v1")))


def test_every_form_of_verify_and_an_untrusted_certificate(local_endpoint: LocalEndpoint) -> None:
    ca = local_endpoint.ca_file
    assert local_endpoint.endpoint.startswith("https://") and ca

    async def select(**options: Any) -> Any:
        async with connect(local_endpoint, **options) as db:
            return (await db.execute("SELECT 1 AS one")).rows

    for verify in (ca, ssl.create_default_context(cafile=ca), False):
        assert run(select(verify=verify)) == [{"one": 1}]
    with pytest.raises(CertificateError):
        run(select(verify=True))
    with pytest.raises(AuthError):
        run(select(credentials=Credentials(local_endpoint.access_key_id, "not-the-secret")))


def test_clock_skew_is_corrected(local_endpoint: LocalEndpoint) -> None:
    behind = Clocks(now=lambda: datetime.now(timezone.utc) - timedelta(hours=2))

    async def scenario() -> list[Any]:
        async with connect(local_endpoint, clocks=behind) as db:
            return [(await db.execute("SELECT 1 AS one")).rows,
                    (await db.execute("SELECT 2 AS two")).rows]  # fmt: skip

    assert run(scenario()) == [[{"one": 1}], [{"two": 2}]]


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    started: list[ScriptedServer] = []

    def start(*script: Any) -> ScriptedServer:
        server = ScriptedServer(list(script))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (Answer(200, b"<html>portal</html>", (("Content-Type", "text/html"),)),
         ResponseParseError),
        (Answer(200, b'{"numberOfRecordsUpdated": 1}', cut=5), ConnectionLostError),
    ],
    ids=["200-html", "200-truncated"],
)  # fmt: skip
def test_an_unreadable_answer_is_a_clear_error_and_not_replayed(
    scripted: Callable[..., ScriptedServer], answer: Answer, raised: type
) -> None:
    server = scripted(answer, ok({}))

    async def scenario() -> None:
        async with AsyncClient("arn:aws:rds:us-east-1:1:cluster:c", "arn:aws:secretsmanager:x",
                               endpoint_url=server.url, credentials=Credentials("AKID", "s"),
                               env={}) as db:  # fmt: skip
            await db.execute("INSERT INTO t VALUES (1)")

    with pytest.raises(raised) as caught:
        run(scenario())
    assert isinstance(caught.value, StatementMayHaveRunError) is (raised is ConnectionLostError)
    assert len(server.requests) == 1


@pytest.mark.slow
def test_a_paused_v1_cluster_is_waited_out(
    local_endpoint_factory: Callable[..., LocalEndpoint],
) -> None:
    endpoint = local_endpoint_factory("--start-paused", "--resume-seconds", "2", flavor="v1")
    waits: list[tuple[int, float, float]] = []

    async def scenario() -> Any:
        async with connect(endpoint, on_resume=lambda *a: waits.append(a),
                           resume_timeout=60) as db:  # fmt: skip
            return (await db.execute("SELECT 1 AS one")).rows

    started = time.monotonic()
    assert run(scenario()) == [{"one": 1}]
    assert time.monotonic() - started >= 2.0  # the resume was waited out, not skipped
    assert waits and all(w[2] == 60 and 0 <= w[1] < 60 for w in waits)
