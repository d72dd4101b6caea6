"""No connection, nothing sent: DNS failures and connect timeouts are retried, by both drivers.

``test_transport.py`` covers a refused connection and a failed TLS handshake;
these are the other two ways a request provably never leaves: the name does not
resolve (``.invalid`` is reserved, RFC 6761), or the server never completes the
TCP handshake (a listening socket whose accept queue is full drops new SYNs, a
real connect timeout on loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from test_transport import BODY, CREDS, ENV, FakeTime
from test_transport_server import ScriptedServer, ok

from sigv4_dataapi._errors import ConnectError, StatementMayHaveRunError
from sigv4_dataapi._transport.driver import Transport
from sigv4_dataapi._transport.driver_async import AsyncTransport
from sigv4_dataapi._transport.retry import RetryPolicy

DRIVERS = ["sync", "async"]


def send(driver: str, url: str, sleep: Callable[[float], None], **options: Any) -> bytes:
    """``send("ExecuteStatement", BODY)`` through the chosen driver."""
    options = {"region": "us-east-1", "endpoint_url": url, "credentials": CREDS, "env": ENV,
               "retry": RetryPolicy(attempts=2), **options}  # fmt: skip
    if driver == "sync":
        with Transport(sleep=sleep, **options) as transport:
            return transport.send("ExecuteStatement", BODY).content

    async def asleep(seconds: float) -> None:
        sleep(seconds)

    async def scenario() -> bytes:
        async with AsyncTransport(sleep=asleep, **options) as transport:
            return (await transport.send("ExecuteStatement", BODY)).content

    return asyncio.run(scenario())


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_name_that_does_not_resolve_is_retried_then_a_connect_error(driver: str) -> None:
    fake = FakeTime()
    with pytest.raises(ConnectError, match="cannot connect") as caught:
        send(driver, "http://rds-data.invalid:8080", fake.sleep)
    assert not isinstance(caught.value, StatementMayHaveRunError)
    assert len(fake.sleeps) == 1  # retried: nothing can have been sent


class FullBacklog:
    """A listening socket that never accepts, its queue filled: new connects time out."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=0)
        self.port = int(self.sock.getsockname()[1])
        self._fillers: list[socket.socket] = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self._fillers.append(filler)
        time.sleep(0.2)  # let the kernel complete the handshakes it will complete

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self.sock.close()


@pytest.fixture
def full_backlog() -> Iterator[FullBacklog]:
    backlog = FullBacklog()
    yield backlog
    backlog.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_connect_timeout_is_retried_and_the_statement_sent_once(
    driver: str, full_backlog: FullBacklog
) -> None:
    """The first attempt times out connecting; the server that then listens gets it once."""
    started: list[ScriptedServer] = []
    fake = FakeTime()

    def sleep_then_listen(seconds: float) -> None:
        fake.sleep(seconds)
        full_backlog.close()  # the port is free again (the fillers are reset)
        started.append(ScriptedServer([ok({"numberOfRecordsUpdated": 1})],
                                      port=full_backlog.port))  # fmt: skip

    timeout = httpx.Timeout(30.0, connect=0.5)
    try:
        content = send(driver, f"http://127.0.0.1:{full_backlog.port}", sleep_then_listen,
                       timeout=timeout)  # fmt: skip
    finally:
        for server in started:
            server.close()
    assert content == b'{"numberOfRecordsUpdated": 1}'
    assert len(fake.sleeps) == 1 and started[0].bodies() == [BODY]


@pytest.mark.parametrize("driver", DRIVERS)
def test_connect_timeouts_give_up_with_a_connect_error(
    driver: str, full_backlog: FullBacklog
) -> None:
    fake = FakeTime()
    with pytest.raises(ConnectError) as caught:
        send(driver, f"http://127.0.0.1:{full_backlog.port}", fake.sleep,
             timeout=httpx.Timeout(30.0, connect=0.3))  # fmt: skip
    assert isinstance(caught.value.__cause__, httpx.ConnectTimeout)
    assert len(fake.sleeps) == 1
