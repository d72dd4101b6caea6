"""HTTP/1.1 request heads, parsed without the ``email`` package.

``http.server`` parses headers with ``email.parser``, which costs more than
the rest of a ``SELECT 1`` call; a Data API request head is a dozen plain
``Name: value`` lines, so this reads them directly (obs-folded continuation
lines are joined, as RFC 9112 §5.2 allows). Header pairs keep their arrival
order and repeats: SigV4 verification needs exactly what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_LINE = 65536  # bytes in one header line
MAX_HEADERS = 100
MAX_HEAD = 128 * 1024  # bytes in the whole head: a flood of lines costs no more than this


class LineReader(Protocol):
    def readline(self, size: int = ..., /) -> bytes: ...


class BadHead(Exception):
    """The request head is not HTTP/1.x we can serve: answer ``status`` and close."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class RequestHead:
    method: str
    target: str
    version: str
    headers: Sequence[tuple[str, str]]
    size: int  # bytes of the request line and header lines

    def get(self, lower_name: str) -> str | None:
        for name, value in self.headers:
            if name.lower() == lower_name:
                return value
        return None

    @property
    def keep_alive(self) -> bool:
        connection = (self.get("connection") or "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


def _request_line(raw: bytes) -> tuple[str, str, str]:
    parts = raw.decode("iso-8859-1").split()
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadHead(400, "Bad request line")
    return parts[0], parts[1], parts[2]


def read_head(request_line: bytes, rfile: LineReader) -> RequestHead:
    """Parse the request line (already read) and the header lines that follow it."""
    method, target, version = _request_line(request_line)
    headers: list[tuple[str, str]] = []
    size = len(request_line)
    while True:
        line = rfile.readline(MAX_LINE + 1)
        size += len(line)
        if len(line) > MAX_LINE or len(headers) > MAX_HEADERS or size > MAX_HEAD:
            raise BadHead(431, "Request header fields too large")
        if line in (b"\r\n", b"\n", b""):
            return RequestHead(method, target, version, headers, size)
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and headers:  # obs-fold: a continuation line
            name, value = headers.pop()
            headers.append((name, f"{value} {text.strip()}"))
            continue
        name, sep, value = text.partition(":")
        if not sep or not name or name != name.strip():
            raise BadHead(400, "Bad header line")
        headers.append((name, value.strip(" \t")))


def content_length(head: RequestHead) -> int:
    """The body's length: 0 when absent; ``BadHead`` (400) when unusable.

    Only ASCII digits (``int`` would take ``+5``, ``5_0`` and other scripts'
    digits); repeats must agree (RFC 9110 §8.6), or the body's end is unknown.
    """
    values = {value for name, value in head.headers if name.lower() == "content-length"}
    if not values:
        return 0
    if len(values) > 1:
        raise BadHead(400, "Conflicting Content-Length headers")
    text = values.pop()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise BadHead(400, "Bad Content-Length")
    return int(text)
