"""httpx's transport interface over the standard library's ``http.client``, with keep-alive.

``httpx.HTTPTransport`` imports httpcore and h11 (~20-25 ms of a cold start);
``http.client`` is already loaded by httpx itself. ``http.client`` connects
(TCP, ``CONNECT`` through a proxy, TLS); the request's head is written and a
plain answer read by ``stdhttp_io`` directly, others by ``http.client``. The
driver calls :meth:`StdlibTransport.exchange` (a ``WireRequest`` in, a ``Reply``
out, no httpx objects); ``handle_request`` is httpx's interface over the same
path. Data API bodies are small, so a response is read whole (at most
``max_response_bytes``, under the attempt's deadline: ``bounds``); connections
are kept per (scheme, host, port), reused when idle and still quiet, and never
across ``os.fork()``: a child starts an empty pool of its own (the parent's
sockets are closed in the child only).

Failures are httpx's exception classes, split as httpcore splits them, because
that split is what tells a safe retry from a statement that may have run:

- before anything left (``ConnectError``, ``ConnectTimeout``): DNS, refused,
  TCP or TLS handshake failure;
- after the connection was handed the request (``WriteError``,
  ``WriteTimeout``, ``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``):
  the server may have got it. A failure while writing on a reused connection is
  ambiguous too: bytes may have reached a server that then dropped the
  connection, and httpcore treats it so.
- but when writing fails, the answer is read anyway, as httpcore does: a front
  door that refuses a large body from its head (``413``) answers and hangs up
  before the body is sent, and that answer is the outcome, not a lost connection.

An ``http://`` proxy is tunnelled through (``CONNECT``, then TLS end to end) for
``https`` origins, so proxied calls keep the same bounds; a refused ``CONNECT``
is a ``ConnectError`` (never sent). Other proxies are left to ``httpx.HTTPTransport``.
"""

from __future__ import annotations

import http.client
import os
import select
import ssl
import threading
from collections.abc import Mapping

import httpx

from sigv4_dataapi._transport.bounds import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AnswerTooLarge,
    Budget,
    attempt_budget,
    decoded,
)
from sigv4_dataapi._transport.stdhttp_io import (
    READ_SIZE,
    Answer,
    TunnelConnection,
    Unsent,
    failure,
    read_plain,
    request_head,
)
from sigv4_dataapi._transport.wire import Reply, WireRequest

Connection = http.client.HTTPConnection  # HTTPSConnection is one
PoolKey = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
ONE_WRITE_MAX = 65536  # a body up to this size leaves in the same write as the head


class StdlibTransport(httpx.BaseTransport):
    """A thread-safe keep-alive pool of ``http.client`` connections, one list per origin.

    ``verify`` is the TLS context (``_endpoint.ssl_context``'s value): an
    ``ssl.SSLContext``, or ``False`` for no verification. ``max_idle`` bounds
    the idle connections kept per origin; the ones beyond it are closed.
    ``max_response_bytes`` caps an answer's body (``bounds.AnswerTooLarge``), counted
    after decompression: the answers it returns are whole, bounded and decoded.
    """

    bounds_answers = True  # the driver reads them as they are (``bounds.read_answer``'s job)

    def __init__(
        self,
        verify: ssl.SSLContext | bool = True,
        *,
        max_idle: int = 10,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
    ) -> None:
        self._context = _context(verify)
        self._tunnel = _tunnel(proxy) if proxy else None
        self._max_idle = max_idle
        self._max_bytes = max_response_bytes
        self._idle: dict[PoolKey, list[Connection]] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """httpx's transport interface (the ``request`` command's ``httpx.Client``)."""
        wire = WireRequest.from_httpx(request)
        return self.exchange(wire).httpx(request)

    def exchange(self, wire: WireRequest) -> Reply:
        """One request and its whole answer (the driver's path: no httpx objects made)."""
        url = wire.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}",
                                            request=wire.httpx())  # fmt: skip
        host = url.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets
        key = (url.scheme, host, url.port or DEFAULT_PORTS[url.scheme])
        timeouts = _timeouts(wire.extensions.get("timeout"))
        budget = Budget(attempt_budget(timeouts))
        conn = self._checkout(key) or self._connect(key, wire, budget, timeouts["connect"])
        lost = self._write(conn, wire, budget, timeouts["write"])
        try:
            reply, keep = self._read(conn, wire, budget, timeouts["read"])
        except Exception as exc:
            conn.close()
            error = failure(exc, wire, "read", lost)
            raise error from error.__cause__
        if lost is None and keep:
            self._checkin(key, conn)
        else:
            conn.close()
        return reply

    def _write(
        self, conn: Connection, wire: WireRequest, budget: Budget, timeout: float | None
    ) -> OSError | None:
        """Send the request; the error that broke the connection while sending, if one did.

        A small body leaves in the same write as the head (one TLS record, no
        Nagle / delayed-ACK wait for a server that read the head alone); a
        streamed body goes out chunk-encoded.
        """
        sock = conn.sock
        try:
            sock.settimeout(budget.limit(timeout))
            head = request_head(wire)
            body = wire.body
            if isinstance(body, bytes):
                if len(body) <= ONE_WRITE_MAX:
                    sock.sendall(head + body)
                else:
                    sock.sendall(head)
                    sock.sendall(body)
            else:
                sock.sendall(head)
                for chunk in body:
                    if chunk:
                        sock.sendall(b"%X\r\n%b\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
        except Exception as exc:
            error = failure(exc, wire, "write")
            if isinstance(error, Unsent):
                return error.error
            conn.close()
            raise error from error.__cause__
        return None

    def _read(
        self, conn: Connection, wire: WireRequest, budget: Budget, timeout: float | None
    ) -> tuple[Reply, bool]:
        """The whole answer, and whether the connection may carry another request.

        A plain answer (the Data API's) is read directly (``read_plain``); any
        other goes through ``http.client`` from its first byte (``Answer``).
        """
        read = read_plain(conn.sock, wire, budget, timeout, self._max_bytes)
        if not isinstance(read, bytes):
            return read
        answer = Answer(conn.sock, method=wire.method, budget=budget, timeout=timeout,
                        prefix=read)  # fmt: skip
        try:
            answer.begin()
            content = self._body(answer, wire)
        finally:
            answer.close()  # its reader holds the socket open, even once conn is closed
        version = b"HTTP/1.0" if answer.version == 10 else b"HTTP/1.1"
        reply = Reply(answer.status, answer.getheaders(), content, reason=answer.reason,
                      http_version=version)  # fmt: skip
        if any(name.lower() == "content-encoding" for name, _ in reply.headers):
            reply = self._decoded(reply, wire)
        return reply, not answer.will_close

    def _decoded(self, reply: Reply, wire: WireRequest) -> Reply:
        """An answer nobody asked to compress, inflated up to ``max_response_bytes``."""
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
        unread = httpx.Response(reply.status_code, headers=raw)  # never read: httpx would inflate
        response = decoded(unread, wire.httpx(), reply.content, self._max_bytes)
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in response.headers.raw]  # fmt: skip
        return Reply(reply.status_code, headers, response.content, reason=reply.reason,
                     http_version=reply.http_version)  # fmt: skip

    def _body(self, answer: http.client.HTTPResponse, wire: WireRequest) -> bytes:
        """The whole body, refused past ``max_response_bytes`` before it is all in memory."""
        limit = self._max_bytes
        if answer.length is not None:  # a Content-Length: known before a byte is read
            if answer.length > limit:
                raise AnswerTooLarge(limit, size=answer.length, request=wire.httpx())
            return answer.read()
        body = bytearray()
        while piece := answer.read(min(READ_SIZE, limit + 1 - len(body))):
            body += piece
            if len(body) > limit:
                raise AnswerTooLarge(limit, request=wire.httpx())
        return bytes(body)

    def _checkout(self, key: PoolKey) -> Connection | None:
        """An idle connection that is still quiet, or None; stale ones are closed on the way."""
        if self._pid != os.getpid():
            self._forked()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                conn = idle.pop()
            if _usable(conn):
                return conn
            conn.close()

    def _checkin(self, key: PoolKey, conn: Connection) -> None:
        """Keep a connection whose answer allows reuse (``http.client`` drops its socket if not)."""
        if conn.sock is not None:
            with self._lock:
                idle = self._idle.setdefault(key, [])
                if not self._closed and len(idle) < self._max_idle:
                    idle.append(conn)
                    return
        conn.close()

    def _connect(
        self, key: PoolKey, wire: WireRequest, budget: Budget, timeout: float | None
    ) -> Connection:
        scheme, host, port = key
        conn: Connection
        timeout = budget.limit(timeout)
        if scheme == "http":
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        elif self._tunnel is None:
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._context)
        else:  # TCP to the proxy, CONNECT host:port, then TLS with the server, end to end
            proxy_host, proxy_port, headers = self._tunnel
            conn = TunnelConnection(proxy_host, proxy_port, timeout=timeout, context=self._context)
            conn.set_tunnel(host, port, headers=headers)
        try:
            conn.connect()  # TCP, CONNECT, the TLS handshake: nothing of the request has left
        except TimeoutError as exc:
            conn.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out", request=wire.httpx()) from exc
        except (OSError, ValueError, http.client.HTTPException) as exc:  # incl. a refused CONNECT
            conn.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=wire.httpx()) from exc
        return conn

    def _forked(self) -> None:
        """In a child after ``os.fork()``: forget the parent's connections and lock.

        Closing a socket here only drops the child's file descriptor (no
        shutdown, no TLS close_notify): the parent's connection is untouched.
        """
        idle = [conn for conns in self._idle.values() for conn in conns]
        self._idle = {}
        self._lock = threading.Lock()  # the parent's may have been held by another thread
        self._pid = os.getpid()
        for conn in idle:
            conn.close()

    def idle_count(self) -> int:
        """How many connections wait for reuse (for tests and diagnostics)."""
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def close(self) -> None:
        """Close the idle connections; connections in use are closed when they come back."""
        with self._lock:
            self._closed = True
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()


def _tunnel(proxy: str) -> tuple[str, int, dict[str, str]]:
    """Host, port and ``CONNECT`` headers of an ``http://[user:password@]host:port`` proxy."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(proxy)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"StdlibTransport tunnels through http:// proxies only, not {proxy!r}")
    headers: dict[str, str] = {}
    if parts.username is not None:
        import base64

        secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return parts.hostname, parts.port or 80, headers


def _context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify:
        return ssl.create_default_context()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _timeouts(value: object) -> dict[str, float | None]:
    """httpx's ``{"connect", "read", "write", "pool"}`` timeouts; None waits forever."""
    given: Mapping[str, float | None] = value if isinstance(value, Mapping) else {}
    return {name: given.get(name) for name in ("connect", "read", "write")}


def _usable(conn: Connection) -> bool:
    """An idle keep-alive connection must have nothing to read: data or EOF means stale.

    The zero-timeout readability check httpcore makes before reusing a connection.
    """
    sock = conn.sock
    if sock is None or sock.fileno() < 0:
        return False
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
