"""The async driver's keep-alive pool, on asyncio's own transports: ``StdlibTransport``'s twin.

``httpx.AsyncHTTPTransport`` (httpcore, anyio, h11) cost about 2,000 us of
client CPU per Data API call, against ~300 us for the sync pool, and its async
streams do not read while they write: a server's early ``413`` sent before a
large body is read was lost with the reset that followed it. This pool writes
the head with ``stdhttp_io.request_head`` (the same header-injection checks),
reads the answer with ``h1answer.AnswerParser`` (the sync pool's rules, limits
and keep-alive decisions) and maps failures with ``stdhttp_io.failure``, so both
drivers end every case in the same httpx exception. An ``asyncio.Protocol``
receives all the time, also while a large body is being written: when the write
fails with a reset, the answer already read is the outcome.

Every wait is a future with a ``loop.call_later`` expiry (no task or timeout
scope per call): what is left of the attempt's deadline (``bounds.Budget``) or
the phase's timeout, whichever is shorter. Connections are kept per (scheme,
host, port) and event loop, reused when idle and quiet (no byte or EOF received
while idle, nothing readable on the socket), and never across ``os.fork()``: a
child forgets the parent's connections without touching the parent's loop, and
points their descriptors at ``/dev/null`` (the parent's connections stay open).
Proxies are not handled here: the async driver keeps ``httpx.AsyncHTTPTransport``
when one applies.
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import ssl
from typing import Any

import httpx

from sigv4_dataapi._transport.bounds import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Budget,
    attempt_budget,
    decoded,
)
from sigv4_dataapi._transport.h1answer import AnswerParser
from sigv4_dataapi._transport.stdhttp import DEFAULT_PORTS, ONE_WRITE_MAX, _context, _timeouts
from sigv4_dataapi._transport.stdhttp_io import Unsent, failure, reason, request_head
from sigv4_dataapi._transport.wire import Reply, WireRequest

PoolKey = tuple[str, str, int]
_EXPIRED = object()
_forgotten: list[Any] = []  # a forked child's copies of the parent's transports: never closed


class _Connection(asyncio.Protocol):
    """One connection: what was received (``buf``, ``eof``, ``error``) and one waiter."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.buf = bytearray()
        self.eof = False
        self.lost = False
        self.error: BaseException | None = None
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.fd = -1
        self._waiter: asyncio.Future[Any] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(0)  # resume_writing once every byte has left
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self.fd = sock.fileno()
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.lost = True
        self.error = exc
        self._wake()

    def resume_writing(self) -> None:
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, timeout: float | None) -> bool:
        """Until something happens (data, EOF, loss, drained writes); False when timed out."""
        waiter = self._waiter = self.loop.create_future()
        if timeout is None:
            try:
                await waiter
            finally:
                self._waiter = None
            return True
        expiry = self.loop.call_later(timeout, _expire, waiter)
        try:
            return await waiter is not _EXPIRED
        finally:
            expiry.cancel()
            self._waiter = None

    def usable(self) -> bool:
        """Idle and quiet: nothing received, no EOF, nothing readable (httpcore's check)."""
        if self.buf or self.eof or self.transport.is_closing() or self.fd < 0:
            return False
        try:
            if hasattr(select, "poll"):
                poller = select.poll()
                poller.register(self.fd, select.POLLIN)
                return not poller.poll(0)
            readable, _, _ = select.select([self.fd], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        """Drop the connection now (no TLS close_notify wait: the loop may end right after)."""
        if not self.lost:
            self.transport.abort()


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_result(_EXPIRED)


class AsyncStdlibTransport(httpx.AsyncBaseTransport):
    """A keep-alive pool of asyncio connections, one list per origin (and event loop).

    ``verify``, ``max_idle`` and ``max_response_bytes`` as for
    ``stdhttp.StdlibTransport``; its answers are whole, bounded and decoded.
    """

    bounds_answers = True

    def __init__(
        self,
        verify: ssl.SSLContext | bool = True,
        *,
        max_idle: int = 10,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._context = _context(verify)
        self._max_idle = max_idle
        self._max_bytes = max_response_bytes
        self._idle: dict[PoolKey, list[_Connection]] = {}
        self._pid = os.getpid()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """httpx's async transport interface over the same path."""
        await request.aread()
        wire = WireRequest.from_httpx(request)
        return (await self.exchange(wire)).httpx(request)

    async def exchange(self, wire: WireRequest) -> Reply:
        """One request and its whole answer (the driver's path: no httpx objects made)."""
        url = wire.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}",
                                            request=wire.httpx())  # fmt: skip
        host = url.raw_host.decode("ascii")
        key = (url.scheme, host, url.port or DEFAULT_PORTS[url.scheme])
        timeouts = _timeouts(wire.extensions.get("timeout"))
        budget = Budget(attempt_budget(timeouts))
        loop = asyncio.get_running_loop()
        conn = self._checkout(key, loop) or await self._connect(key, loop, wire, budget,
                                                                 timeouts["connect"])  # fmt: skip
        try:
            lost = await self._write(conn, wire, budget, timeouts["write"])
        except BaseException:  # mapped already, or cancelled
            conn.close()
            raise
        try:
            reply, keep = await self._read(conn, wire, budget, timeouts["read"])
        except Exception as exc:
            conn.close()
            error = failure(exc, wire, "read", lost)
            raise error from error.__cause__
        except BaseException:  # cancelled: the answer is no longer awaited
            conn.close()
            raise
        if lost is None and keep and not conn.buf:  # a byte past the answer: never reused
            self._checkin(key, conn)
        else:
            conn.close()
        return reply

    async def _write(
        self, conn: _Connection, wire: WireRequest, budget: Budget, timeout: float | None
    ) -> OSError | None:
        """Send the request; the error that broke the connection while sending, if one did.

        A small body leaves in the same write as the head; asyncio writes what the
        socket takes and buffers the rest, which is waited for (``timeout``), while
        the protocol goes on receiving.
        """
        transport = conn.transport
        try:
            head = request_head(wire)
            body = wire.body
            if isinstance(body, bytes):
                if len(body) <= ONE_WRITE_MAX:
                    transport.write(head + body)
                else:
                    transport.write(head)
                    transport.write(body)
                await _drained(conn, budget, timeout)
            else:
                transport.write(head)
                for chunk in body:
                    if chunk:
                        transport.write(b"%X\r\n%b\r\n" % (len(chunk), chunk))
                        await _drained(conn, budget, timeout)
                transport.write(b"0\r\n\r\n")
                await _drained(conn, budget, timeout)
        except Exception as exc:
            error = failure(exc, wire, "write")
            if isinstance(error, Unsent):
                return error.error
            conn.close()
            raise error from error.__cause__
        return None

    async def _read(
        self, conn: _Connection, wire: WireRequest, budget: Budget, timeout: float | None
    ) -> tuple[Reply, bool]:
        """The whole answer (what was received while writing first), and whether to reuse."""
        parser = AnswerParser(wire, self._max_bytes)
        while not parser.step(conn.buf, False):
            if conn.eof:
                if conn.error is not None:  # a reset: what was received is all there is
                    raise _os_error(conn.error)
                parser.step(conn.buf, True)
                break
            if not await conn.wait(budget.limit(timeout)):
                budget.limit(None)  # DeadlinePassed, when the deadline is why
                raise TimeoutError("timed out")
        reply = parser.reply
        assert reply is not None
        if parser.coded:
            reply = self._decoded(reply, wire)
        return reply, parser.keep

    def _decoded(self, reply: Reply, wire: WireRequest) -> Reply:
        """An answer nobody asked to compress, inflated up to ``max_response_bytes``."""
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in reply.headers]
        unread = httpx.Response(reply.status_code, headers=raw)  # never read: httpx would inflate
        response = decoded(unread, wire.httpx(), reply.content, self._max_bytes)
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in response.headers.raw]  # fmt: skip
        return Reply(reply.status_code, headers, response.content, reason=reply.reason,
                     http_version=reply.http_version)  # fmt: skip

    def _checkout(self, key: PoolKey, loop: asyncio.AbstractEventLoop) -> _Connection | None:
        """An idle connection of this loop that is still quiet; stale ones are closed."""
        if self._pid != os.getpid():
            self._forked()
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.loop is loop and conn.usable():
                return conn
            _discard(conn, loop)
        return None

    def _checkin(self, key: PoolKey, conn: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if not self._closed and len(idle) < self._max_idle:
            idle.append(conn)
        else:
            conn.close()

    async def _connect(
        self,
        key: PoolKey,
        loop: asyncio.AbstractEventLoop,
        wire: WireRequest,
        budget: Budget,
        timeout: float | None,
    ) -> _Connection:
        """TCP and the TLS handshake: nothing of the request has left when this fails."""
        scheme, host, port = key
        context = self._context if scheme == "https" else None
        try:
            limit = budget.limit(timeout)
            opening = loop.create_connection(
                lambda: _Connection(loop), host, port, ssl=context,
                server_hostname=host if context is not None else None,
            )  # fmt: skip
            _, conn = await (opening if limit is None else _within(opening, limit))
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "timed out", request=wire.httpx()) from exc
        except (OSError, ValueError) as exc:  # DNS, refused, TLS (ssl.SSLError is an OSError)
            raise httpx.ConnectError(reason(exc), request=wire.httpx()) from exc
        return conn

    def _forked(self) -> None:
        """In a child after ``os.fork()``: forget the parent's connections, loop untouched.

        Each descriptor is pointed at ``/dev/null`` (the parent's connection stays
        open; the child holds it no longer), and the transport kept referenced so
        that nothing ever closes or reads it in the child.
        """
        idle = [conn for conns in self._idle.values() for conn in conns]
        self._idle = {}
        self._pid = os.getpid()
        if idle:
            null = os.open(os.devnull, os.O_RDWR)
            try:
                for conn in idle:
                    if conn.fd >= 0:
                        os.dup2(null, conn.fd)
            finally:
                os.close(null)
            _forgotten.extend(idle)

    def idle_count(self) -> int:
        """How many connections wait for reuse (for tests and diagnostics)."""
        return sum(len(idle) for idle in self._idle.values())

    async def aclose(self) -> None:
        """Close the idle connections; connections in use are closed when they come back."""
        self._closed = True
        if self._pid != os.getpid():
            self._forked()
        idle = [conn for conns in self._idle.values() for conn in conns]
        self._idle.clear()
        if not idle:
            return
        loop = asyncio.get_running_loop()
        for conn in idle:
            _discard(conn, loop)
        await asyncio.sleep(0)  # the transports close their sockets on the next loop turn


async def _drained(conn: _Connection, budget: Budget, timeout: float | None) -> None:
    """Until the transport's buffer has left (or the connection broke: an ``OSError``)."""
    transport = conn.transport
    while transport.get_write_buffer_size() and not conn.lost:
        if not await conn.wait(budget.limit(timeout)):
            budget.limit(None)
            raise TimeoutError("timed out")
    if conn.lost and conn.error is not None:
        raise _os_error(conn.error)


def _os_error(error: BaseException) -> OSError:
    if isinstance(error, OSError):
        return error
    lost = ConnectionError(reason(error))
    lost.__cause__ = error
    return lost


def _discard(conn: _Connection, loop: asyncio.AbstractEventLoop) -> None:
    """Close a connection from this loop, or from another one still open (thread-safely)."""
    if conn.loop is loop:
        conn.close()
    elif not conn.loop.is_closed():
        conn.loop.call_soon_threadsafe(conn.close)
    # a closed loop's transport: its socket closes when the transport is collected


async def _within(opening: Any, seconds: float) -> Any:
    """``opening`` cancelled after ``seconds`` (the builtin ``TimeoutError``, on 3.10 too)."""
    scope = getattr(asyncio, "timeout", None)
    if scope is None:  # Python 3.10, whose asyncio.TimeoutError is not the builtin
        try:
            return await asyncio.wait_for(opening, seconds)
        except asyncio.TimeoutError as exc:
            raise TimeoutError("timed out") from exc
    async with scope(seconds):
        return await opening


__all__ = ["AsyncStdlibTransport"]
