"""Every retry decision again, through ``AsyncTransport``, against the real socket server.

``test_transport.py`` proves each decision through the sync driver; the async
driver performs the same sans-IO steps with ``await``, and a slip in it (a
missed ``Sleep``, an exception caught too widely) would replay a statement.
So the same script runs here and the server counts what it received.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_transport import AMBIGUOUS, BODY, CREDS, ENV, LINK_FAILURE, RESUMING, FakeTime, _expired
from test_transport_server import Answer, Drop, Hang, ScriptedServer, error, ok, self_signed

from sigv4_dataapi._errors import (
    CertificateError,
    ConnectError,
    DatabaseErrorException,
    DatabaseResumingException,
    InternalServerErrorException,
    InvalidSignatureException,
    ReadTimeoutError,
    StatementMayHaveRunError,
    StatementTimeoutException,
    ThrottlingException,
)
from sigv4_dataapi._transport.driver import RawResponse, TransportHooks
from sigv4_dataapi._transport.driver_async import AsyncTransport
from sigv4_dataapi._transport.retry import RetryPolicy

STATEMENTS = ["ExecuteStatement", "BatchExecuteStatement", "CommitTransaction", "ExecuteSql"]


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[ScriptedServer] = []

    def start(*script: Any, **options: Any) -> ScriptedServer:
        server = ScriptedServer(list(script), **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def send(
    url: str,
    fake: FakeTime,
    operation: str = "ExecuteStatement",
    *,
    idempotent: bool | None = None,
    hooks: TransportHooks | None = None,
    **options: Any,
) -> RawResponse:
    """One ``AsyncTransport.send`` in a fresh event loop; pauses go to ``fake``."""

    async def sleep(seconds: float) -> None:
        fake.sleep(seconds)

    async def scenario() -> RawResponse:
        options.setdefault("timeout", 30.0)  # generous: the server answers or drops at once
        options.setdefault("env", ENV)
        async with AsyncTransport(region="us-east-1", endpoint_url=url, credentials=CREDS,
                                  sleep=sleep, clocks=fake.clocks(),
                                  **options) as transport:  # fmt: skip
            return await transport.send(operation, BODY, idempotent=idempotent, hooks=hooks)

    return asyncio.run(scenario())


# -- ambiguous: raised, sent once, unless idempotent ----------------------------------------


@pytest.mark.parametrize("operation", STATEMENTS)
@pytest.mark.parametrize(("answer", "raised"), AMBIGUOUS)
def test_ambiguous_failure_of_a_statement_is_raised_not_replayed(
    serve: Any, fake: FakeTime, operation: str, answer: Any, raised: type
) -> None:
    server = serve(answer, ok({}))
    with pytest.raises(raised) as caught:
        send(server.url, fake, operation)
    assert isinstance(caught.value, StatementMayHaveRunError)
    assert "may have run" in str(caught.value)
    assert server.bodies() == [BODY] and fake.sleeps == []


@pytest.mark.parametrize("operation", STATEMENTS)
def test_read_timeout_is_ambiguous_and_sent_once(
    serve: Any, fake: FakeTime, operation: str
) -> None:
    server = serve(Hang(10.0), ok({}))
    with pytest.raises(ReadTimeoutError, match="may have run"):
        send(server.url, fake, operation, timeout=httpx.Timeout(0.3, connect=10.0))
    assert server.bodies() == [BODY]


def test_statement_timeout_keeps_the_connection_id(serve: Any, fake: FakeTime) -> None:
    server = serve(error("StatementTimeoutException", "took too long", 400, dbConnectionId=77))
    with pytest.raises(StatementTimeoutException) as caught:
        send(server.url, fake)
    assert caught.value.db_connection_id == 77 and caught.value.request_id == "req-1234"
    assert len(server.requests) == 1


@pytest.mark.parametrize(("answer", "_raised"), AMBIGUOUS)
def test_idempotent_call_is_replayed(
    serve: Any, fake: FakeTime, answer: Any, _raised: type
) -> None:
    server = serve(answer, ok({"numberOfRecordsUpdated": 1}))
    assert send(server.url, fake, idempotent=True).content == b'{"numberOfRecordsUpdated": 1}'
    assert server.bodies() == [BODY, BODY]


def test_client_wide_idempotent_policy_and_its_bound(serve: Any, fake: FakeTime) -> None:
    server = serve(error("InternalServerErrorException", "", 500))
    with pytest.raises(InternalServerErrorException):
        send(server.url, fake, retry=RetryPolicy(attempts=3, idempotent=True))
    assert len(server.requests) == 3


@pytest.mark.parametrize("operation", ["BeginTransaction", "RollbackTransaction"])
@pytest.mark.parametrize("answer", [error("InternalServerErrorException", "", 500),
                                    error("DatabaseUnavailableException", "", 504), Drop()])
def test_begin_and_rollback_are_retried_on_5xx_and_drops(
    serve: Any, fake: FakeTime, operation: str, answer: Any
) -> None:  # fmt: skip
    server = serve(answer, ok({"transactionId": "tx"}))
    assert send(server.url, fake, operation).status_code == 200
    assert len(server.requests) == 2


def test_a_database_error_is_final_even_when_idempotent(serve: Any, fake: FakeTime) -> None:
    server = serve(error("DatabaseErrorException", "boom; SQLState: 23505"), ok({}))
    with pytest.raises(DatabaseErrorException) as caught:
        send(server.url, fake, idempotent=True)
    assert caught.value.sqlstate == "23505" and len(server.requests) == 1


# -- provably not run: retried on its own -----------------------------------------------------


def test_throttling_is_retried_then_given_up(serve: Any, fake: FakeTime) -> None:
    throttled = error("ThrottlingException", "Rate exceeded")
    server = serve(throttled, Answer(429, b"{}"), ok({}))
    send(server.url, fake)
    assert server.bodies() == [BODY] * 3
    assert fake.sleeps == [pytest.approx(0.35), pytest.approx(0.45)]
    server = serve(throttled)
    with pytest.raises(ThrottlingException):
        send(server.url, fake)
    assert len(server.requests) == RetryPolicy().attempts


def test_failed_tls_handshake_is_retried_and_nothing_is_read(serve: Any, fake: FakeTime) -> None:
    server = serve(ok({}), close_on_accept=True)
    with pytest.raises(ConnectError):
        send(server.url.replace("http:", "https:"), fake)
    assert server.connections == RetryPolicy().attempts and server.requests == []


def test_rejected_certificate_is_not_retried(
    serve: Any, fake: FakeTime, tmp_path: Path
) -> None:
    context, _ = self_signed(tmp_path)
    server = serve(ok({}), tls=context)
    with pytest.raises(CertificateError):
        send(server.url, fake)
    assert server.connections == 1 and fake.sleeps == []


@pytest.mark.parametrize("as_context", [False, True], ids=["ca-path", "ssl-context"])
def test_tls_with_a_trusted_ca(
    serve: Any, fake: FakeTime, tmp_path: Path, as_context: bool
) -> None:
    context, ca = self_signed(tmp_path)
    server = serve(ok({"x": 1}), tls=context)
    verify: Any = ssl.create_default_context(cafile=str(ca)) if as_context else str(ca)
    assert send(server.url, fake, verify=verify).content == b'{"x": 1}'
    assert send(server.url, fake, verify=False).content == b'{"x": 1}'
    server = serve(ok({"y": 2}), tls=context)
    env = {**ENV, "AWS_CA_BUNDLE": str(ca)}
    assert send(server.url, fake, env=env).content == b'{"y": 2}'


@pytest.mark.parametrize("signal", [RESUMING, LINK_FAILURE], ids=["v2", "v1"])
def test_resuming_cluster_is_waited_out(
    serve: Any, fake: FakeTime, signal: Answer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sigv4_dataapi.transport")
    waits: list[tuple[int, float, float]] = []
    hooks = TransportHooks(on_resume_wait=lambda *args: waits.append(args))
    server = serve(signal, signal, ok({"records": []}))
    send(server.url, fake, hooks=hooks)
    assert server.bodies() == [BODY] * 3
    assert fake.sleeps == [pytest.approx(1.25), pytest.approx(2.25)]
    assert [w[0] for w in waits] == [1, 2] and waits[-1][2] == 90.0
    assert sum("the database is resuming" in r.getMessage() for r in caplog.records) == 2


def test_resume_wait_ends_at_the_deadline(serve: Any, fake: FakeTime) -> None:
    server = serve(RESUMING)
    with pytest.raises(DatabaseResumingException) as caught:
        send(server.url, fake, retry=RetryPolicy(resume_timeout=20.0))
    assert caught.value.__notes__ == ["the database did not resume within 20 s"]  # 3.10 too
    assert sum(fake.sleeps) == pytest.approx(20.0)
    assert len(server.requests) == len(fake.sleeps) + 1


def test_clock_skew_is_measured_and_re_signed_once(serve: Any, fake: FakeTime) -> None:
    server = serve(_expired(fake.wall + timedelta(hours=1)), ok({}))
    send(server.url, fake)
    dates = [r.headers["x-amz-date"] for r in server.requests]
    assert dates == ["20260102T030405Z", "20260102T040405Z"] and fake.sleeps == []
    server = serve(_expired(fake.wall + timedelta(hours=1)))
    with pytest.raises(InvalidSignatureException, match="Signature expired"):
        send(server.url, fake)
    assert len(server.requests) == 2
