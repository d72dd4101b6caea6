"""``Client`` against the real local endpoint over TLS (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import asyncio
import json
import ssl
import time as clock
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # tests/conftest.py; not importable by name next to tests/local/conftest.py
    from conftest import LocalEndpoint
from test_transport_server import Answer, Drop, ScriptedServer, error, ok

from sigv4_dataapi import Client
from sigv4_dataapi._codec.result import BatchResult, Result
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import (
    AuthError,
    BadRequestException,
    CertificateError,
    ConfigurationError,
    ConnectionLostError,
    DatabaseErrorException,
    InternalServerErrorException,
    ResponseParseError,
    ServerFaultError,
    ServiceError,
    StatementError,
    StatementMayHaveRunError,
)
from sigv4_dataapi._transport.driver import Clocks

BLOB = {"sqlite": "BLOB", "postgres": "BYTEA", "mysql": "BLOB"}


def connect(endpoint: LocalEndpoint, **options: Any) -> Client:
    options.setdefault("credentials", endpoint.credentials())
    options.setdefault("verify", endpoint.ca_file or False)
    return Client(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                  region=endpoint.region, env={}, **options)  # fmt: skip


@pytest.fixture
def db(engine_endpoint: LocalEndpoint) -> Iterator[Client]:
    with connect(engine_endpoint) as client:
        yield client


@pytest.fixture
def table(db: Client, engine_endpoint: LocalEndpoint) -> Iterator[str]:
    """A fresh table per test: the PostgreSQL/MariaDB databases are shared."""
    name = f"c2_{uuid.uuid4().hex[:10]}"
    db.execute(f"CREATE TABLE {name} (id BIGINT PRIMARY KEY, name VARCHAR(50), "
               f"score DOUBLE PRECISION, data {BLOB[engine_endpoint.engine]})")  # fmt: skip
    yield name
    db.execute(f"DROP TABLE {name}")


def count(db: Client, table: str) -> int:
    return int(db.execute(f"SELECT COUNT(*) AS n FROM {table}").rows[0]["n"])


def test_execute_round_trips_values(db: Client, table: str) -> None:
    values = {"id": 2**62, "name": "h\u00e9llo \"x\"", "score": -1.5, "data": b"\x00\xff\x01"}
    inserted = db.execute(f"INSERT INTO {table} VALUES (:id, :name, :score, :data)", values)
    assert inserted.number_of_records_updated == 1
    result = db.execute(f"SELECT id, name, score, data FROM {table} WHERE id = :id", {"id": 2**62})
    assert isinstance(result, Result)
    assert result.rows == [values]
    assert result.records == [list(values.values())]
    assert [c.label for c in result.columns] == ["id", "name", "score", "data"]
    db.execute(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", {"id": 1, "name": None})
    assert db.execute(f"SELECT name, score FROM {table} WHERE id = 1").records == [[None, None]]


def test_batch_execute(db: Client, table: str) -> None:
    rows = [{"id": n, "name": f"n{n}"} for n in range(5)]
    batch = db.batch_execute(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", rows)
    assert isinstance(batch, BatchResult) and len(batch) == 5
    assert count(db, table) == 5


def test_transaction_commits_on_success(db: Client, table: str) -> None:
    with db.transaction() as tx:
        assert tx.id
        tx.execute(f"INSERT INTO {table} (id) VALUES (:id)", {"id": 1})
        tx.batch_execute(f"INSERT INTO {table} (id) VALUES (:id)", [{"id": 2}, {"id": 3}])
    assert tx.status == "Transaction Committed"
    assert count(db, table) == 3


def test_transaction_rolls_back_on_exception(db: Client, table: str) -> None:
    with pytest.raises(RuntimeError, match="boom"), db.transaction() as tx:
        tx.execute(f"INSERT INTO {table} (id) VALUES (:id)", {"id": 1})
        raise RuntimeError("boom")
    assert tx.status == "Rollback Complete"
    assert count(db, table) == 0
    with pytest.raises(ConfigurationError, match="ended"):
        tx.execute("SELECT 1")


def test_explicit_rollback_inside_the_block(db: Client, table: str) -> None:
    with db.transaction() as tx:
        tx.execute(f"INSERT INTO {table} (id) VALUES (:id)", {"id": 1})
        assert tx.rollback() == "Rollback Complete"
    assert count(db, table) == 0


def test_json_format_and_request_options(db: Client, table: str) -> None:
    db.execute(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", {"id": 7, "name": "x"})
    result = db.execute(f"SELECT id, name FROM {table}", format_records_as="JSON")
    assert result.rows == [{"id": 7, "name": "x"}]
    as_text = db.execute(f"SELECT id FROM {table}", result_set_options={"longReturnType": "STRING"},
                         continue_after_timeout=True, convert=False)  # fmt: skip
    assert as_text.records == [["7"]]
    raw = db.execute(f"SELECT id FROM {table}", include_result_metadata=False)
    assert raw.columns == () and raw.records == [[7]]


def test_convert_false_keeps_the_service_values(db: Client, engine_endpoint: LocalEndpoint) -> None:
    name = f"c2_{uuid.uuid4().hex[:10]}"
    db.execute(f"CREATE TABLE {name} (d DECIMAL(10,2))")  # SQLite: declared type (no CAST type)
    db.execute(f"INSERT INTO {name} VALUES (:d)", {"d": Decimal("1.50")})
    converted = db.execute(f"SELECT d FROM {name}")
    raw = db.execute(f"SELECT d FROM {name}", convert=False)
    db.execute(f"DROP TABLE {name}")
    assert isinstance(raw.records[0][0], str)
    assert Decimal(raw.records[0][0]) == converted.records[0][0] == Decimal("1.50")


def test_call_reaches_every_v2_operation_raw(db: Client, table: str) -> None:
    tx = db.call("BeginTransaction", {})["transactionId"]
    out = db.call("ExecuteStatement", {"sql": f"INSERT INTO {table} (id) VALUES (:id)",
                                       "parameters": [{"name": "id", "value": {"longValue": 1}}],
                                       "transactionId": tx})  # fmt: skip
    assert out["numberOfRecordsUpdated"] == 1
    batch = db.call("BatchExecuteStatement", {
        "sql": f"INSERT INTO {table} (id) VALUES (:id)", "transactionId": tx,
        "parameterSets": [[{"name": "id", "value": {"longValue": 2}}]],
    })  # fmt: skip
    assert len(batch["updateResults"]) == 1
    assert db.call("CommitTransaction", {"transactionId": tx}) == {
        "transactionStatus": "Transaction Committed"
    }
    tx2 = db.call("BeginTransaction", {})["transactionId"]
    assert db.call("RollbackTransaction", {"transactionId": tx2})["transactionStatus"] == (
        "Rollback Complete"
    )
    assert count(db, table) == 2


def test_call_reaches_the_legacy_execute_sql(
    local_endpoint_factory: Callable[..., LocalEndpoint],
) -> None:
    with connect(local_endpoint_factory(flavor="v1")) as v1:
        out = v1.call("ExecuteSql", {"sqlStatements": "SELECT 1; SELECT 2"})
    assert len(out["sqlStatementResults"]) == 2


def test_execute_sql_decodes_each_statement_of_the_legacy_call(
    local_endpoint_factory: Callable[..., LocalEndpoint],
) -> None:
    """``execute_sql`` sends ``ExecuteSql`` and decodes its legacy answer: one Result each."""
    with connect(local_endpoint_factory(flavor="v1")) as v1:
        first, second = v1.execute_sql("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c")
    assert first.rows == [{"a": 1}] and second.rows == [{"b": "x", "c": 2}]
    assert [c.label for c in second.columns] == ["b", "c"]


def test_sql_errors_come_back_by_class(db: Client, engine_endpoint: LocalEndpoint) -> None:
    with pytest.raises(DatabaseErrorException) as caught:
        db.execute("SELEKT 1")
    assert caught.value.request_id and caught.value.status_code == 400
    if engine_endpoint.engine == "postgres":
        assert caught.value.sqlstate == "42601"
    if engine_endpoint.engine == "mysql":
        assert caught.value.mysql_errno == 1064


def test_v1_sql_errors_are_bad_requests(
    local_endpoint_factory: Callable[..., LocalEndpoint],
) -> None:
    with connect(local_endpoint_factory(flavor="v1")) as v1, pytest.raises(
        BadRequestException
    ) as caught:
        v1.execute("SELEKT 1")
    assert isinstance(caught.value, StatementError)


def test_unknown_transaction(db: Client) -> None:
    with pytest.raises(ServiceError) as caught:
        db.commit_transaction("no-such-transaction")
    assert caught.value.status_code in (400, 404)


def test_wrong_secret_key_is_an_auth_error(local_endpoint: LocalEndpoint) -> None:
    bad = Credentials(local_endpoint.access_key_id, "not-the-secret")
    with connect(local_endpoint, credentials=bad) as client, pytest.raises(AuthError):
        client.execute("SELECT 1")


def test_untrusted_certificate(local_endpoint: LocalEndpoint) -> None:
    client = Client(local_endpoint.resource_arn, local_endpoint.secret_arn,
                    endpoint_url=local_endpoint.endpoint, region=local_endpoint.region,
                    credentials=local_endpoint.credentials(), env={})  # fmt: skip
    with client, pytest.raises(CertificateError):
        client.execute("SELECT 1")


def test_clock_skew_is_corrected(local_endpoint: LocalEndpoint) -> None:
    behind = Clocks(now=lambda: datetime.now(timezone.utc) - timedelta(hours=2))
    with connect(local_endpoint, clocks=behind) as client:
        assert client.execute("SELECT 1 AS one").rows == [{"one": 1}]
        assert client.execute("SELECT 2 AS two").rows == [{"two": 2}]  # the offset is kept


@pytest.mark.slow
@pytest.mark.parametrize("flavor", ["v2", "v1"])
def test_paused_cluster_is_waited_out(
    local_endpoint_factory: Callable[..., LocalEndpoint], flavor: str
) -> None:
    endpoint = local_endpoint_factory("--start-paused", "--resume-seconds", "2", flavor=flavor)
    waits: list[tuple[int, float, float]] = []
    started = clock.monotonic()
    with connect(endpoint, on_resume=lambda *a: waits.append(a), resume_timeout=60) as client:
        assert client.execute("SELECT 1 AS one").rows == [{"one": 1}]
    assert clock.monotonic() - started >= 2.0  # the resume was waited out, not skipped
    assert [w[0] for w in waits] == list(range(1, len(waits) + 1))  # attempt numbers
    assert all(w[2] == 60 and 0 <= w[1] < 60 for w in waits)  # waited so far, deadline


# -- the client's retry choices, against the scripted socket server ---------------------------


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


def plain(server: ScriptedServer, **options: Any) -> Client:
    sleeps: list[float] = []
    return Client("arn:aws:rds:us-east-1:123456789012:cluster:c", "arn:aws:secretsmanager:x",
                  endpoint_url=server.url, credentials=Credentials("AKID", "secret"), env={},
                  sleep=sleeps.append, **options)  # fmt: skip


def sql_of(server: ScriptedServer) -> list[str]:
    return [json.loads(r.body).get("sql", r.path) for r in server.requests]


def test_a_dropped_insert_is_not_replayed_unless_idempotent(
    scripted: Callable[..., ScriptedServer],
) -> None:
    server = scripted(Drop(), ok({"numberOfRecordsUpdated": 1}))
    with plain(server) as db, pytest.raises(StatementMayHaveRunError, match="may have run"):
        db.execute("INSERT INTO t VALUES (1)")
    assert sql_of(server) == ["INSERT INTO t VALUES (1)"]
    server = scripted(Drop(), ok({"numberOfRecordsUpdated": 1}))
    with plain(server) as db:
        assert db.execute("UPSERT 1", idempotent=True).number_of_records_updated == 1
    assert sql_of(server) == ["UPSERT 1", "UPSERT 1"]
    server = scripted(Drop(), ok({"numberOfRecordsUpdated": 1}))
    with plain(server, idempotent=True) as db:
        db.batch_execute("UPSERT :a", [{"a": 1}])
    assert sql_of(server) == ["UPSERT :a", "UPSERT :a"]


def test_an_ambiguous_commit_is_raised_and_neither_replayed_nor_rolled_back(
    scripted: Callable[..., ScriptedServer],
) -> None:
    server = scripted(ok({"transactionId": "tx-1"}), ok({"numberOfRecordsUpdated": 1}),
                      error("InternalServerErrorException", "", 500))  # fmt: skip
    with plain(server) as db, pytest.raises(InternalServerErrorException):  # noqa: SIM117
        with db.transaction() as tx:
            tx.execute("INSERT INTO t VALUES (1)")
    paths = [r.path for r in server.requests]
    assert paths == ["/BeginTransaction", "/Execute", "/CommitTransaction"]
    assert json.loads(server.requests[1].body)["transactionId"] == "tx-1"


def test_a_failed_rollback_does_not_hide_the_original_error(
    scripted: Callable[..., ScriptedServer],
) -> None:
    server = scripted(ok({"transactionId": "tx-1"}),
                      error("DatabaseErrorException", "duplicate key; SQLState: 23505"),
                      error("InternalServerErrorException", "", 500))  # fmt: skip
    with plain(server) as db, pytest.raises(DatabaseErrorException) as caught:  # noqa: SIM117
        with db.transaction() as tx:
            tx.execute("INSERT INTO t VALUES (1)")
    assert caught.value.sqlstate == "23505"
    paths = [r.path for r in server.requests]
    assert paths[:2] == ["/BeginTransaction", "/Execute"]
    assert set(paths[2:]) == {"/RollbackTransaction"} and len(paths) == 2 + 4  # retried, safe


@pytest.mark.parametrize(
    ("answer", "raised", "may_have_run"),
    [
        pytest.param(Answer(200, b"<html>portal</html>", (("Content-Type", "text/html"),)),
                     ResponseParseError, False, id="200-html"),
        pytest.param(Answer(200, b'{"numberOfRecordsUpdated": 1}', cut=5), ConnectionLostError,
                     True, id="200-truncated"),
        pytest.param(Answer(502, b"<html>Bad Gateway</html>", (("Content-Type", "text/html"),)),
                     ServerFaultError, True, id="502-html"),
        pytest.param(Answer(403, b"<html>Forbidden</html>", (("Content-Type", "text/html"),)),
                     ResponseParseError, False, id="403-html"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_the_service_json_is_a_clear_error_and_not_replayed(
    scripted: Callable[..., ScriptedServer], answer: Answer, raised: type, may_have_run: bool
) -> None:
    server = scripted(answer, ok({"numberOfRecordsUpdated": 1}))
    with plain(server) as db, pytest.raises(raised) as caught:
        db.execute("INSERT INTO t VALUES (1)")
    assert isinstance(caught.value, StatementMayHaveRunError) is may_have_run
    assert ("may have run" in str(caught.value)) is may_have_run
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert sql_of(server) == ["INSERT INTO t VALUES (1)"]


def test_verify_takes_a_path_a_context_or_false(local_endpoint: LocalEndpoint) -> None:
    ca = local_endpoint.ca_file
    assert local_endpoint.endpoint.startswith("https://") and ca
    verify: Any
    for verify in (ca, ssl.create_default_context(cafile=ca), False):
        with connect(local_endpoint, verify=verify) as client:
            assert client.execute("SELECT 1 AS one").rows == [{"one": 1}]
    env = {"AWS_CA_BUNDLE": ca}
    with Client(local_endpoint.resource_arn, local_endpoint.secret_arn,
                endpoint_url=local_endpoint.endpoint, region=local_endpoint.region, env=env,
                credentials=local_endpoint.credentials()) as client:  # fmt: skip
        assert client.execute("SELECT 2 AS two").rows == [{"two": 2}]


# -- every value type, through a typed table --------------------------------------------------

# SQLite answers by declared type as Aurora MySQL does (docs/local-endpoint-fidelity.md), so it
# runs MariaDB's DDL and gives back the same values.
MYSQL_TYPED = ("id bigint primary key, b boolean, f double, d decimal(12,3), ts datetime(6), "
               "tstz datetime(6), dt date, tm time(6), u char(36), j json, bl blob, s text")
TYPED = {
    "postgres": "id bigint primary key, b boolean, f double precision, d numeric(12,3), "
                "ts timestamp, tstz timestamptz, dt date, tm time, u uuid, j jsonb, bl bytea, "
                "s text",
    "mysql": MYSQL_TYPED,
    "sqlite": MYSQL_TYPED,
}  # fmt: skip


def typed_values() -> dict[str, Any]:
    return {
        "id": 2**53 + 1, "b": True, "f": 1.25, "d": Decimal("12.345"),
        "ts": datetime(2024, 1, 2, 3, 4, 5, 120000),
        "tstz": datetime(2024, 1, 2, 3, 4, 5, 100, tzinfo=timezone(timedelta(hours=2))),
        "dt": date(2024, 2, 29), "tm": time(23, 59, 58, 500000), "u": uuid.uuid4(),
        "j": {"a": [1, None, "x"], "b": "\u00e9"}, "bl": b"\x00\xff", "s": "h\u00e9llo",
    }  # fmt: skip


def check_round_trip(engine: str, sent: dict[str, Any], got: dict[str, Any]) -> None:
    expected = dict(sent)
    expected["u"] = str(sent["u"])  # a uuid column comes back as its text
    if engine == "postgres":
        expected["tstz"] = sent["tstz"].astimezone(timezone.utc)  # timestamptz: aware UTC
    else:  # MariaDB and SQLite: DATETIME is naive (the UTC value sent)
        expected["tstz"] = sent["tstz"].astimezone(timezone.utc).replace(tzinfo=None)
    if engine == "mysql":  # MariaDB's JSON is LONGTEXT: text, where MySQL 8 and SQLite say JSON
        got["j"] = json.loads(got["j"])
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}
    assert got == expected


@pytest.mark.parametrize("client_kind", ["sync", "async"])
def test_every_value_type_round_trips(engine_endpoint: LocalEndpoint, client_kind: str) -> None:
    name = f"c2_{uuid.uuid4().hex[:10]}"
    values = typed_values()
    columns = ", ".join(values)
    placeholders = ", ".join(f":{key}" for key in values)
    statements = [f"CREATE TABLE {name} ({TYPED[engine_endpoint.engine]})",
                  f"INSERT INTO {name} ({columns}) VALUES ({placeholders})",
                  f"SELECT {columns} FROM {name}", f"DROP TABLE {name}"]  # fmt: skip
    if client_kind == "sync":
        with connect(engine_endpoint) as db:
            results = [db.execute(sql, values if ":" in sql else None) for sql in statements]
    else:
        from sigv4_dataapi import AsyncClient

        async def scenario() -> list[Result]:
            async with AsyncClient(
                engine_endpoint.resource_arn, engine_endpoint.secret_arn,
                endpoint_url=engine_endpoint.endpoint, verify=engine_endpoint.ca_file or False,
                region=engine_endpoint.region, env={}, credentials=engine_endpoint.credentials(),
            ) as db:  # fmt: skip
                return [await db.execute(sql, values if ":" in sql else None)
                        for sql in statements]  # fmt: skip

        results = asyncio.run(scenario())
    check_round_trip(engine_endpoint.engine, values, results[2].rows[0])


def test_every_execute_option_reaches_the_body() -> None:
    """Single layer (MockTransport): what each keyword becomes on the wire (§2)."""
    import httpx

    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"numberOfRecordsUpdated": 0})

    db = Client("arn:aws:rds:us-east-1:1:cluster:c", "arn:aws:secretsmanager:us-east-1:1:s",
                database="app", schema="s1", credentials=Credentials("AKID", "secret"), env={},
                http_client=httpx.Client(transport=httpx.MockTransport(handler)))  # fmt: skip
    db.execute("SELECT :d", {"d": "2024-01-02"}, type_hints={"d": "DATE"}, transaction_id="tx",
               database="other", continue_after_timeout=True, format_records_as="JSON",
               result_set_options={"decimalReturnType": "DOUBLE_OR_LONG"})  # fmt: skip
    db.execute("SELECT 1", include_result_metadata=False)
    assert sent[0] == {
        "resourceArn": "arn:aws:rds:us-east-1:1:cluster:c",
        "secretArn": "arn:aws:secretsmanager:us-east-1:1:s",
        "database": "other", "schema": "s1", "sql": "SELECT :d",
        "parameters": [{"name": "d", "value": {"stringValue": "2024-01-02"}, "typeHint": "DATE"}],
        "transactionId": "tx", "includeResultMetadata": True, "continueAfterTimeout": True,
        "formatRecordsAs": "JSON", "resultSetOptions": {"decimalReturnType": "DOUBLE_OR_LONG"},
    }  # fmt: skip
    assert "includeResultMetadata" not in sent[1] and sent[1]["database"] == "app"
