"""The transport's own HTTP/1.1 reader and writer (``stdhttp_io.read_plain``/``request_head``).

A plain answer (the Data API's) is read without ``http.client``; every other
framing is handed to ``http.client`` from its first byte. Either way the caller
must see the same answer, the same keep-alive decision ``http.client`` makes,
and nothing a server could inject through a header value.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence

import httpx
import pytest

from sigv4_dataapi._transport.stdhttp import StdlibTransport
from sigv4_dataapi._transport.wire import WireRequest

BODY = b'{"records":[[{"longValue":1}]]}'


class RawServer:
    """Answers the n-th request on any connection with ``answers[n]``, as raw bytes."""

    def __init__(self, answers: Sequence[bytes], *, close: bool = False) -> None:
        self.answers = list(answers)
        self.close_after = close  # hang up after each answer
        self.requests: list[bytes] = []
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
                while len(data) < length:
                    data += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + data[:length])
                data = data[length:]
                index = len(self.requests) - 1
                conn.sendall(self.answers[min(index, len(self.answers) - 1)])
                if self.close_after:
                    return

    def close(self) -> None:
        self._sock.close()


def wire(url: str, headers: Sequence[tuple[str, str]] = ()) -> WireRequest:
    timeout = httpx.Timeout(10.0).as_dict()
    return WireRequest("POST", httpx.URL(url + "/Execute"), "/Execute",
                       [("Host", httpx.URL(url).netloc.decode()), *headers,
                        ("Content-Length", "2")], b"{}", {"timeout": timeout})  # fmt: skip


@pytest.fixture
def raw_server() -> Iterator[type[RawServer]]:
    started: list[RawServer] = []

    def start(answers: Sequence[bytes], *, close: bool = False) -> RawServer:
        started.append(RawServer(answers, close=close))
        return started[-1]

    yield start  # type: ignore[misc]
    for server in started:
        server.close()


def _chunked(body: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


FRAMINGS = {
    "plain": (b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY, True),
    "bare LF": (b"HTTP/1.1 200 OK\nX-A: 1\nContent-Length: %d\n\n" % len(BODY) + BODY, True),
    "chunked": (b"HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + _chunked(BODY), True),
    "interim answers first": (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                              b"Link: </a>\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, True),
    "1.0 keep-alive": (b"HTTP/1.0 200 OK\r\nX-A: 1\r\nConnection: keep-alive\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, True),
    "1.0": (b"HTTP/1.0 200 OK\r\nX-A: 1\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY,
            False),
    "connection close": (b"HTTP/1.1 200 OK\r\nX-A: 1\r\nConnection: Close\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, False),
    "folded header": (b"HTTP/1.1 200 OK\r\nX-A: 1\r\nX-B: two\r\n lines\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY, True),
    "no length, read to the close": (b"HTTP/1.1 200 OK\r\nX-A: 1\r\nConnection: close\r\n\r\n"
                                     + BODY, False),
}  # fmt: skip


@pytest.mark.parametrize("framing", FRAMINGS)
def test_every_framing_reads_the_same_answer(raw_server: type[RawServer], framing: str) -> None:
    answer, reused = FRAMINGS[framing]
    server = raw_server([answer], close=not reused)
    with StdlibTransport(False) as transport:
        replies = [transport.exchange(wire(server.url))]
        assert transport.idle_count() == (1 if reused else 0)  # kept, or closed at once
        replies.append(transport.exchange(wire(server.url)))
    for reply in replies:
        assert (reply.status_code, reply.content, reply.header("x-a")) == (200, BODY, "1")
    assert server.connections == (1 if reused else 2)  # http.client's keep-alive rule


def test_bytes_past_the_answer_are_never_read_as_the_next_answer(
    raw_server: type[RawServer],
) -> None:
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 500 Oops\r\n\r\n"
    second = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY
    server = raw_server([first, second])
    with StdlibTransport(False) as transport:
        assert transport.exchange(wire(server.url)).content == b"{}"
        assert transport.exchange(wire(server.url)).content == BODY
    assert server.connections == 2


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "caf\u20ac"])
def test_a_header_value_that_would_break_the_head_is_never_sent(
    raw_server: type[RawServer], value: str
) -> None:
    """A session token from the environment is a header value: CR/LF must not split it."""
    server = raw_server([FRAMINGS["plain"][0]])
    with StdlibTransport(False) as transport, pytest.raises(httpx.LocalProtocolError):
        transport.exchange(wire(server.url, [("X-Amz-Security-Token", value)]))
    assert server.requests == []


def test_the_head_is_written_as_given_in_one_piece(raw_server: type[RawServer]) -> None:
    server = raw_server([FRAMINGS["plain"][0]])
    with StdlibTransport(False) as transport:
        transport.exchange(wire(server.url, [("X-Amz-Date", "20261206T000000Z")]))
    host = server.url.removeprefix("http://")
    assert server.requests == [
        b"POST /Execute HTTP/1.1\r\nHost: %s\r\nX-Amz-Date: 20261206T000000Z\r\n"
        b"Content-Length: 2\r\n\r\n{}" % host.encode()
    ]
