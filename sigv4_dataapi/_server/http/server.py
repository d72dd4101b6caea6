"""The HTTP layer: ``ThreadingHTTPServer`` (one thread per connection, keep-alive).

Pipeline per request: size check -> SigV4 (403, no SQL runs) -> route ->
JSON body -> allow list -> operation. Every reply, success or error, is JSON
with ``Content-Type: application/json`` and an ``x-amzn-RequestId``; errors
add ``x-amzn-ErrorType`` (reference §3.1, F16). Errors become replies in
exactly one place, :meth:`Dispatcher.handle`. TLS handshakes run on the
connection's own thread, so a slow client never blocks ``accept``.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.api.ops import OPERATIONS, DataApi, resource_of
from sigv4_dataapi._server.api.requests import parse_body
from sigv4_dataapi._server.auth.verify import ReceivedRequest, authenticate
from sigv4_dataapi._server.http.head import BadHead, RequestHead, read_head

CORAL_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.rdsdataservice/"
_FRONT_DOOR = frozenset(
    {
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "UnknownOperationException",
        "SerializationException",
        "ValidationException",
        "RequestEntityTooLargeException",
    }
)
_DRAIN_LIMIT = 64 * 1024 * 1024  # oversized bodies up to this are read and dropped
_IDLE_CONNECTION_S = 600.0  # keep-alive connections idle longer than this are closed
_dumps = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    request_id: str
    error_type: str | None = None


def _error_reply(error: ApiError, request_id: str) -> Reply:
    suffix = "" if error.code in _FRONT_DOOR else CORAL_SUFFIX
    body = _dumps(error.body()).encode("utf-8")
    return Reply(error.status, body, request_id, error.code + suffix)


class Dispatcher:
    """HTTP-free request handling: (method, target, headers, body) -> :class:`Reply`."""

    def __init__(
        self,
        api: DataApi,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        log: IO[str] | None = None,
    ) -> None:
        self.api = api
        self._now = now
        self._log = log

    def too_large(self, size: int) -> Reply:
        limit = self.api.settings.limits.max_request_bytes
        error = ApiError(
            "RequestEntityTooLargeException",
            f"Request size {size} exceeds the limit of {limit} bytes (headers and body).",
        )
        return _error_reply(error, str(uuid.uuid4()))

    def handle(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Reply:
        request_id = str(uuid.uuid4())
        try:
            data = self._dispatch(method, target, headers, body)
        except ApiError as error:
            return _error_reply(error, request_id)
        except Exception:
            traceback.print_exc(file=self._log or sys.stderr)
            return _error_reply(ApiError("InternalServerErrorException", ""), request_id)
        return Reply(200, _dumps(data).encode("utf-8"), request_id)

    def _dispatch(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> dict[str, Any]:
        path, _, query = target.partition("?")
        settings = self.api.settings
        key = authenticate(
            ReceivedRequest(method, path, query, headers, body),
            self.api.access.keys,
            region=settings.region,
            now=self._now(),
            max_skew=settings.max_clock_skew,
        )
        operation = OPERATIONS.get(path)
        if operation is None or method != "POST":
            raise ApiError("UnknownOperationException", f"No operation at {method} {path}")
        data = parse_body(body)
        key.authorize(operation, resource_of(data))
        return self.api.call(operation, data)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = _IDLE_CONNECTION_S
    server: DataApiServer
    head: RequestHead

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
        expect = (self.head.get("expect") or "").lower()
        if expect == "100-continue" and self.head.version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _reject(self, status: int, reason: str) -> None:
        """A request we cannot read: a JSON answer with ``status``, then close."""
        self.close_connection = True
        error = _error_reply(ApiError("BadRequestException", reason), str(uuid.uuid4()))
        self._write(error, status)

    def _serve(self) -> None:
        endpoint = self.server.endpoint
        if self.head.get("transfer-encoding") is not None:
            self._reject(411, "Chunked request bodies are not supported: send Content-Length")
            return
        try:
            length = int(self.head.get("content-length") or 0)
        except ValueError:
            length = -1
        total = max(length, 0) + self.head.size
        if length < 0 or total > endpoint.api.settings.limits.max_request_bytes:
            self._drain(length)
            self._write(endpoint.too_large(total))
            return
        body = self.rfile.read(length) if length else b""
        started = time.perf_counter()
        reply = endpoint.handle(self.command, self.path, self.head.headers, body)
        self._write(reply)
        if self.server.verbose:
            elapsed = (time.perf_counter() - started) * 1000
            self.log_message(
                "%s %s %d %.1fms %s", self.command, self.path, reply.status, elapsed,
                reply.request_id,
            )  # fmt: skip

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
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.endpoint = endpoint
        self.tls = tls
        self.verbose = verbose
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs on the connection's thread: the TLS handshake happens here, not in accept."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_IDLE_CONNECTION_S)
        try:
            secured = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that could not complete the handshake
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
