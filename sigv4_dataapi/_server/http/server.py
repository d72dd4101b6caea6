"""The HTTP layer: ``ThreadingHTTPServer`` (one thread per connection, keep-alive).

Pipeline per request: size check -> SigV4 (403, no SQL runs) -> route ->
JSON body -> allow list -> operation. Every reply, success or error, is JSON
with ``Content-Type: application/json`` and an ``x-amzn-RequestId``; errors
add ``x-amzn-ErrorType`` (reference §3.1, F16). Errors become replies in
exactly one place, :meth:`Dispatcher.handle` (``dispatch``). TLS handshakes
run on the connection's own thread, so a slow client never blocks ``accept``.
Open connections are bounded (``max_connections``), so are handler threads.
"""

from __future__ import annotations

import contextlib
import io
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.api.ops import DataApi
from sigv4_dataapi._server.http.dispatch import Dispatcher, Reply, error_reply
from sigv4_dataapi._server.http.head import BadHead, RequestHead, content_length, read_head

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DataApiServer", "Dispatcher", "Reply", "housekeeping"]

_DRAIN_LIMIT = 64 * 1024 * 1024  # oversized bodies up to this are read and dropped
_IDLE_CONNECTION_S = 600.0  # keep-alive connections idle longer than this are closed
_HANDSHAKE_S = 10.0  # a TLS handshake not done by then is dropped (stalled peers)
REQUEST_READ_S = 30.0  # a request (line, head, body) must arrive within this of its first byte
DEFAULT_MAX_CONNECTIONS = 256  # open connections (so handler threads) at most


class RequestReader(io.RawIOBase):
    """The connection's reads, with one deadline per request (against slow-drip peers).

    Between requests a read waits up to the idle timeout; once a request's first
    byte has arrived (``arm``), the rest of it (line, head and body) must arrive
    within ``request_s`` in all, however it is dripped, or ``TimeoutError``
    closes the connection. ``disarm`` once the request is read.
    """

    def __init__(self, sock: Any, idle_s: float, request_s: float) -> None:
        super().__init__()
        self._sock = sock
        self._idle_s = idle_s
        self._request_s = request_s
        self._arming = False
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def arm(self) -> None:
        self._arming, self.deadline = True, None

    def disarm(self) -> None:
        self._arming, self.deadline = False, None
        self._sock.settimeout(self._idle_s)

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            self._sock.settimeout(self._idle_s)
        else:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time")
            self._sock.settimeout(left)
        count = int(self._sock.recv_into(buffer))
        if count and self._arming and self.deadline is None:
            self.deadline = time.monotonic() + self._request_s
        return count


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = _IDLE_CONNECTION_S
    server: DataApiServer
    head: RequestHead

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the makefile() reader: ours reads with a per-request deadline
        self.reader = RequestReader(self.connection, _IDLE_CONNECTION_S, self.server.request_s)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.arm()
        super().handle_one_request()

    def parse_request(self) -> bool:
        """Read the head with :mod:`._wire` instead of ``email.parser`` (the costly part)."""
        try:
            self.head = read_head(self.raw_requestline, self.rfile)  # type: ignore[attr-defined]
        except BadHead as bad:
            self.close_connection = True
            self._reject(bad.status, bad.reason)
            return False
        self.command, self.path = self.head.method, self.head.target
        self.request_version = self.head.version
        self.requestline = f"{self.head.method} {self.head.target} {self.head.version}"
        self.close_connection = not self.head.keep_alive
        if not hasattr(self, f"do_{self.command}"):  # http.server would answer 501
            self._reject(405, f"Method {self.command[:40]!r} is not allowed: use POST")
            return False
        expect = (self.head.get("expect") or "").lower()
        if expect == "100-continue" and self.head.version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _reject(self, status: int, reason: str) -> None:
        """A request we cannot read: a JSON answer with ``status``, then close."""
        self.close_connection = True
        error = error_reply(ApiError("BadRequestException", reason), str(uuid.uuid4()))
        self._write(error, status)

    def _serve(self) -> None:
        endpoint = self.server.endpoint
        if self.head.get("transfer-encoding") is not None:
            self._reject(411, "Chunked request bodies are not supported: send Content-Length")
            return
        try:
            length = content_length(self.head)
        except BadHead as bad:
            self._reject(bad.status, bad.reason)
            return
        total = length + self.head.size
        if total > endpoint.api.settings.limits.max_request_bytes:
            self._drain(length)
            self._write(endpoint.too_large(total))
            return
        body = self._read_body(length)
        if body is None:
            return
        started = time.perf_counter()
        reply = endpoint.handle(self.command, self.path, self.head.headers, body)
        if reply.fault is not None:
            self._abandon(reset=reply.fault == "reset")
            return
        self._write(reply)
        if self.server.verbose:
            elapsed = (time.perf_counter() - started) * 1000
            self.log_message(
                "%s %s %d %.1fms %s", self.command, self.path, reply.status, elapsed,
                reply.request_id,
            )  # fmt: skip

    def _read_body(self, length: int) -> bytes | None:
        """The declared body, or None (connection closed) when the peer sent less."""
        body = self.rfile.read(length) if length else b""
        self.reader.disarm()  # read: answering is not the peer's time
        if len(body) < length:  # a truncated body: nothing to answer, nobody to hear it
            self.close_connection = True
            return None
        return body

    def _abandon(self, *, reset: bool) -> None:
        """An injected fault: close with no answer; ``reset`` sends a TCP RST."""
        self.close_connection = True
        if reset:
            linger = struct.pack("ii", 1, 0)  # SO_LINGER 0: close() resets the connection
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.server.abort(self.connection)

    def _drain(self, length: int) -> None:
        """Read and drop an oversized body, so the client gets to read the reply.

        Past ``_DRAIN_LIMIT`` (or with no usable length) the connection is closed instead.
        """
        if not 0 <= length <= _DRAIN_LIMIT:
            self.close_connection = True
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)
        self.reader.disarm()

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def _write(self, reply: Reply, status: int | None = None) -> None:
        status = status or reply.status
        phrase = self.responses.get(status, ("",))[0]
        head = [
            f"HTTP/1.1 {status} {phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(reply.body)}",
            f"x-amzn-RequestId: {reply.request_id}",
            f"Date: {self.date_time_string()}",
        ]
        if reply.error_type:
            head.append(f"x-amzn-ErrorType: {reply.error_type}")
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class DataApiServer(ThreadingHTTPServer):
    """One daemon thread per connection, at most ``max_connections`` of them.

    A connection over the bound is closed at once (before its TLS handshake):
    stalled or hostile peers can hold at most that many threads, never more.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        endpoint: Dispatcher,
        *,
        tls: ssl.SSLContext | None = None,
        verbose: bool = False,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        request_s: float = REQUEST_READ_S,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.endpoint = endpoint
        self.tls = tls
        self.verbose = verbose
        self.max_connections = max_connections
        self.request_s = request_s
        self._slots = threading.BoundedSemaphore(max_connections)
        self._open = 0
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def open_connections(self) -> int:
        return self._open

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.abort(request)  # over the bound: refuse, do not queue a thread
            return
        with self._open_lock:
            self._open += 1
        try:
            super().process_request(request, client_address)
        except BaseException:  # the thread could not start
            self._release()
            self.shutdown_request(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._open_lock:
            self._open -= 1
        self._slots.release()

    @staticmethod
    def abort(request: Any) -> None:
        """Close a socket now, without the orderly shutdown."""
        with contextlib.suppress(OSError):
            request.close()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs on the connection's thread: the TLS handshake happens here, not in accept."""
        if self.tls is None:
            request.settimeout(_IDLE_CONNECTION_S)
            super().finish_request(request, client_address)
            return
        request.settimeout(_HANDSHAKE_S)
        try:
            secured = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that could not complete the handshake
        secured.settimeout(_IDLE_CONNECTION_S)
        try:
            super().finish_request(secured, client_address)
        finally:  # socketserver closes the plain socket only, which gave its fd to this one
            self.shutdown_request(secured)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            return  # the client went away: nothing to report
        super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def housekeeping(api: DataApi, stop: threading.Event, interval: float = 1.0) -> threading.Thread:
    """Expire idle transactions in the background, even when no call arrives."""

    def loop() -> None:
        while not stop.wait(interval):
            api.transactions.reap()

    thread = threading.Thread(target=loop, name="housekeeping", daemon=True)
    thread.start()
    return thread
