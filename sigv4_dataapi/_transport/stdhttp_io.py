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

import http.client
import io
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from sigv4_dataapi._transport.bounds import AnswerTooLarge, Budget

MAX_LINE = 65536  # http.client's limits, for the interim answers' headers
MAX_HEADERS = 100


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

    def _read_status(self) -> tuple[str, int, str]:
        """The next status line, past interim answers (``begin`` itself skips only 100)."""
        version, status, reason = super()._read_status()  # type: ignore[misc]
        while 100 < status < 200:
            _skip_headers(self.fp)
            version, status, reason = super()._read_status()  # type: ignore[misc]
        return version, status, reason


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
