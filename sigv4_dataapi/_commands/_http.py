"""The CLI's one-shot HTTP transport: httpx's transport interface over ``http.client``.

A command sends one request per process: a connection pool buys nothing, and
importing httpcore and h11 for it is ~20% of a ``sql "SELECT 1"`` run. The
standard library's ``http.client`` (already loaded by httpx) does the same
round trip; the transport's retry and error logic is unchanged above it.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from sigv4_dataapi._cli import Context

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from sigv4_dataapi._commands._common import Connection


def http_transport(conn: Connection, url: str, ctx: Context) -> httpx.BaseTransport | None:
    """The one-shot transport, or None when a proxy applies (httpx's own then)."""
    from sigv4_dataapi import _endpoint

    if _endpoint.proxy_for(url, ctx.env) is not None:
        return None
    return cast("httpx.BaseTransport", OneShotTransport(conn.verify, conn.timeout))


class OneShotTransport:
    """httpx's transport interface (``handle_request``, ``close``) over ``http.client``.

    One connection per request, closed when the body has been read. Failures
    are httpx's exceptions, split as httpx splits them: before the request left
    (``ConnectError``, ``ConnectTimeout``) or after (``ReadTimeout``,
    ``ReadError``), which is what tells a safe retry from an ambiguous one.
    """

    def __init__(self, verify: Any, timeout: float) -> None:
        self._verify = verify  # an ssl.SSLContext, or False
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import httpx

        url = request.url
        conn = self._connection(url.scheme, url.host, url.port)
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            conn.close()
            raise httpx.ConnectError(str(exc), request=request) from exc
        with _after_sending(request, conn):
            conn.putrequest(request.method, url.raw_path.decode("ascii"),
                            skip_host=True, skip_accept_encoding=True)  # fmt: skip
            for name, value in request.headers.raw:
                conn.putheader(name.decode("latin-1"), value)
            conn.endheaders(request.content or None)
            answer = conn.getresponse()
        version = b"HTTP/1.0" if answer.version == 10 else b"HTTP/1.1"
        return httpx.Response(
            answer.status, headers=answer.getheaders(), request=request,
            content=_chunks(request, conn, answer),  # streamed: `request -o` may be large
            extensions={"http_version": version, "reason_phrase": answer.reason.encode("latin-1")},
        )  # fmt: skip

    def _connection(self, scheme: str, host: str, port: int | None) -> Any:
        import http.client
        import ssl

        if scheme == "http":
            return http.client.HTTPConnection(host, port, timeout=self._timeout)
        context = self._verify
        if not isinstance(context, ssl.SSLContext):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, port, timeout=self._timeout, context=context)

    def close(self) -> None:
        """Nothing stays open between requests."""

    def __enter__(self) -> OneShotTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _chunks(request: httpx.Request, conn: Any, answer: Any) -> Iterator[bytes]:
    """The body as it arrives; the connection closes once it is read (or dropped)."""
    try:
        with _after_sending(request, conn):
            while chunk := answer.read(65536):
                yield chunk
    finally:
        conn.close()


@contextlib.contextmanager
def _after_sending(request: httpx.Request, conn: Any) -> Iterator[None]:
    """Failures once the request may have left are httpx's read errors (ambiguous)."""
    import http.client

    import httpx

    try:
        yield
    except TimeoutError as exc:
        conn.close()
        raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
