"""httpx's transport interface over the standard library's ``http.client``, with keep-alive.

``httpx.HTTPTransport`` imports httpcore and h11 (~20-25 ms of a cold start);
``http.client`` is already loaded by httpx itself. Data API bodies are small,
so a response is read whole; connections are kept per (scheme, host, port)
and reused when idle and still quiet.

Failures are httpx's exception classes, split as httpcore splits them, because
that split is what tells a safe retry from a statement that may have run:

- before anything left (``ConnectError``, ``ConnectTimeout``): DNS, refused,
  TCP or TLS handshake failure;
- after the connection was handed the request (``WriteError``,
  ``WriteTimeout``, ``ReadTimeout``, ``ReadError``, ``RemoteProtocolError``):
  the server may have got it. A failure while writing on a reused connection is
  ambiguous too: bytes may have reached a server that then dropped the
  connection, and httpcore treats it so.

Proxies are not handled here: the transport keeps ``httpx.HTTPTransport`` for them.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx

Connection = http.client.HTTPConnection  # HTTPSConnection is one
PoolKey = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


class StdlibTransport(httpx.BaseTransport):
    """A thread-safe keep-alive pool of ``http.client`` connections, one list per origin.

    ``verify`` is the TLS context (``_endpoint.ssl_context``'s value): an
    ``ssl.SSLContext``, or ``False`` for no verification. ``max_idle`` bounds
    the idle connections kept per origin; the ones beyond it are closed.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True, *, max_idle: int = 10) -> None:
        self._context = _context(verify)
        self._max_idle = max_idle
        self._idle: dict[PoolKey, list[Connection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}",
                                            request=request)  # fmt: skip
        host = url.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets
        key = (url.scheme, host, url.port or DEFAULT_PORTS[url.scheme])
        timeouts = _timeouts(request.extensions.get("timeout"))
        conn = self._checkout(key) or self._connect(key, request, timeouts["connect"])
        body = request.read()
        with _failures(request, conn, "write"):
            conn.sock.settimeout(timeouts["write"])
            conn.putrequest(request.method, url.raw_path.decode("ascii"),
                            skip_host=True, skip_accept_encoding=True)  # fmt: skip
            for name, value in request.headers.raw:
                conn.putheader(name.decode("latin-1"), value)
            conn.endheaders(body or None)
        with _failures(request, conn, "read"):
            conn.sock.settimeout(timeouts["read"])
            answer = conn.getresponse()
            content = answer.read()
            answer.close()
        self._checkin(key, conn)
        version = b"HTTP/1.0" if answer.version == 10 else b"HTTP/1.1"
        return httpx.Response(
            answer.status, headers=answer.getheaders(), stream=httpx.ByteStream(content),
            extensions={"http_version": version, "reason_phrase": answer.reason.encode("latin-1")},
        )  # fmt: skip

    def _checkout(self, key: PoolKey) -> Connection | None:
        """An idle connection that is still quiet, or None; stale ones are closed on the way."""
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

    def _connect(self, key: PoolKey, request: httpx.Request, timeout: float | None) -> Connection:
        scheme, host, port = key
        conn: Connection
        if scheme == "http":
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        else:
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._context)
        try:
            conn.connect()  # TCP, then the TLS handshake: nothing of the request has left
        except TimeoutError as exc:
            conn.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            conn.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return conn

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


@contextmanager
def _failures(request: httpx.Request, conn: Connection, phase: str) -> Iterator[None]:
    """Failures once the connection has the request (or part of it): the outcome is unknown."""
    try:
        yield
    except TimeoutError as exc:
        conn.close()
        timeout = httpx.WriteTimeout if phase == "write" else httpx.ReadTimeout
        raise timeout(str(exc) or "timed out", request=request) from exc
    except ValueError as exc:  # a header http.client refuses: nothing valid was sent
        conn.close()
        raise httpx.LocalProtocolError(str(exc), request=request) from exc
    except http.client.HTTPException as exc:  # RemoteDisconnected, BadStatusLine, IncompleteRead
        conn.close()
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
    except OSError as exc:
        conn.close()
        error = httpx.WriteError if phase == "write" else httpx.ReadError
        raise error(str(exc) or type(exc).__name__, request=request) from exc
