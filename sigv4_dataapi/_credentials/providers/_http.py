"""The one place providers make httpx clients (httpx is imported here, lazily).

Metadata endpoints (IMDS, container) are link-local or loopback: no proxy, no
``*_PROXY`` from the environment.  AWS endpoints (STS, SSO) honour ``ca_bundle``
and, when the process environment is in use, the usual proxy variables.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._credentials.providers._context import ProviderContext

if TYPE_CHECKING:
    import httpx


def metadata_client(ctx: ProviderContext, *, timeout: float, url: str) -> httpx.Client:
    """Plain ``http`` endpoints skip building a TLS context (30-60 ms with certifi)."""
    import httpx

    verify = _verify(ctx.setting("ca_bundle")) if url.startswith("https:") else False
    return httpx.Client(transport=ctx.transport, timeout=timeout, trust_env=False, verify=verify)


def aws_client(ctx: ProviderContext, *, timeout: float = 10.0) -> httpx.Client:
    import httpx

    bundle = ctx.setting("ca_bundle")
    return httpx.Client(
        transport=ctx.transport,
        timeout=timeout,
        verify=_verify(bundle),
        trust_env=ctx.env is os.environ,
    )


def _verify(bundle: str | None) -> Any:
    if not bundle:
        return True
    import ssl

    try:
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError) as exc:
        from sigv4_dataapi._errors import ConfigurationError

        raise ConfigurationError(f"cannot load ca_bundle {bundle!r}: {exc}") from exc


def json_object(text: str) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
