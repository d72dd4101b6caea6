"""An HTTP/1.x answer parsed from bytes as they come, without I/O (the async pool's reader).

:class:`AnswerParser` is fed the connection's receive buffer and says when the
answer is whole. It reads what ``stdhttp_io`` reads, the same way: a plain
answer (``CRLF`` lines, one ``Content-Length``: the Data API's) with the same
regular expressions as ``read_plain``; any other head -- bare LF, folded or
odd headers, interim ``1xx`` answers, a long head -- is parsed by ``Answer``
(``http.client``'s status line, ``read_headers``, ``_check_close``) over the
head's bytes, so both pools read every head alike and fail alike. Bodies are
framed by a length, chunks (``http.client``'s chunk rules) or the connection's
end, never held past ``limit`` bytes (``AnswerTooLarge``), and an announced
length over ``limit`` is refused before a byte of it is read.
"""

from __future__ import annotations

import http.client
import io

from sigv4_dataapi._transport.bounds import AnswerTooLarge
from sigv4_dataapi._transport.stdhttp_io import (
    _STATUS_LINE,
    MAX_HEADERS,
    MAX_LINE,
    Answer,
    _plain_head,
)
from sigv4_dataapi._transport.wire import Reply, WireRequest

_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _CLOSE = range(7)


class _Bytes:
    """What ``HTTPResponse.__init__`` asks of its socket, over bytes already read."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str, *args: object) -> io.BytesIO:
        return io.BytesIO(self.data)


class _Head(Answer):
    """``Answer``'s ``begin`` (``http.client``'s rules) over a head's bytes; EOF after them."""

    def __init__(self, data: bytes, method: str) -> None:
        http.client.HTTPResponse.__init__(self, _Bytes(data), 0, method)  # type: ignore[arg-type]


class AnswerParser:
    """Feed :meth:`step` the receive buffer (it consumes what it parses) until it is True.

    Then ``reply`` is the answer (body not yet decoded: ``coded`` tells) and
    ``keep`` whether the connection may carry another request (``http.client``'s
    ``_check_close``; the caller also checks that no byte is left in the buffer).
    """

    __slots__ = ("_body", "_chunked", "_left", "_limit", "_state", "_wire", "coded", "keep",
                 "reply")  # fmt: skip

    def __init__(self, wire: WireRequest, limit: int) -> None:
        self._wire = wire
        self._limit = limit
        self._state = _HEAD
        self._body = bytearray()
        self._left = 0
        self.reply: Reply | None = None
        self.keep = False
        self.coded = False

    def step(self, buf: bytearray, eof: bool) -> bool:
        """Parse what ``buf`` holds (``eof``: nothing more will come); True once whole."""
        if self._state == _HEAD and not self._head(buf, eof):
            return False
        if self._state == _LENGTH:
            if len(buf) < self._left:
                if eof:
                    raise http.client.IncompleteRead(bytes(buf), self._left - len(buf))
                return False
            assert self.reply is not None
            self.reply.content = bytes(buf[: self._left])
            del buf[: self._left]
            return True
        if self._state == _CLOSE:
            if len(buf) > self._limit:
                raise AnswerTooLarge(self._limit, request=self._wire.httpx())
            if not eof:
                return False
            assert self.reply is not None
            self.reply.content = bytes(buf)
            buf.clear()
            return True
        return self._chunks(buf, eof)

    def _head(self, buf: bytearray, eof: bool) -> bool:
        while True:  # the plain head (read_plain's rules), past interim answers
            end = buf.find(b"\r\n\r\n")
            if end < 0 or b"\n\n" in buf[:end] or b"\n\r\n" in buf[:end]:
                break
            lines = buf[:end].decode("latin-1").split("\r\n")
            status = _STATUS_LINE.fullmatch(lines[0])
            if status is None or len(lines) > MAX_HEADERS + 1:
                break
            code = int(status[2])
            if code < 200:
                del buf[: end + 4]
                continue
            plain = _plain_head(lines, status[1] == "1")
            if plain is None:
                break
            headers, length, keep = plain
            if self._wire.method == "HEAD" or code in (204, 304):
                length = 0
            elif length is None:
                break
            del buf[: end + 4]
            version = b"HTTP/1.1" if status[1] == "1" else b"HTTP/1.0"
            reply = Reply(code, headers, b"", reason=(status[3] or "").strip(),
                          http_version=version)  # fmt: skip
            return self._framed(reply, keep, length, chunked=False)
        whole = _head_end(buf, eof)
        if whole is None:
            return False
        head = _Head(bytes(buf[:whole]), self._wire.method)
        try:
            head.begin()
            used = head.fp.tell()
        finally:
            head.close()
        del buf[:used]
        version = b"HTTP/1.0" if head.version == 10 else b"HTTP/1.1"
        reply = Reply(head.status, head.getheaders(), b"", reason=head.reason,
                      http_version=version)  # fmt: skip
        self.coded = any(name.lower() == "content-encoding" for name, _ in reply.headers)
        return self._framed(reply, not head.will_close, head.length, chunked=bool(head.chunked))

    def _framed(self, reply: Reply, keep: bool, length: int | None, *, chunked: bool) -> bool:
        self.reply = reply
        self.keep = keep
        if chunked:
            self._state = _CHUNK_SIZE
        elif length is None:
            self._state = _CLOSE
        else:
            if length > self._limit:
                raise AnswerTooLarge(self._limit, size=length, request=self._wire.httpx())
            self._state = _LENGTH
            self._left = length
        return True

    def _chunks(self, buf: bytearray, eof: bool) -> bool:
        """``http.client``'s ``_read_chunked``: sizes, data, the CRLF after it, trailers."""
        pos = 0
        try:
            while True:
                state = self._state
                if state == _CHUNK_DATA:
                    take = min(len(buf) - pos, self._left)
                    self._body += buf[pos : pos + take]
                    pos += take
                    self._left -= take
                    if len(self._body) > self._limit:
                        raise AnswerTooLarge(self._limit, request=self._wire.httpx())
                    if self._left:
                        if eof:
                            raise http.client.IncompleteRead(bytes(self._body), self._left)
                        return False
                    self._state = _CHUNK_END
                elif state == _CHUNK_END:
                    if len(buf) - pos < 2:
                        if eof:
                            raise http.client.IncompleteRead(bytes(buf[pos:]), 2)
                        return False
                    pos += 2  # not checked, as http.client does not
                    self._state = _CHUNK_SIZE
                else:
                    line = _line(buf, pos, eof, "chunk size" if state == _CHUNK_SIZE
                                 else "trailer line")  # fmt: skip
                    if line is None:
                        return False
                    pos += len(line)
                    if state == _TRAILER:
                        if line in (b"\r\n", b"\n", b""):
                            assert self.reply is not None
                            self.reply.content = bytes(self._body)
                            return True
                        continue
                    semi = line.find(b";")
                    try:
                        size = int(line[:semi] if semi >= 0 else line, 16)
                    except ValueError:
                        raise http.client.IncompleteRead(bytes(self._body)) from None
                    if size < 0:
                        raise http.client.IncompleteRead(bytes(self._body))
                    self._left = size
                    self._state = _CHUNK_DATA if size else _TRAILER
        finally:
            del buf[:pos]


def _line(buf: bytearray, pos: int, eof: bool, what: str) -> bytes | None:
    """The next line as ``readline(MAX_LINE + 1)`` reads it; None until it is all in ``buf``."""
    end = buf.find(b"\n", pos, pos + MAX_LINE)
    if end < 0:
        if len(buf) - pos > MAX_LINE:
            raise http.client.LineTooLong(what)
        return bytes(buf[pos:]) if eof else None
    return bytes(buf[pos : end + 1])


def _head_end(buf: bytearray, eof: bool) -> int | None:
    """Where the final (non-1xx) head ends, as ``http.client`` reads lines; None: not yet.

    Past a limit (a line over ``MAX_LINE``, more than ``MAX_HEADERS`` lines), or at
    EOF, all of ``buf``: ``Answer.begin`` then fails as ``http.client`` fails.
    """
    pos = 0
    whole = len(buf)
    while True:
        lines = 0
        status = b""
        while True:
            end = buf.find(b"\n", pos, pos + MAX_LINE)
            if end < 0:
                return whole if eof or whole - pos > MAX_LINE else None
            line = bytes(buf[pos : end + 1])
            pos = end + 1
            if not lines:
                status = line
            elif line in (b"\r\n", b"\n"):
                break
            lines += 1
            if lines > MAX_HEADERS + 1:
                return whole
        parts = status.split(None, 2)
        try:
            code = int(parts[1]) if parts[0].startswith(b"HTTP/") else 0
        except (ValueError, IndexError):
            code = 0
        if not 100 <= code < 200:
            return pos


__all__ = ["AnswerParser"]
