"""What one attempt may cost: a deadline for all of it, and a cap on the answer's size.

A peer that trickles a byte every half second restarts a read timeout forever,
and one that answers 512 MiB (or a gzip bomb) fills memory. The Data API never
answers more than about 10 MB and answers within 45 s, so both are bounded here:

- **the attempt's deadline** is the largest of the ``connect``, ``write`` and
  ``read`` timeouts (for ``timeout=T``: ``T``; by default 70 s), counted from the
  moment the attempt starts, and covers connecting, sending and reading the whole
  answer. Any of them None (wait forever) means no deadline.
- **the answer's size** is capped by ``max_response_bytes`` (16 MiB by default),
  counted after decompression; decompression itself stops at the cap.

Both drivers use these helpers; ``StdlibTransport`` enforces the same two
bounds while it reads (see ``stdhttp``).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Mapping

import httpx

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # the service answers at most ~10 MB
_PHASES = ("connect", "write", "read")


class AnswerTooLarge(httpx.ReadError):
    """The answer passed the cap (``answers.error_from_httpx``: ``ResponseTooLargeError``)."""

    def __init__(self, limit: int, *, size: int | None = None, request: httpx.Request) -> None:
        told = f"announced {size} bytes" if size is not None else "more bytes came"
        super().__init__(f"answer over max_response_bytes={limit} ({told})", request=request)
        self.limit = limit


class DeadlinePassed(TimeoutError):
    """The attempt's deadline passed (a ``TimeoutError``, so sockets' timeouts read alike)."""


def attempt_budget(timeout: object) -> float | None:
    """Seconds for one whole attempt, from httpx's timeout dict; None: no deadline."""
    if not isinstance(timeout, Mapping):
        return None
    try:
        return float(max(timeout["connect"], timeout["write"], timeout["read"]))
    except (KeyError, TypeError):  # a phase missing, or None: it waits forever
        return None


class Budget:
    """The deadline of one attempt: each socket wait gets at most what is left of it.

    ``start`` is a ``time.perf_counter()`` reading (default: now).
    """

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None, start: float | None = None) -> None:
        self.seconds = seconds
        if seconds is None:
            self.end = None
        else:
            self.end = (time.perf_counter() if start is None else start) + seconds

    def limit(self, timeout: float | None) -> float | None:
        """``timeout`` shortened to the time left; raises :class:`DeadlinePassed` at the end."""
        if self.end is None:
            return timeout
        left = self.end - time.perf_counter()
        if left <= 0:
            raise DeadlinePassed(self.message())
        return left if timeout is None else min(timeout, left)

    def passed(self) -> bool:
        return self.end is not None and time.perf_counter() > self.end

    def message(self) -> str:
        return f"the attempt's deadline of {self.seconds:g} s passed"


def check_announced(response: httpx.Response, limit: int, request: httpx.Request) -> None:
    """Refuse an answer whose ``Content-Length`` is over ``limit`` before reading a byte."""
    text = response.headers.get("content-length", "").strip()
    if text.isdigit() and (len(text) > 18 or int(text) > limit):
        size = int(text) if len(text) <= 18 else None
        raise AnswerTooLarge(limit, size=size, request=request)


def check_size(content: bytes, limit: int, request: httpx.Request) -> None:
    if len(content) > limit:
        raise AnswerTooLarge(limit, size=len(content), request=request)


def read_answer(
    response: httpx.Response, request: httpx.Request, limit: int, budget: Budget
) -> httpx.Response:
    """The answer with its whole body, at most ``limit`` bytes raw and decompressed.

    For a pool that does not bound answers itself (``StdlibTransport`` does).
    """
    coding = content_coding(response)
    if response.is_stream_consumed or (
        coding is None and isinstance(response.stream, httpx.ByteStream)
    ):  # in memory already (a mock's answer)
        check_size(response.read(), limit, request)
        return response
    check_announced(response, limit, request)
    raw = _collect(response.iter_raw(), limit, budget, request)
    return decoded(response, request, raw, limit)


async def aread_answer(
    response: httpx.Response, request: httpx.Request, limit: int
) -> httpx.Response:
    """:func:`read_answer` for the async driver (whose deadline is a cancel scope)."""
    if response.is_stream_consumed or (
        content_coding(response) is None and isinstance(response.stream, httpx.ByteStream)
    ):  # in memory already (httpx's MockTransport reads an async answer itself)
        check_size(await response.aread(), limit, request)
        return response
    check_announced(response, limit, request)
    parts = bytearray()
    async for chunk in response.aiter_raw():
        parts += chunk
        if len(parts) > limit:
            raise AnswerTooLarge(limit, request=request)
    return decoded(response, request, bytes(parts), limit)


def _collect(chunks: Iterator[bytes], limit: int, budget: Budget, request: httpx.Request) -> bytes:
    parts = bytearray()
    for chunk in chunks:
        parts += chunk
        if len(parts) > limit:
            raise AnswerTooLarge(limit, request=request)
        if budget.passed():
            raise httpx.ReadTimeout(budget.message(), request=request)
    return bytes(parts)


def content_coding(response: httpx.Response) -> str | None:
    """The answer's ``Content-Encoding``, None for none or ``identity``."""
    coding = response.headers.get("content-encoding", "").strip().lower()
    return None if coding in ("", "identity") else coding


def decoded(
    response: httpx.Response, request: httpx.Request, raw: bytes, limit: int
) -> httpx.Response:
    """A response holding ``raw`` decompressed (at most ``limit`` bytes) and read."""
    coding = content_coding(response)
    headers: list[tuple[bytes, bytes]] | httpx.Headers = response.headers
    if coding is not None:
        raw = decompress(raw, coding, limit, request)
        headers = [(name, value) for name, value in response.headers.raw
                   if name.lower() not in (b"content-encoding", b"content-length")]  # fmt: skip
    result = httpx.Response(response.status_code, headers=headers, content=raw,
                            extensions=response.extensions, request=request)  # fmt: skip
    result.read()
    return result


def decompress(raw: bytes, coding: str, limit: int, request: httpx.Request) -> bytes:
    """gzip/deflate decoded in steps that stop at ``limit`` (a bomb never inflates whole)."""
    for name in reversed([part.strip() for part in coding.split(",") if part.strip()]):
        if name == "identity":
            continue
        if name not in ("gzip", "x-gzip", "deflate"):
            raise httpx.DecodingError(f"unsupported Content-Encoding {name!r}", request=request)
        wbits = zlib.MAX_WBITS | 16 if name != "deflate" else _deflate_wbits(raw)
        raw = _inflate(raw, wbits, limit, request)
    return raw


def _deflate_wbits(raw: bytes) -> int:
    """``deflate`` is zlib-wrapped by the RFC, raw in the wild: tell them apart by the header."""
    return zlib.MAX_WBITS if raw[:1] and (raw[0] & 0x0F) == 8 else -zlib.MAX_WBITS


def _inflate(raw: bytes, wbits: int, limit: int, request: httpx.Request) -> bytes:
    out = bytearray()
    pending = raw
    try:
        while pending:
            inflater = zlib.decompressobj(wbits)
            while pending and not inflater.eof:
                out += inflater.decompress(pending, limit + 1 - len(out))
                if len(out) > limit:
                    raise AnswerTooLarge(limit, request=request)
                pending = inflater.unconsumed_tail
            out += inflater.flush()
            pending = inflater.unused_data  # concatenated gzip members
            if not inflater.eof:
                raise httpx.DecodingError("truncated compressed answer", request=request)
    except zlib.error as exc:
        raise httpx.DecodingError(f"corrupt compressed answer: {exc}", request=request) from exc
    if len(out) > limit:
        raise AnswerTooLarge(limit, request=request)
    return bytes(out)
