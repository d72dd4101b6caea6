"""Container credentials: ECS task roles, EKS Pod Identity, Lambda SnapStart.

``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (appended to 169.254.170.2) wins over
``..._FULL_URI``.  A full ``http://`` URI must name a loopback address or one of
the ECS/EKS agent addresses (botocore compares the host literally, and so do we);
``https://`` may name any host.  Configured but failing means the chain stops:
there is no fallback to IMDS (as botocore).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sigv4_dataapi._credentials.providers._context import NotConfigured, ProviderContext
from sigv4_dataapi._credentials.providers._document import metadata_credentials
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

NAME = "container-role"
ECS_HOST = "http://169.254.170.2"
ALLOWED_HTTP_HOSTS = frozenset({"localhost", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"})
TIMEOUT = 2.0  # seconds, connect and read (botocore)
ATTEMPTS = 3
RETRY_SLEEP = 1.0


def provide(ctx: ProviderContext, name: str = NAME) -> CredentialSource | NotConfigured:
    url = credentials_url(ctx, name)
    if url is None:
        return NotConfigured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI are not set")
    creds = fetch(ctx, url, name)
    return CredentialSource(
        name, credentials=creds, fetch=lambda: fetch(ctx, url, name), clock=ctx.clock
    )


def credentials_url(ctx: ProviderContext, name: str = NAME) -> str | None:
    relative = ctx.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative:
        return ECS_HOST + relative
    full = ctx.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if not full:
        return None
    parts = urlsplit(full)
    if parts.scheme == "https" and parts.hostname:
        return full
    if parts.scheme == "http" and parts.hostname and _allowed_http_host(parts.hostname):
        return full
    raise CredentialProviderError(
        name,
        f"AWS_CONTAINER_CREDENTIALS_FULL_URI host {parts.hostname!r} is not allowed "
        "(http needs a loopback address, localhost or the ECS/EKS agent; https any host)",
    )


def _allowed_http_host(host: str) -> bool:
    if host.lower() in ALLOWED_HTTP_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authorization(ctx: ProviderContext, name: str) -> str | None:
    token_file = ctx.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file:  # re-read on every fetch: EKS rotates it
        try:
            token = Path(token_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CredentialProviderError(
                name, f"cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: {exc.strerror}"
            ) from None
    else:
        token = ctx.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
    if "\r" in token or "\n" in token:
        raise CredentialProviderError(name, "the container authorization token has a line break")
    return token or None


def fetch(ctx: ProviderContext, url: str, name: str = NAME) -> Credentials:
    """GET the credentials; up to 3 attempts one second apart, then stop the chain."""
    import httpx

    from sigv4_dataapi._credentials.providers._http import json_object, metadata_client

    headers = {"Accept": "application/json"}
    token = _authorization(ctx, name)
    if token:
        headers["Authorization"] = token
    problem = ""
    with metadata_client(ctx, timeout=TIMEOUT, url=url) as client:
        for attempt in range(ATTEMPTS):
            if attempt:
                ctx.sleep(RETRY_SLEEP)
            try:
                response = client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__} from {url}"
                continue
            body = json_object(response.text)
            if response.status_code == 200 and body is not None:
                return _credentials(body, name)
            problem = _describe(response.status_code, body)
    raise CredentialProviderError(name, f"{problem} (after {ATTEMPTS} attempts)")


def _describe(status: int, body: dict[str, Any] | None) -> str:
    if body is None:
        return f"HTTP {status} with a body that is not a JSON object"
    code = body.get("code") or body.get("Code") or ""
    message = body.get("message") or body.get("Message") or ""
    return f"HTTP {status} {code}: {message}".rstrip(": ")


def _credentials(body: dict[str, Any], name: str) -> Credentials:
    return metadata_credentials(
        body, name, lacks=lambda keys: CredentialProviderError(name, f"the answer lacks {keys}")
    )
