"""A request and an answer as they cross the wire, without httpx's objects on the hot path.

A Data API call is one signed ``POST`` whose every header is known when it is
signed, answered by a short JSON body. Building an ``httpx.Request`` and an
``httpx.Response`` for it (header normalisation, streams, byte decoders) cost
about a quarter of a call's client CPU, measured with ``scripts/bench request``.
:class:`WireRequest` and :class:`Reply` carry the same facts as plain values;
the httpx objects are built only when someone asks for one (a hook, an
exception's ``request``, a pool that speaks httpx), and at most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import httpx


class WireRequest:
    """One request: method, target, headers in the order they are written, body.

    ``body`` is bytes, or an iterable of byte chunks sent chunk-encoded (the
    ``request`` command's streamed bodies). ``extensions`` are httpx's
    (``timeout``). ``httpx()`` is the same request as an ``httpx.Request``.
    """

    __slots__ = ("_request", "body", "extensions", "headers", "method", "target", "url")

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | Iterable[bytes],
        extensions: Mapping[str, Any],
        request: httpx.Request | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.target = target
        self.headers = headers
        self.body = body
        self.extensions = extensions
        self._request = request

    @classmethod
    def from_httpx(cls, request: httpx.Request) -> WireRequest:
        """The request an httpx caller handed a transport (its headers exactly as given)."""
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in request.headers.raw]  # fmt: skip
        stream = request.stream
        chunked = request.headers.get("transfer-encoding", "").lower() == "chunked"
        body: bytes | Iterable[bytes]
        if chunked and isinstance(stream, httpx.SyncByteStream):
            body = iter(stream)
        else:
            body = request.read()
        return cls(request.method, request.url, request.url.raw_path.decode("ascii"), headers,
                   body, request.extensions, request)  # fmt: skip

    def httpx(self) -> httpx.Request:
        """This request as an ``httpx.Request`` (built once, on first use)."""
        if self._request is None:
            assert isinstance(self.body, bytes), "a streamed body comes from an httpx.Request"
            headers: list[tuple[str, str]] | list[tuple[bytes, bytes]] = self.headers
            try:
                request = httpx.Request(self.method, self.url, headers=headers,
                                        stream=httpx.ByteStream(self.body),
                                        extensions=dict(self.extensions))  # fmt: skip
            except UnicodeEncodeError:  # a value the head refused: for the exception only
                headers = [(k.encode(), v.encode()) for k, v in self.headers]
                request = httpx.Request(self.method, self.url, headers=headers,
                                        stream=httpx.ByteStream(self.body),
                                        extensions=dict(self.extensions))  # fmt: skip
            request.read()  # .content for hooks and mock transports; the bytes are not copied
            self._request = request
        return self._request


class Reply:
    """A whole answer: status, headers as received (in order), the body (decoded, bounded).

    ``elapsed`` is set by the driver (seconds from sending to the whole answer).
    """

    __slots__ = ("content", "elapsed", "headers", "http_version", "reason", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: list[tuple[str, str]],
        content: bytes,
        *,
        http_version: bytes = b"HTTP/1.1",
        reason: str = "",
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.http_version = http_version
        self.reason = reason
        self.elapsed = 0.0

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), or None."""
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    def httpx(self, request: httpx.Request | None = None) -> httpx.Response:
        """This answer as a read ``httpx.Response``."""
        extensions = {"http_version": self.http_version,
                      "reason_phrase": self.reason.encode("latin-1", "replace")}  # fmt: skip
        response = httpx.Response(self.status_code, headers=answer_headers(self.headers),
                                  stream=httpx.ByteStream(self.content),
                                  extensions=extensions, request=request)  # fmt: skip
        response.read()
        response.elapsed = timedelta(seconds=self.elapsed)
        return response


def answer_headers(pairs: list[tuple[str, str]]) -> httpx.Headers:
    """An answer's header pairs as ``httpx.Headers``; a byte past ASCII is kept as latin-1
    (httpx encodes ``str`` headers as ASCII)."""
    try:
        return httpx.Headers(pairs)
    except UnicodeEncodeError:
        return httpx.Headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs])


__all__ = ["Reply", "WireRequest", "answer_headers"]
