"""STS ``AssumeRole`` (signed with our SigV4 signer) and ``AssumeRoleWithWebIdentity``
(unsigned), over httpx, the answer parsed with the standard library's XML parser.

The endpoint is regional (``https://sts.{region}.amazonaws.com``, the default of
boto3 since 1.40), or whatever ``AWS_ENDPOINT_URL_STS``/``AWS_ENDPOINT_URL``/the
``services`` section say; with no region at all, the global endpoint signed for
us-east-1.  Throttling, 5xx and connection failures are retried (3 attempts).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from sigv4_dataapi._config import configured_endpoint
from sigv4_dataapi._credentials.providers._context import ProviderContext
from sigv4_dataapi._credentials.providers._document import expiration, lacking
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

if TYPE_CHECKING:
    import httpx

VERSION = "2011-06-15"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
GLOBAL_ENDPOINT = "https://sts.amazonaws.com"
ATTEMPTS = 3
RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "IDPCommunicationError",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalFailure",
    }
)


@dataclass(frozen=True)
class StsEndpoint:
    url: str
    signing_region: str


def endpoint(ctx: ProviderContext) -> StsEndpoint:
    region = ctx.resolved_region()
    if region is None:
        from sigv4_dataapi._config import resolve_endpoint_url

        url = resolve_endpoint_url("sts", env=ctx.env, profile=ctx.profile) or GLOBAL_ENDPOINT
        return StsEndpoint(url, "us-east-1")
    url = configured_endpoint("sts", region=region, env=ctx.env, profile=ctx.profile)
    return StsEndpoint(url, region)


def assume_role(
    ctx: ProviderContext, source: Credentials, params: Mapping[str, str], provider: str
) -> Credentials:
    return call(ctx, "AssumeRole", params, provider, credentials=source)


def assume_role_with_web_identity(
    ctx: ProviderContext, params: Mapping[str, str], provider: str
) -> Credentials:
    return call(ctx, "AssumeRoleWithWebIdentity", params, provider, credentials=None)


def call(
    ctx: ProviderContext,
    action: str,
    params: Mapping[str, str],
    provider: str,
    *,
    credentials: Credentials | None,
) -> Credentials:
    """POST one query-protocol action; retry what provably did not succeed."""
    import httpx

    from sigv4_dataapi._credentials.providers._http import aws_client

    where = endpoint(ctx)
    body = urlencode({"Action": action, "Version": VERSION, **params}, quote_via=quote).encode()
    problem = ""
    with aws_client(ctx) as client:
        for attempt in range(ATTEMPTS):
            if attempt:
                ctx.sleep(0.5 * 2 ** (attempt - 1))
            request = _request(ctx, where, body, credentials)
            try:
                response = client.send(request)
            except httpx.ReadTimeout:  # report at once rather than wait 3 x 10 s
                raise CredentialProviderError(
                    provider, f"STS {action} timed out ({where.url})"
                ) from None
            except httpx.HTTPError as exc:
                problem = f"STS {action} failed: {type(exc).__name__} ({where.url})"
                continue
            if response.status_code == 200:
                return parse_credentials(response.content, action, provider)
            error = parse_error(response.content)
            problem = f"STS {action} failed: HTTP {response.status_code} {error}"
            if response.status_code < 500 and error.code not in RETRYABLE_CODES:
                break
    raise CredentialProviderError(provider, problem)


def _request(
    ctx: ProviderContext, where: StsEndpoint, body: bytes, credentials: Credentials | None
) -> httpx.Request:
    import httpx

    url = where.url.rstrip("/") + "/"
    headers = {"Content-Type": CONTENT_TYPE}
    if credentials is not None:
        from sigv4_dataapi._sigv4.sign import sign_request

        headers["Host"] = urlsplit(url).netloc
        signed = sign_request(
            "POST",
            url,
            headers=headers,
            body=body,
            credentials=credentials,
            region=where.signing_region,
            service="sts",
            now=ctx.clock(),
        )
        headers.update(signed.headers)
    return httpx.Request("POST", url, headers=headers, content=body)


@dataclass(frozen=True)
class StsError:
    code: str = ""
    message: str = ""
    request_id: str = ""

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.code else "(no error document)"
        return f"{text} (request id {self.request_id})" if self.request_id else text


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _find(root: ET.Element, path: str) -> str | None:
    node: ET.Element | None = root
    for step in path.split("/"):
        node = next((c for c in node if _local(c.tag) == step), None) if node is not None else None
    return node.text.strip() if node is not None and node.text else None


def parse_error(content: bytes) -> StsError:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return StsError()
    return StsError(
        _find(root, "Error/Code") or "",
        _find(root, "Error/Message") or "",
        _find(root, "RequestId") or "",
    )


def parse_credentials(content: bytes, action: str, provider: str) -> Credentials:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise CredentialProviderError(provider, f"STS {action}: the answer is not XML") from None
    base = f"{action}Result/Credentials/"
    values = {
        k: _find(root, base + k)
        for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    }
    missing = lacking(values, values.keys())
    if missing:
        raise CredentialProviderError(provider, f"STS {action}: answer lacks {', '.join(missing)}")
    return Credentials(
        values["AccessKeyId"] or "",
        values["SecretAccessKey"] or "",
        values["SessionToken"],
        expiration(values["Expiration"], provider, context=f"STS {action}: "),
    )
