"""A tiny hostile HTTP peer on 127.0.0.1: each connection runs a handler in its own thread.

The handler gets the raw socket and the server (for ``stopped``, a per-server event set
on close, and ``seen``, a log the handler may append to), so a test can say exactly
what goes on the wire: trickle bytes, lie about lengths, send a gzip bomb, answer
before reading the body, refuse a proxy ``CONNECT``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

Handler = Callable[[socket.socket, "Hostile"], None]


class Hostile:
    """A raw TCP server; ``connections`` counts accepts, ``seen`` is the handlers' log."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.stopped = threading.Event()
        self.seen: list[Any] = []
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self.stopped.is_set():
                conn.close()
                return
            self.connections += 1
            thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(30)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn:
                self.handler(conn, self)

    def close(self) -> None:
        self.stopped.set()
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        self._accept.join(10)
        self._sock.close()
        for thread in self._threads:
            thread.join(10)

    def __enter__(self) -> Hostile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_head(conn: socket.socket, buffer: bytearray) -> bytes | None:
    """The next request head (up to the blank line), or None at EOF; ``buffer`` keeps the rest."""
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    buffer[:] = rest
    return head


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def read_request(conn: socket.socket, buffer: bytearray) -> tuple[bytes, bytes] | None:
    """``(head, body)`` of the next request with a ``Content-Length`` body, or None at EOF."""
    head = read_head(conn, buffer)
    if head is None:
        return None
    length = content_length(head)
    while len(buffer) < length:
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    body = bytes(buffer[:length])
    del buffer[:length]
    return head, body


def answer(
    status: int = 200,
    body: bytes = b"{}",
    headers: tuple[tuple[bytes, bytes], ...] = (),
    *,
    reason: bytes = b"OK",
) -> bytes:
    """An HTTP/1.1 answer with a ``Content-Length``; extra ``headers`` as raw bytes."""
    lines = [b"HTTP/1.1 %d %s" % (status, reason), b"Content-Type: application/json",
             b"Content-Length: %d" % len(body), *(k + b": " + v for k, v in headers)]  # fmt: skip
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


EMPTY_RESULT = json.dumps({"records": [], "numberOfRecordsUpdated": 1}).encode()


def keep_alive(
    respond: Callable[[bytes, bytes], bytes] = lambda head, body: answer(body=EMPTY_RESULT),
) -> Handler:
    """A well-behaved keep-alive server: every request answered by ``respond``; logs
    ``(peer port, request body)`` per request in ``seen``."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        buffer = bytearray()
        port = conn.getpeername()[1]
        while not server.stopped.is_set():
            request = read_request(conn, buffer)
            if request is None:
                return
            server.seen.append((port, request[1]))
            conn.sendall(respond(*request))

    return handler


def connect_proxy(conn: socket.socket, server: Hostile) -> None:
    """An HTTP proxy that tunnels ``CONNECT host:port``; logs each request head in ``seen``."""
    buffer = bytearray()
    head = read_head(conn, buffer)
    if head is None:
        return
    server.seen.append(head)
    target = head.split(b" ")[1].decode()
    host, _, port = target.rpartition(":")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=30) as upstream:
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if buffer:
            upstream.sendall(bytes(buffer))
        pipe = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
        pipe.start()
        _pipe(conn, upstream)
        pipe.join(30)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def hostile(handler: Handler, tls: ssl.SSLContext | None = None) -> Iterator[Hostile]:
    with Hostile(handler, tls) as server:
        yield server
