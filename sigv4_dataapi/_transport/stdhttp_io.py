"""The request head and the answer, read under the attempt's deadline and past interim answers.

A Data API answer is plain: ``HTTP/1.1``, a few ``Name: value`` lines, a
``Content-Length``. :func:`read_plain` reads such an answer straight off the
socket (one ``recv`` for most), and :func:`request_head` writes the request's
head with the checks ``http.client`` makes; together they are about a third of
a call's client CPU less than ``http.client``'s own request and response
objects (``scripts/bench request``). Any other answer -- chunked, compressed,
read to the close, a bare-LF or folded header, a long head -- goes to
:class:`Answer`, an ``http.client.HTTPResponse`` that parses it from its first
byte (the bytes already read are handed back), with ``http.client``'s rules and
limits.

Both readers give each ``recv`` what is left of the attempt's
:class:`~.bounds.Budget` (``http.client`` alone has one socket timeout per
``recv``: a peer sending a byte per timeout never times out), so the status
line, the headers and the body share one deadline, and both skip every interim
``1xx`` answer (``http.client`` skips only ``100 Continue``: a ``103 Early
Hints`` came back as the final answer). :func:`failure` turns what the socket
and ``http.client`` raise into httpx's exceptions, split by what they prove.
"""

from __future__ import annotations

import email.parser
import http.client
import io
import re
import socket
from typing import Any

import httpx

from sigv4_dataapi._transport.bounds import AnswerTooLarge, Budget
from sigv4_dataapi._transport.wire import Reply, WireRequest

MAX_LINE = 65536  # http.client's limits, for the interim answers' headers
MAX_HEADERS = 100
# ``Name: value`` in visible ASCII, one line: what ``email``'s parser reads the same way
_PLAIN_HEADER = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\x20-\x7e\t]*?)\r?\n")


class _DeadlineIO(io.RawIOBase):
    """The socket's reader, every ``recv`` bounded by the read timeout and the deadline."""

    def __init__(
        self, sock: socket.socket, budget: Budget, timeout: float | None, prefix: bytes = b""
    ) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while read
        self._budget = budget
        self._timeout = timeout
        self._prefix = memoryview(prefix)  # bytes already read off the socket, read first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        self._sock.settimeout(self._budget.limit(self._timeout))
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            self._budget.limit(None)  # DeadlinePassed, when the deadline is why
            raise

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _Source:
    """What ``HTTPResponse.__init__`` asks of its socket: ``makefile("rb")``."""

    __slots__ = ("budget", "prefix", "sock", "timeout")

    def __init__(
        self, sock: socket.socket, budget: Budget, timeout: float | None, prefix: bytes
    ) -> None:
        self.sock = sock
        self.budget = budget
        self.timeout = timeout
        self.prefix = prefix

    def makefile(self, mode: str, *args: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineIO(self.sock, self.budget, self.timeout, self.prefix))


class Answer(http.client.HTTPResponse):
    """An ``HTTPResponse`` bounded by ``budget`` that waits for the final (non-1xx) answer.

    ``prefix`` holds the bytes of the answer already read off the socket (the
    plain-head reader's, when the answer was not plain): they are parsed first.
    """

    def __init__(
        self,
        sock: socket.socket,
        debuglevel: int = 0,
        method: str | None = None,
        url: str | None = None,
        *,
        budget: Budget,
        timeout: float | None,
        prefix: bytes = b"",
    ) -> None:
        source = _Source(sock, budget, timeout, prefix)
        super().__init__(source, debuglevel, method, url)  # type: ignore[arg-type]

    def begin(self) -> None:
        """``HTTPResponse.begin``, the headers parsed by :func:`read_headers`.

        The standard one runs every answer's headers through the ``email``
        package's feed parser (about a sixth of a Data API call's client CPU).
        """
        if self.headers is not None:
            return
        version, status, reason = self._read_status()
        while status == http.client.CONTINUE:
            _skip_headers(self.fp)
            version, status, reason = self._read_status()
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = read_headers(self.fp)
        encoding = self.headers.get("transfer-encoding")
        self.chunked = bool(encoding) and encoding.lower() == "chunked"
        if self.chunked:
            self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None if self.chunked else _length(self.headers.get("content-length"))
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True

    def _read_status(self) -> tuple[str, int, str]:
        """The next status line, past interim answers (``begin`` itself skips only 100)."""
        version, status, reason = super()._read_status()  # type: ignore[misc]
        while 100 < status < 200:
            _skip_headers(self.fp)
            version, status, reason = super()._read_status()  # type: ignore[misc]
        return version, status, reason


def read_headers(fp: io.BufferedIOBase) -> http.client.HTTPMessage:
    """``http.client.parse_headers``: the same limits and message, plain lines parsed directly.

    A line the pattern does not take whole (folded, non-ASCII, malformed) sends
    them all through the ``email`` parser, as ``http.client`` does.
    """
    lines: list[bytes] = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    message = http.client.HTTPMessage()
    for line in lines[:-1]:
        plain = _PLAIN_HEADER.fullmatch(line)
        if plain is None:
            text = b"".join(lines).decode("iso-8859-1")
            return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
        message.set_raw(plain[1].decode("ascii"), plain[2].decode("ascii"))
    return message


def _length(value: str | None) -> int | None:
    """A ``Content-Length`` as ``http.client`` reads it: not a number, or negative, is none."""
    if not value:
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _skip_headers(fp: io.BufferedIOBase) -> None:
    for _ in range(MAX_HEADERS + 1):
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        if line in (b"\r\n", b"\n", b""):
            return
    raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")


class Unsent(Exception):
    """Writing broke the connection: the answer may have come anyway (read it)."""

    def __init__(self, error: OSError) -> None:
        self.error = error


def failure(
    exc: BaseException,
    wire: WireRequest,
    phase: str,
    lost: OSError | None = None,
) -> BaseException:
    """The exception to raise for ``exc``, once the connection has (part of) the request.

    The outcome is unknown from here on. In the write phase a broken connection
    (not a timeout) is :class:`Unsent`, so that the answer is read next; reading
    after such a write reports the write's error when no answer can be read either.
    The caller closes the connection (but after :class:`Unsent`) and raises the
    result ``from`` its ``__cause__``.
    """
    if isinstance(exc, AnswerTooLarge):
        return exc
    if isinstance(exc, TimeoutError):
        timeout = httpx.WriteTimeout if phase == "write" else httpx.ReadTimeout
        return _caused(timeout(str(exc) or "timed out", request=wire.httpx()), exc)
    if isinstance(exc, (ValueError, OverflowError)):
        if phase == "write":  # a header http.client would refuse: nothing valid was sent
            return _caused(httpx.LocalProtocolError(str(exc), request=wire.httpx()), exc)
        error = httpx.RemoteProtocolError(f"malformed answer: {exc}", request=wire.httpx())
        return _caused(error, exc)
    if isinstance(exc, http.client.HTTPException):  # RemoteDisconnected, BadStatusLine, ...
        if lost is not None:
            return _caused(httpx.WriteError(reason(lost), request=wire.httpx()), lost)
        return _caused(httpx.RemoteProtocolError(reason(exc), request=wire.httpx()), exc)
    if isinstance(exc, OSError):
        if phase == "write":
            return Unsent(exc)
        if lost is not None:
            return _caused(httpx.WriteError(reason(lost), request=wire.httpx()), lost)
        return _caused(httpx.ReadError(reason(exc), request=wire.httpx()), exc)
    return exc


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


# -- the plain answer, read without http.client ---------------------------------------------

_STATUS_LINE = re.compile(r"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: ([^\r\n]*))?")
_HEADER_LINE = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\x20-\x7e\t]*)")
# request heads: a method, a target without spaces or controls, header lines without CR/LF
_REQUEST_HEAD = re.compile(
    r"[^\x00-\x20\x7f]+ [^\x00-\x20\x7f]+ HTTP/1\.1\r\n(?:[^:\s][^:\r\n]*: [^\r\n]*\r\n)*\r\n"
)
READ_SIZE = 65536
_FRAMING = frozenset({"transfer-encoding", "content-encoding"})  # http.client's job
_REUSE = frozenset({"connection", "keep-alive", "proxy-connection"})
NotPlain = bytes  # what was read off the socket: http.client parses it from the start


def request_head(wire: WireRequest) -> bytes:
    """The request line and headers, as ``http.client``'s ``putrequest``/``putheader`` write
    them, refusing what they refuse (a CR or LF in a value: header injection)."""
    text = f"{wire.method} {wire.target} HTTP/1.1\r\n" + "".join(
        [f"{name}: {value}\r\n" for name, value in wire.headers]
    ) + "\r\n"  # fmt: skip
    if text.count("\n") != len(wire.headers) + 2 or _REQUEST_HEAD.fullmatch(text) is None:
        raise ValueError("invalid request line or header (a control character, or CR/LF "
                         "inside a value)")  # fmt: skip
    return text.encode("latin-1")  # past latin-1: UnicodeEncodeError, a ValueError


def read_plain(
    sock: socket.socket, wire: WireRequest, budget: Budget, timeout: float | None, limit: int
) -> tuple[Reply, bool] | NotPlain:
    """The answer and whether the connection may be reused, when its head is plain.

    Plain: ``HTTP/1.x``, ``CRLF`` lines in the form :func:`read_headers` parses
    directly, one ``Content-Length`` (or none needed: ``HEAD``, ``204``, ``304``),
    no ``Transfer-Encoding`` or ``Content-Encoding`` -- what the Data API sends.
    Interim ``1xx`` answers are skipped, as :class:`Answer` skips them. Anything
    else returns the bytes read so far, for :class:`Answer` to parse from the start
    with ``http.client``'s rules and limits. Every ``recv`` is bounded by ``budget``.
    """
    buf = bytearray()
    scan = 0
    while True:
        end = buf.find(b"\r\n\r\n", scan)
        if end < 0:
            if len(buf) > MAX_LINE or b"\n\n" in buf or b"\n\r\n" in buf:
                return bytes(buf)  # a long or bare-LF head
            chunk = _recv(sock, READ_SIZE, budget, timeout)
            if not chunk:
                if buf:
                    return bytes(buf)  # http.client says what is wrong with it
                raise http.client.RemoteDisconnected("Remote end closed connection without"
                                                     " response")  # fmt: skip
            scan = max(0, len(buf) - 3)
            buf += chunk
            continue
        lines = buf[:end].decode("latin-1").split("\r\n")
        status = _STATUS_LINE.fullmatch(lines[0])
        if status is None or len(lines) > MAX_HEADERS + 1:
            return bytes(buf)
        code = int(status[2])
        if code < 200:  # an interim answer: the final one follows
            del buf[: end + 4]
            scan = 0
            continue
        head = _plain_head(lines, status[1] == "1")
        if head is None:
            return bytes(buf)
        headers, length, keep = head
        if wire.method == "HEAD" or code in (204, 304):
            length = 0
        elif length is None:
            return bytes(buf)  # read to the close: http.client's job
        if length > limit:
            raise AnswerTooLarge(limit, size=length, request=wire.httpx())
        body = _body(sock, buf, end + 4, length, budget, timeout)
        keep = keep and len(buf) == end + 4 + length  # bytes past the answer: do not reuse
        reply = Reply(code, headers, body, reason=(status[3] or "").strip(),
                      http_version=b"HTTP/1.1" if status[1] == "1" else b"HTTP/1.0")  # fmt: skip
        return reply, keep


def _plain_head(
    lines: list[str], http11: bool
) -> tuple[list[tuple[str, str]], int | None, bool] | None:
    """Headers, ``Content-Length`` and keep-alive (``http.client``'s ``_check_close``), or
    None when a line or a header is not for the plain reader."""
    headers: list[tuple[str, str]] = []
    length: int | None = None
    firsts: dict[str, str] = {}  # HTTPMessage.get: the first of each
    for line in lines[1:]:
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            return None
        name, value = match[1], match[2]
        headers.append((name, value))
        lower = name.lower()
        if lower == "content-length":
            if length is not None or not value.isdigit():
                return None
            length = int(value)
        elif lower in _FRAMING:
            return None
        elif lower in _REUSE:
            firsts.setdefault(lower, value)
    connection = firsts.get("connection", "").lower()
    if http11:
        keep = "close" not in connection
    else:
        keep = (bool(firsts.get("keep-alive")) or "keep-alive" in connection
                or "keep-alive" in firsts.get("proxy-connection", "").lower())  # fmt: skip
    return headers, length, keep


def _recv(sock: socket.socket, size: int, budget: Budget, timeout: float | None) -> bytes:
    """One ``recv``, bounded like :class:`_DeadlineIO`'s (the deadline named when it is why)."""
    sock.settimeout(budget.limit(timeout))
    try:
        return sock.recv(size)
    except TimeoutError:
        budget.limit(None)  # DeadlinePassed, when the deadline is why
        raise


def _body(
    sock: socket.socket,
    buf: bytearray,
    start: int,
    length: int,
    budget: Budget,
    timeout: float | None,
) -> bytes:
    """``length`` bytes of body: those in ``buf`` from ``start``, then off the socket."""
    while len(buf) - start < length:
        chunk = _recv(sock, min(length - (len(buf) - start), 1 << 20), budget, timeout)
        if not chunk:
            raise http.client.IncompleteRead(bytes(buf[start:]), length - (len(buf) - start))
        buf += chunk
    return bytes(buf[start : start + length])


def reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class TunnelConnection(http.client.HTTPSConnection):
    """``HTTPSConnection`` through a ``CONNECT`` proxy that closes the proxy's answer.

    Python 3.10's ``_tunnel`` leaves the answer to ``CONNECT`` open, and with it a
    reference to the socket's file: after a refused ``CONNECT`` the closed
    connection's socket stays open until the garbage collector finds it
    (``ResourceWarning``). 3.11 closes it; this does the same on every version.
    """

    def _tunnel(self) -> None:
        answers: list[http.client.HTTPResponse] = []
        response_class = self.response_class

        def kept(*args: Any, **kwargs: Any) -> http.client.HTTPResponse:
            answers.append(response_class(*args, **kwargs))
            return answers[-1]

        self.response_class = kept  # type: ignore[assignment]
        try:
            super()._tunnel()  # type: ignore[misc]
        finally:
            del self.response_class  # the class's own again
            for answer in answers:
                answer.close()
