"""sigv4-dataapi: a small, fast client for the AWS RDS Data API.

This module is only a facade. Every public name is imported lazily from its
private module on first use, so ``import sigv4_dataapi`` stays cheap: it loads
neither httpx, nor ``cryptography``, nor anything of the local endpoint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    # signer (issue 2)
    "Credentials": "sigv4_dataapi._credentials.value",
    "SigningSettings": "sigv4_dataapi._sigv4.sign",
    "SigningResult": "sigv4_dataapi._sigv4.sign",
    "sign_request": "sigv4_dataapi._sigv4.sign",
    "SigV4Auth": "sigv4_dataapi._sigv4.httpx_auth",
    # errors
    "DataAPIError": "sigv4_dataapi._errors",
    "DatabaseError": "sigv4_dataapi._errors",
    "StatementError": "sigv4_dataapi._errors",
    "ResponseParseError": "sigv4_dataapi._errors",
    "ResponseTooLargeError": "sigv4_dataapi._errors",
    "ServiceError": "sigv4_dataapi._errors",
    "StatementMayHaveRunError": "sigv4_dataapi._errors",
    "TransportError": "sigv4_dataapi._errors",
    "CredentialsError": "sigv4_dataapi._errors",
    "NoCredentialsError": "sigv4_dataapi._errors",
    "ConfigurationError": "sigv4_dataapi._errors",
    "RetryPolicy": "sigv4_dataapi._transport.retry",
    # client (issue 4)
    "Client": "sigv4_dataapi._client.client",
    "AsyncClient": "sigv4_dataapi._client.client_async",
    "Result": "sigv4_dataapi._codec.result",
    "BatchResult": "sigv4_dataapi._codec.result",
    "ColumnMetadata": "sigv4_dataapi._codec.result",
    "Param": "sigv4_dataapi._codec.encode",
    "pg_array_literal": "sigv4_dataapi._codec.pgarray",
    "parse_execute_response": "sigv4_dataapi._codec.decode",
    "wire_value": "sigv4_dataapi._codec.result",
    "wire_text": "sigv4_dataapi._codec.result",
    # credential chain
    "resolve_credentials": "sigv4_dataapi._credentials.providers",
    "CredentialSource": "sigv4_dataapi._credentials.providers",
}

__all__ = [
    "AsyncClient",
    "BatchResult",
    "Client",
    "ColumnMetadata",
    "ConfigurationError",
    "CredentialSource",
    "Credentials",
    "CredentialsError",
    "DataAPIError",
    "DatabaseError",
    "NoCredentialsError",
    "Param",
    "ResponseParseError",
    "ResponseTooLargeError",
    "Result",
    "RetryPolicy",
    "ServiceError",
    "SigV4Auth",
    "SigningResult",
    "SigningSettings",
    "StatementError",
    "StatementMayHaveRunError",
    "TransportError",
    "__version__",
    "parse_execute_response",
    "pg_array_literal",
    "resolve_credentials",
    "sign_request",
    "wire_text",
    "wire_value",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sigv4_dataapi' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sigv4_dataapi._client.client import Client
    from sigv4_dataapi._client.client_async import AsyncClient
    from sigv4_dataapi._codec.decode import parse_execute_response
    from sigv4_dataapi._codec.encode import Param
    from sigv4_dataapi._codec.pgarray import pg_array_literal
    from sigv4_dataapi._codec.result import (
        BatchResult,
        ColumnMetadata,
        Result,
        wire_text,
        wire_value,
    )
    from sigv4_dataapi._credentials.providers import CredentialSource, resolve_credentials
    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._errors import (
        ConfigurationError,
        CredentialsError,
        DataAPIError,
        DatabaseError,
        NoCredentialsError,
        ResponseParseError,
        ResponseTooLargeError,
        ServiceError,
        StatementError,
        StatementMayHaveRunError,
        TransportError,
    )
    from sigv4_dataapi._sigv4.httpx_auth import SigV4Auth
    from sigv4_dataapi._sigv4.sign import SigningResult, SigningSettings, sign_request
    from sigv4_dataapi._transport.retry import RetryPolicy
