"""Every retry decision, against a real socket server that counts what it received.

The property under test: no statement reaches the server twice unless the
caller marked it idempotent, while everything that provably did not run
(refused connection, failed TLS handshake, throttling, a resuming cluster, an
expired signature) is retried on its own.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_transport_server import (
    Answer,
    Drop,
    Hang,
    ScriptedServer,
    error,
    ok,
    self_signed,
    unused_port,
)

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import (
    BadRequestException,
    CertificateError,
    ConnectError,
    ConnectionLostError,
    DatabaseErrorException,
    DatabaseResumingException,
    InternalServerErrorException,
    InvalidSignatureException,
    ReadTimeoutError,
    ServerFaultError,
    StatementMayHaveRunError,
    StatementTimeoutException,
    ThrottlingException,
)
from sigv4_dataapi._transport.driver import Clocks, Transport, TransportHooks
from sigv4_dataapi._transport.retry import RetryPolicy

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
ENV = {"AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/c"}
BODY = b'{"resourceArn": "arn:aws:rds:us-east-1:1:cluster:c", "sql": "INSERT INTO t VALUES (1)"}'


class FakeTime:
    """A monotonic clock that only ``sleep`` moves; records every pause."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.wall = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clocks(self) -> Clocks:
        return Clocks(now=lambda: self.wall, monotonic=lambda: self.now, rand=lambda: 0.5)


@pytest.fixture
def servers() -> Iterator[list[ScriptedServer]]:
    started: list[ScriptedServer] = []
    yield started
    for server in started:
        server.close()


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def make(
    servers: list[ScriptedServer],
    fake: FakeTime,
    *script: Any,
    url: str | None = None,
    **options: Any,
) -> tuple[Transport, ScriptedServer | None]:
    server = None
    if script:
        server = ScriptedServer(list(script), **options.pop("server", {}))
        servers.append(server)
    options.setdefault("timeout", 30.0)  # never reached: the server answers or drops at once
    options.setdefault("sleep", fake.sleep)
    transport = Transport(
        region="us-east-1", endpoint_url=url or (server.url if server else None),
        credentials=CREDS, env=ENV, clocks=fake.clocks(), **options,
    )  # fmt: skip
    return transport, server


# -- ambiguous failures of statements: raised, sent exactly once ----------------------

AMBIGUOUS = [
    pytest.param(error("InternalServerErrorException", "", 500), InternalServerErrorException,
                 id="500"),
    pytest.param(error("ServiceUnavailableError", "", 503), ServerFaultError, id="503"),
    pytest.param(error("DatabaseUnavailableException", "", 504), ServerFaultError, id="504"),
    pytest.param(error("StatementTimeoutException", "timeout", 400, dbConnectionId=12345),
                 StatementTimeoutException, id="statement-timeout"),
    pytest.param(Answer(502, b"<html>Bad Gateway</html>", (("Content-Type", "text/html"),)),
                 ServerFaultError, id="502-html"),
    pytest.param(Drop(), ConnectionLostError, id="dropped"),
]  # fmt: skip


@pytest.mark.parametrize("operation", ["ExecuteStatement", "BatchExecuteStatement",
                                       "CommitTransaction", "ExecuteSql"])  # fmt: skip
@pytest.mark.parametrize(("answer", "raised"), AMBIGUOUS)
def test_ambiguous_failure_of_a_statement_is_raised_not_replayed(
    servers: list[ScriptedServer], fake: FakeTime, operation: str, answer: Any, raised: type
) -> None:
    transport, server = make(servers, fake, answer, ok({}))
    with transport, pytest.raises(raised) as caught:
        transport.send(operation, BODY)
    assert isinstance(caught.value, StatementMayHaveRunError)
    assert server is not None and server.bodies() == [BODY]
    assert fake.sleeps == []


def test_read_timeout_is_ambiguous_and_sent_once(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    # a short read budget, a generous connect one: only the read may time out, even under load
    transport, server = make(servers, fake, Hang(30.0), ok({}),
                             timeout=httpx.Timeout(0.3, connect=10.0))  # fmt: skip
    with transport, pytest.raises(ReadTimeoutError, match="may have run") as caught:
        transport.send("ExecuteStatement", BODY)
    assert isinstance(caught.value, StatementMayHaveRunError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert server is not None and len(server.requests) == 1


def test_statement_timeout_carries_the_connection_id(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    answer = error("StatementTimeoutException", "took too long", 400, dbConnectionId=12345)
    transport, _ = make(servers, fake, answer)
    with transport, pytest.raises(StatementTimeoutException) as caught:
        transport.send("ExecuteStatement", BODY)
    assert caught.value.db_connection_id == 12345
    assert caught.value.request_id == "req-1234"
    assert caught.value.status_code == 400


@pytest.mark.parametrize(("answer", "_raised"), AMBIGUOUS)
def test_idempotent_call_is_replayed_after_an_ambiguous_failure(
    servers: list[ScriptedServer], fake: FakeTime, answer: Any, _raised: type
) -> None:
    transport, server = make(servers, fake, answer, ok({"numberOfRecordsUpdated": 1}))
    with transport:
        response = transport.send("ExecuteStatement", BODY, idempotent=True)
    assert json.loads(response.content) == {"numberOfRecordsUpdated": 1}
    assert server is not None and server.bodies() == [BODY, BODY]
    assert fake.sleeps == [pytest.approx(0.1 + 0.25)]  # wait_initial + jitter * rand


def test_client_wide_idempotent_policy(servers: list[ScriptedServer], fake: FakeTime) -> None:
    transport, server = make(servers, fake, Drop(), ok({}),
                             retry=RetryPolicy(idempotent=True))  # fmt: skip
    with transport:
        transport.send("ExecuteStatement", BODY)
    assert server is not None and len(server.requests) == 2


def test_idempotent_replays_are_bounded_by_attempts(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    transport, server = make(servers, fake, error("InternalServerErrorException", "", 500),
                             retry=RetryPolicy(attempts=3))  # fmt: skip
    with transport, pytest.raises(InternalServerErrorException):
        transport.send("ExecuteStatement", BODY, idempotent=True)
    assert server is not None and len(server.requests) == 3


@pytest.mark.parametrize("operation", ["BeginTransaction", "RollbackTransaction"])
@pytest.mark.parametrize("answer", [error("InternalServerErrorException", "", 500),
                                    error("ServiceUnavailableError", "", 503), Drop()])
def test_begin_and_rollback_are_retried_on_5xx_and_drops(
    servers: list[ScriptedServer], fake: FakeTime, operation: str, answer: Any
) -> None:
    transport, server = make(servers, fake, answer, ok({"transactionId": "tx"}))
    with transport:
        response = transport.send(operation, BODY)
    assert response.status_code == 200
    assert server is not None and len(server.requests) == 2


# -- provably not run: retried ------------------------------------------------------------


@pytest.mark.parametrize("answer", [error("ThrottlingException", "Rate exceeded", 400),
                                    error("TooManyRequestsException", "", 429),
                                    Answer(429, b"{}")])  # fmt: skip
def test_throttling_is_retried(servers: list[ScriptedServer], fake: FakeTime, answer: Any) -> None:
    transport, server = make(servers, fake, answer, answer, ok({}))
    with transport:
        transport.send("ExecuteStatement", BODY)
    assert server is not None and server.bodies() == [BODY] * 3
    assert fake.sleeps == [pytest.approx(0.35), pytest.approx(0.45)]


def test_throttling_gives_up_after_the_attempts(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    transport, server = make(servers, fake, error("ThrottlingException", "Rate exceeded"))
    with transport, pytest.raises(ThrottlingException, match="Rate exceeded"):
        transport.send("ExecuteStatement", BODY)
    assert server is not None and len(server.requests) == RetryPolicy().attempts


def test_refused_connection_is_retried_and_the_statement_sent_once(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    port = unused_port()

    def sleep_then_listen(seconds: float) -> None:
        fake.sleep(seconds)
        if not servers:
            servers.append(ScriptedServer([ok({"numberOfRecordsUpdated": 1})], port=port))

    transport, _ = make(servers, fake, url=f"http://127.0.0.1:{port}", sleep=sleep_then_listen)
    with transport:
        transport.send("ExecuteStatement", BODY)
    assert len(fake.sleeps) == 1
    assert servers[0].bodies() == [BODY]


def test_refused_connection_gives_up_with_connect_error(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    transport, _ = make(servers, fake, url=f"http://127.0.0.1:{unused_port()}")
    with transport, pytest.raises(ConnectError, match="cannot connect") as caught:
        transport.send("ExecuteStatement", BODY)
    assert not isinstance(caught.value, StatementMayHaveRunError)
    assert len(fake.sleeps) == RetryPolicy().attempts - 1


def test_failed_tls_handshake_is_retried_and_nothing_is_read(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    server = ScriptedServer([ok({})], close_on_accept=True)
    servers.append(server)
    transport, _ = make(servers, fake, url=server.url.replace("http:", "https:"))
    with transport, pytest.raises(ConnectError):
        transport.send("ExecuteStatement", BODY)
    assert server.connections == RetryPolicy().attempts
    assert server.requests == []


def test_rejected_certificate_is_not_retried(
    servers: list[ScriptedServer], fake: FakeTime, tmp_path: Path
) -> None:
    context, _ = self_signed(tmp_path)
    transport, server = make(servers, fake, ok({}), server={"tls": context})
    with transport, pytest.raises(CertificateError, match="certificate"):
        transport.send("ExecuteStatement", BODY)
    assert server is not None and server.connections == 1 and fake.sleeps == []


@pytest.mark.parametrize("as_context", [False, True], ids=["ca-path", "ssl-context"])
def test_tls_with_a_trusted_ca(
    servers: list[ScriptedServer], fake: FakeTime, tmp_path: Path, as_context: bool
) -> None:
    context, ca = self_signed(tmp_path)
    verify: Any = ssl.create_default_context(cafile=str(ca)) if as_context else str(ca)
    transport, server = make(servers, fake, ok({"x": 1}), server={"tls": context}, verify=verify)
    with transport:
        assert json.loads(transport.send("ExecuteStatement", BODY).content) == {"x": 1}
    assert server is not None and server.bodies() == [BODY]


def test_aws_ca_bundle_is_honoured(
    servers: list[ScriptedServer], fake: FakeTime, tmp_path: Path
) -> None:
    context, ca = self_signed(tmp_path)
    server = ScriptedServer([ok({})], tls=context)
    servers.append(server)
    transport = Transport(region="us-east-1", endpoint_url=server.url, credentials=CREDS,
                          env={**ENV, "AWS_CA_BUNDLE": str(ca)})  # fmt: skip
    with transport:
        assert transport.send("BeginTransaction", BODY).status_code == 200


# -- paused clusters ------------------------------------------------------------------------

RESUMING = error("DatabaseResumingException", "The Aurora DB instance db-1 is resuming after "
                 "being auto-paused. Please wait a few seconds and try again.")  # fmt: skip
LINK_FAILURE = error("BadRequestException", "Communications link failure\n\nThe last packet "
                     "sent successfully to the server was 0 milliseconds ago. The driver has "
                     "not received any packets from the server.")  # fmt: skip


@pytest.mark.parametrize("signal", [RESUMING, LINK_FAILURE], ids=["v2", "v1"])
def test_resuming_cluster_is_waited_out(
    servers: list[ScriptedServer], fake: FakeTime, signal: Answer,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="sigv4_dataapi.transport")
    waits: list[tuple[int, float, float]] = []
    hooks = TransportHooks(on_resume_wait=lambda *args: waits.append(args))
    transport, server = make(servers, fake, signal, signal, signal, ok({"records": []}))
    with transport:
        transport.send("ExecuteStatement", BODY, hooks=hooks)
    assert server is not None and server.bodies() == [BODY] * 4
    assert fake.sleeps == [pytest.approx(1.25), pytest.approx(2.25), pytest.approx(4.25)]
    assert [w[0] for w in waits] == [1, 2, 3]
    assert waits[-1][1] == pytest.approx(1.25 + 2.25) and waits[-1][2] == 90.0
    progress = [r.getMessage() for r in caplog.records]
    assert len(progress) == 3 and all("the database is resuming" in m for m in progress)
    assert "waited 3.5 s of 90 s" in progress[-1]


def test_resume_wait_ends_at_the_deadline(servers: list[ScriptedServer], fake: FakeTime) -> None:
    transport, server = make(servers, fake, RESUMING, retry=RetryPolicy(resume_timeout=30.0))
    with transport, pytest.raises(DatabaseResumingException, match="resuming") as caught:
        transport.send("BeginTransaction", BODY)
    assert caught.value.__notes__ == ["the database did not resume within 30 s"]  # 3.10 too
    assert sum(fake.sleeps) == pytest.approx(30.0)
    assert max(fake.sleeps) <= RetryPolicy().resume_wait_max
    assert server is not None and len(server.requests) == len(fake.sleeps) + 1


def test_other_bad_requests_are_final(servers: list[ScriptedServer], fake: FakeTime) -> None:
    transport, server = make(servers, fake, error("BadRequestException", "Database error code: "
                             "1146. Message: Table 'db.nope' doesn't exist"), ok({}))  # fmt: skip
    with transport, pytest.raises(BadRequestException) as caught:
        transport.send("ExecuteStatement", BODY)
    assert caught.value.mysql_errno == 1146
    assert server is not None and len(server.requests) == 1


def test_database_error_is_final_with_sqlstate(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    message = 'ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01'
    transport, server = make(servers, fake, error("DatabaseErrorException", message), ok({}))
    with transport, pytest.raises(DatabaseErrorException) as caught:
        transport.send("ExecuteStatement", BODY, idempotent=True)
    assert caught.value.sqlstate == "42P01"
    assert caught.value.code == "DatabaseErrorException"
    assert not isinstance(caught.value, StatementMayHaveRunError)
    assert server is not None and len(server.requests) == 1


# -- clock skew -----------------------------------------------------------------------------


def _expired(server_time: datetime) -> Answer:
    answer = error("InvalidSignatureException", "Signature expired: 20260102T030405Z is now "
                   "earlier than 20260102T035905Z (20260102T040405Z - 5 min.)", 403)  # fmt: skip
    return Answer(403, answer.body, (*answer.headers, ("Date", format_datetime(server_time,
                                                                                usegmt=True))))


def test_clock_skew_is_measured_and_the_request_re_signed_once(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    server_time = fake.wall + timedelta(hours=1)
    transport, server = make(servers, fake, _expired(server_time), ok({}))
    with transport:
        transport.send("ExecuteStatement", BODY)
    assert server is not None
    dates = [r.headers["x-amz-date"] for r in server.requests]
    assert dates == ["20260102T030405Z", "20260102T040405Z"]
    assert server.bodies() == [BODY, BODY] and fake.sleeps == []


def test_clock_skew_re_signs_only_once(servers: list[ScriptedServer], fake: FakeTime) -> None:
    transport, server = make(servers, fake, _expired(fake.wall + timedelta(hours=1)))
    with transport, pytest.raises(InvalidSignatureException, match="Signature expired"):
        transport.send("ExecuteStatement", BODY)
    assert server is not None and len(server.requests) == 2


def test_the_measured_offset_is_kept_for_the_next_calls(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    transport, server = make(servers, fake, _expired(fake.wall + timedelta(hours=1)), ok({}))
    with transport:
        transport.send("ExecuteStatement", BODY)
        transport.send("ExecuteStatement", BODY)
    assert server is not None
    dates = [r.headers["x-amz-date"] for r in server.requests]
    assert dates == ["20260102T030405Z", "20260102T040405Z", "20260102T040405Z"]


def test_a_skew_answer_without_a_date_is_raised_not_guessed(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    expired = _expired(fake.wall + timedelta(hours=1))
    undated = Answer(403, expired.body, tuple(h for h in expired.headers if h[0] != "Date"))
    transport, server = make(servers, fake, undated, ok({}))
    with transport, pytest.raises(InvalidSignatureException, match="Signature expired"):
        transport.send("ExecuteStatement", BODY)
    assert server is not None and len(server.requests) == 1


# -- the wire -------------------------------------------------------------------------------


def test_headers_match_what_the_service_expects(
    servers: list[ScriptedServer], fake: FakeTime
) -> None:
    seen: list[Any] = []
    hooks = TransportHooks(on_signed=lambda signed, request: seen.append((signed, request)),
                           on_response=lambda response: seen.append(response))  # fmt: skip
    transport, server = make(servers, fake, ok({}))
    with transport:
        transport.send("CommitTransaction", BODY, hooks=hooks)
    assert server is not None
    received = server.requests[0]
    assert received.method == "POST" and received.path == "/CommitTransaction"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["host"] == f"127.0.0.1:{server.port}"
    assert "x-amz-content-sha256" not in received.headers
    assert "SignedHeaders=content-type;host;x-amz-date," in received.headers["authorization"]
    assert received.headers["user-agent"].startswith("sigv4-dataapi/")
    assert seen[0][0].signed_headers == "content-type;host;x-amz-date"
    assert isinstance(seen[1], httpx.Response) and seen[1].status_code == 200
    assert seen[1].request is seen[0][1] and seen[1].elapsed.total_seconds() >= 0
    assert seen[0][1].content == BODY and seen[0][1].headers["content-length"] == str(len(BODY))


def test_signature_matches_the_captured_botocore_vector() -> None:
    """rds-data-api.md §7.3, through the whole transport (single layer: MockTransport)."""
    body = (b'{"resourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:mydb", "secretArn": '
            b'"arn:aws:secretsmanager:us-east-1:123456789012:secret:mysecret-AbCdEf", "sql": '
            b'"SELECT :id", "parameters": [{"name": "id", "value": {"longValue": 1}}]}')
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={})

    when = datetime(2024, 1, 15, 12, 0, 0, tzinfo=timezone.utc)
    for token, signature in [
        (None, "f7690cb67b55713221508309cf35db09705c71f36ce2d985288a222982d7f6fd"),
        ("EXAMPLESESSIONTOKEN", "92e5cbd9c0358f167c2bb373ea70530185c5a4de8ede2a0ffdeb6e5c68a6c4f1"),
    ]:
        creds = Credentials(CREDS.access_key_id, CREDS.secret_access_key, token)
        transport = Transport(region="us-east-1", credentials=creds, env=ENV,
                              http_client=httpx.Client(transport=httpx.MockTransport(handler)),
                              clocks=Clocks(now=lambda: when))  # fmt: skip
        transport.send("ExecuteStatement", body)
        request = captured[-1]
        assert str(request.url) == "https://rds-data.us-east-1.amazonaws.com/Execute"
        assert request.content == body
        assert request.headers["authorization"].endswith(f"Signature={signature}")
        assert request.headers.get("x-amz-security-token") == token


def test_unknown_operation_is_a_configuration_error(fake: FakeTime) -> None:
    from sigv4_dataapi._errors import ConfigurationError

    transport, _ = make([], fake, url="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="unknown operation 'Execute'"):
        transport.send("Execute", BODY)
