"""What an answer or a failed exchange means, as one of our exceptions (sans-IO).

Error answers are read the way botocore reads them (rds-data-api.md §3.2);
httpx's failures are sorted by what they prove about the request: never
connected (retry is safe), or sent with the outcome unknown (may have run).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx

from sigv4_dataapi._errors import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    DataAPIError,
    ReadTimeoutError,
    ResponseParseError,
    ResponseTooLargeError,
    ServerFaultError,
    TransportError,
    service_error,
)
from sigv4_dataapi._transport.bounds import AnswerTooLarge

REQUEST_ID_HEADER = "x-amzn-RequestId"
ERROR_TYPE_HEADER = "x-amzn-ErrorType"


def error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    operation: str | None = None,
) -> DataAPIError:
    """The exception for an error answer, read the way botocore reads it (§3.2).

    The code comes from ``x-amzn-ErrorType``, then the body's ``code``/``Code``,
    then ``__type`` (text after ``:`` and up to the last ``#`` dropped); the
    message from ``message``/``Message``. A body that is not JSON (a proxy's
    HTML page, a truncated answer) is a :class:`ResponseParseError`, or a
    :class:`ServerFaultError` when the status says the failure was a server's.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    request_id = lower.get(REQUEST_ID_HEADER.lower())
    body = _json_object(content)
    code = _error_code(lower.get(ERROR_TYPE_HEADER.lower()), body)
    if body is None and code is None:
        return _unreadable(status_code, lower, content, request_id, operation)
    body = body or {}
    message = body.get("message", body.get("Message", ""))
    db_id = body.get("dbConnectionId")
    return service_error(
        code or str(status_code),
        message if isinstance(message, str) else json.dumps(message),
        status_code=status_code,
        request_id=request_id,
        db_connection_id=db_id if isinstance(db_id, int) and not isinstance(db_id, bool) else None,
        operation=operation,
    )


def _unreadable(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    request_id: str | None,
    operation: str | None,
) -> DataAPIError:
    """An error answer without the service's JSON: a proxy's page, a truncated body."""
    snippet = content[:200].decode("utf-8", "replace").strip()
    kind = headers.get("content-type", "no content type")
    text = f"HTTP {status_code}, a body that is not the service's JSON ({kind}): {snippet!r}"
    if status_code < 500:
        return ResponseParseError(text)
    return ServerFaultError(text, code=str(status_code), status_code=status_code,
                            request_id=request_id, operation=operation)  # fmt: skip


def _json_object(content: bytes) -> dict[str, object] | None:
    try:
        value = json.loads(content) if content.strip() else {}
    except (ValueError, RecursionError):  # not JSON, bad UTF-8, nesting deeper than the stack
        return None
    return value if isinstance(value, dict) else None


def _error_code(header: str | None, body: Mapping[str, object] | None) -> str | None:
    raw: object = header
    if not raw and body is not None:
        raw = body.get("code") or body.get("Code") or body.get("__type")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip() or None


def error_from_httpx(exc: BaseException | None, operation: str, url: str) -> DataAPIError:
    """Translate httpx's failure into ours, by what it proves about the request.

    A proxy that refuses ``CONNECT`` (``httpx.ProxyError``) never passed the
    request on: never sent, like a refused connection (httpcore raises it before
    a byte of the request left).
    """
    if isinstance(exc, AnswerTooLarge):
        return ResponseTooLargeError(
            f"{operation}: the answer from {url} is over max_response_bytes={exc.limit} "
            f"({_reason(exc)}); the statement may have run", limit=exc.limit, operation=operation,
        )  # fmt: skip
    if isinstance(exc, httpx.DecodingError):
        return ResponseParseError(f"{operation}: the answer from {url} cannot be decoded: "
                                  f"{_reason(exc)}")  # fmt: skip
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"cannot connect to {url} through the proxy: {_reason(exc)}",
                            operation=operation)  # fmt: skip
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        if _is_certificate_error(exc):
            return CertificateError(f"TLS certificate of {url} rejected: {exc}",
                                    operation=operation)  # fmt: skip
        return ConnectError(f"cannot connect to {url}: {_reason(exc)}", operation=operation)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return ConfigurationError(f"cannot send to {url}: {_reason(exc)}")
    if isinstance(exc, httpx.TimeoutException):
        return ReadTimeoutError(
            f"{operation}: no answer from {url} in time ({_reason(exc)}); "
            "the statement may have run", operation=operation,
        )  # fmt: skip
    if isinstance(exc, httpx.TransportError):
        return ConnectionLostError(
            f"{operation}: connection to {url} lost after sending ({_reason(exc)}); "
            "the statement may have run", operation=operation,
        )  # fmt: skip
    return TransportError(f"{operation}: {_reason(exc)}", operation=operation)


def _reason(exc: BaseException | None) -> str:
    text = str(exc)
    return text if text else type(exc).__name__


def _is_certificate_error(exc: BaseException) -> bool:
    """A rejected certificate: deterministic, so retrying it only wastes time."""
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
