"""The async pool (``aiostd.AsyncStdlibTransport``) against raw servers: what the sync pool does.

Every framing ``test_stdhttp_plain`` reads through ``StdlibTransport`` must give the same
answer and the same keep-alive decision here; header values must not split the head; a
connection gone stale while idle, or inherited across ``os.fork()``, is never reused.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile import answer, hostile, keep_alive
from test_stdhttp_plain import BODY, FRAMINGS, RawServer, wire
from test_transport_server import self_signed

from sigv4_dataapi._transport.aiostd import AsyncStdlibTransport
from sigv4_dataapi._transport.wire import Reply


@pytest.fixture
def raw_server() -> Iterator[type[RawServer]]:
    started: list[RawServer] = []

    def start(answers: Sequence[bytes], *, close: bool = False) -> RawServer:
        started.append(RawServer(answers, close=close))
        return started[-1]

    yield start  # type: ignore[misc]
    for server in started:
        server.close()


def exchange_all(transport: AsyncStdlibTransport, url: str, times: int = 2) -> list[Any]:
    """``times`` exchanges on one loop, with the idle count after each; the pool closed."""

    async def run() -> list[Any]:
        seen: list[Any] = []
        try:
            for _ in range(times):
                seen.append(await transport.exchange(wire(url)))
                seen.append(transport.idle_count())
        finally:
            await transport.aclose()
        return seen

    return asyncio.run(run())


@pytest.mark.parametrize("framing", FRAMINGS)
def test_every_framing_reads_the_same_answer(raw_server: type[RawServer], framing: str) -> None:
    answer_bytes, reused = FRAMINGS[framing]
    server = raw_server([answer_bytes], close=not reused)
    first, idle, second, _ = exchange_all(AsyncStdlibTransport(False), server.url)
    assert idle == (1 if reused else 0)
    for reply in (first, second):
        assert isinstance(reply, Reply)
        assert (reply.status_code, reply.content, reply.header("x-a")) == (200, BODY, "1")
    assert server.connections == (1 if reused else 2)


def test_a_gzip_answer_is_decoded(raw_server: type[RawServer]) -> None:
    import gzip

    body = gzip.compress(BODY)
    server = raw_server([answer(body=body, headers=((b"Content-Encoding", b"gzip"),))])
    reply = exchange_all(AsyncStdlibTransport(False), server.url, times=1)[0]
    assert reply.content == BODY and reply.header("content-encoding") is None


def test_bytes_past_the_answer_are_never_read_as_the_next_answer(
    raw_server: type[RawServer],
) -> None:
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 500 Oops\r\n\r\n"
    second = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY
    server = raw_server([first, second])
    one, idle, two, _ = exchange_all(AsyncStdlibTransport(False), server.url)
    assert (one.content, idle, two.content) == (b"{}", 0, BODY)
    assert server.connections == 2


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "caf\u20ac"])
def test_a_header_value_that_would_break_the_head_is_never_sent(
    raw_server: type[RawServer], value: str
) -> None:
    server = raw_server([FRAMINGS["plain"][0]])

    async def run() -> None:
        transport = AsyncStdlibTransport(False)
        try:
            await transport.exchange(wire(server.url, [("X-Amz-Security-Token", value)]))
        finally:
            await transport.aclose()

    with pytest.raises(httpx.LocalProtocolError):
        asyncio.run(run())
    assert server.requests == []


def test_the_head_is_written_as_given_in_one_piece(raw_server: type[RawServer]) -> None:
    server = raw_server([FRAMINGS["plain"][0]])

    async def run() -> bool:
        transport = AsyncStdlibTransport(False)
        try:
            await transport.exchange(wire(server.url, [("X-Amz-Date", "20261206T000000Z")]))
            (conn,) = transport._idle[("http", "127.0.0.1", int(server.url.rsplit(":", 1)[1]))]
            sock = conn.transport.get_extra_info("socket")
            return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        finally:
            await transport.aclose()

    assert asyncio.run(run())  # TCP_NODELAY
    host = server.url.removeprefix("http://")
    assert server.requests == [
        b"POST /Execute HTTP/1.1\r\nHost: %s\r\nX-Amz-Date: 20261206T000000Z\r\n"
        b"Content-Length: 2\r\n\r\n{}" % host.encode()
    ]


def test_a_connection_closed_while_idle_is_not_reused(raw_server: type[RawServer]) -> None:
    """The server says keep-alive, then hangs up: the next request opens a new connection."""
    plain = FRAMINGS["plain"][0]
    server = raw_server([plain], close=True)  # hangs up after answering, without saying so

    async def run() -> list[Reply]:
        transport = AsyncStdlibTransport(False)
        try:
            first = await transport.exchange(wire(server.url))
            await asyncio.sleep(0.2)  # the server's FIN arrives while the connection is idle
            return [first, await transport.exchange(wire(server.url))]
        finally:
            await transport.aclose()

    assert [reply.content for reply in asyncio.run(run())] == [BODY, BODY]
    assert server.connections == 2


def test_an_untrusted_certificate_is_a_connect_error_with_the_ssl_cause(tmp_path: Path) -> None:
    context, _ = self_signed(tmp_path)
    with hostile(keep_alive(), tls=context) as server:

        async def run() -> None:
            transport = AsyncStdlibTransport(True)
            try:
                await transport.exchange(wire(server.url))
            finally:
                await transport.aclose()

        with pytest.raises(httpx.ConnectError) as caught:
            asyncio.run(run())
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    assert server.seen == []


def test_a_tls_connection_is_kept_alive(tmp_path: Path) -> None:
    context, ca = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(ca))
    with hostile(keep_alive(lambda head, body: answer(body=BODY)), tls=context) as server:
        replies = exchange_all(AsyncStdlibTransport(trust), server.url, times=3)
    assert [reply.content for reply in replies[::2]] == [BODY] * 3
    assert len({port for port, _ in server.seen}) == 1


def _ports(server: Any) -> Sequence[int]:
    return [port for port, _ in server.seen]


def test_a_forked_child_never_reuses_the_parents_connections() -> None:
    with hostile(keep_alive()) as server:
        loop = asyncio.new_event_loop()
        transport = AsyncStdlibTransport(False)
        try:
            loop.run_until_complete(transport.exchange(wire(server.url)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork with threads
                pid = os.fork()
            if pid == 0:  # the child: its own loop, one exchange, then leave without cleanup
                code = 1
                try:
                    asyncio.run(transport.exchange(wire(server.url)))
                    code = 0
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            loop.run_until_complete(transport.exchange(wire(server.url)))
        finally:
            loop.run_until_complete(transport.aclose())
            loop.close()
    parent, child, again = _ports(server)
    assert child != parent and again == parent
