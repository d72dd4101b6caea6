"""``http.client``'s answer, read under the attempt's deadline and past interim answers.

``http.client.HTTPResponse`` reads through ``sock.makefile("rb")``, one socket
timeout for every ``recv``: a peer sending a byte per timeout never times out.
:class:`Answer` reads through :class:`_DeadlineIO` instead, which gives each
``recv`` what is left of the attempt's :class:`~.bounds.Budget`, so the status
line, the headers and the body share one deadline. It also skips every interim
``1xx`` answer (``http.client`` skips only ``100 Continue``: a ``103 Early Hints``
came back as the final answer). :func:`failures` turns what ``http.client`` and
the socket raise into httpx's exceptions, split by what they prove.
"""

from __future__ import annotations

import email.parser
import http.client
import io
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from sigv4_dataapi._transport.bounds import AnswerTooLarge, Budget

MAX_LINE = 65536  # http.client's limits, for the interim answers' headers
MAX_HEADERS = 100
# ``Name: value`` in visible ASCII, one line: what ``email``'s parser reads the same way
_PLAIN_HEADER = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\x20-\x7e\t]*?)\r?\n")


class _DeadlineIO(io.RawIOBase):
    """The socket's reader, every ``recv`` bounded by the read timeout and the deadline."""

    def __init__(self, sock: socket.socket, budget: Budget, timeout: float | None) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open while read
        self._budget = budget
        self._timeout = timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
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

    __slots__ = ("budget", "sock", "timeout")

    def __init__(self, sock: socket.socket, budget: Budget, timeout: float | None) -> None:
        self.sock = sock
        self.budget = budget
        self.timeout = timeout

    def makefile(self, mode: str, *args: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineIO(self.sock, self.budget, self.timeout))


class Answer(http.client.HTTPResponse):
    """An ``HTTPResponse`` bounded by ``budget`` that waits for the final (non-1xx) answer.

    Set per request as the connection's ``response_class`` (``functools.partial``
    with ``budget`` and ``timeout``): ``HTTPConnection.getresponse`` builds it.
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
    ) -> None:
        super().__init__(_Source(sock, budget, timeout), debuglevel, method, url)  # type: ignore[arg-type]

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


@contextmanager
def failures(
    request: httpx.Request,
    conn: http.client.HTTPConnection,
    phase: str,
    lost: OSError | None = None,
) -> Iterator[None]:
    """Failures once the connection has the request (or part of it): the outcome is unknown.

    In the write phase, a broken connection (not a timeout) raises :class:`Unsent`
    so that the answer is read next; reading after such a write reports the write's
    error when no answer can be read either.
    """
    try:
        yield
    except AnswerTooLarge:
        conn.close()
        raise
    except TimeoutError as exc:
        conn.close()
        timeout = httpx.WriteTimeout if phase == "write" else httpx.ReadTimeout
        raise timeout(str(exc) or "timed out", request=request) from exc
    except (ValueError, OverflowError) as exc:
        conn.close()
        if phase == "write":  # a header http.client refuses: nothing valid was sent
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        raise httpx.RemoteProtocolError(f"malformed answer: {exc}", request=request) from exc
    except http.client.HTTPException as exc:  # RemoteDisconnected, BadStatusLine, IncompleteRead
        conn.close()
        if lost is not None:
            raise httpx.WriteError(reason(lost), request=request) from lost
        raise httpx.RemoteProtocolError(reason(exc), request=request) from exc
    except OSError as exc:
        if phase == "write":
            raise Unsent(exc) from exc
        conn.close()
        if lost is not None:
            raise httpx.WriteError(reason(lost), request=request) from lost
        raise httpx.ReadError(reason(exc), request=request) from exc


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
