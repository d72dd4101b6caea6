"""EC2 instance metadata (IMDSv2 with a session token; v1 only as a fallback).

Short timeouts (1 s, one attempt, like botocore; ``metadata_service_timeout`` and
``metadata_service_num_attempts`` raise them) keep a laptop from hanging.  The
token PUT falls back to v1 on 403/404/405 and on a read timeout (the hop-limit
case, where the answer never arrives), never when ``ec2_metadata_v1_disabled`` is
set; a connect failure means there is no IMDS here, so v1 is not tried either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._config import is_true
from sigv4_dataapi._credentials.providers._context import NotConfigured, ProviderContext
from sigv4_dataapi._credentials.providers._document import metadata_credentials
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

if TYPE_CHECKING:
    import httpx

NAME = "iam-role"
IPV4_ENDPOINT = "http://169.254.169.254"
IPV6_ENDPOINT = "http://[fd00:ec2::254]"
TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "x-aws-ec2-metadata-token"
TOKEN_TTL = "21600"
FALLBACK_STATUSES = frozenset({403, 404, 405})
STABILITY_EXTENSION = timedelta(minutes=5)  # retry a failed refresh this often
STABILITY_MARGIN = timedelta(minutes=1)  # never hand out credentials closer to expiry


class _Unavailable(Exception):
    """IMDS gave no credentials: the chain moves on (or a refresh fails)."""


@dataclass(frozen=True)
class ImdsSettings:
    endpoint: str = IPV4_ENDPOINT
    timeout: float = 1.0
    attempts: int = 1
    v1_disabled: bool = False

    @classmethod
    def from_context(cls, ctx: ProviderContext) -> ImdsSettings:
        mode = (ctx.setting("ec2_metadata_service_endpoint_mode") or "ipv4").lower()
        if mode not in ("ipv4", "ipv6"):
            raise CredentialProviderError(
                NAME, f"ec2_metadata_service_endpoint_mode must be ipv4 or ipv6, not {mode!r}"
            )
        default = IPV6_ENDPOINT if mode == "ipv6" else IPV4_ENDPOINT
        endpoint = ctx.setting("ec2_metadata_service_endpoint") or default
        try:
            timeout = float(ctx.setting("metadata_service_timeout") or 1)
            attempts = max(1, int(ctx.setting("metadata_service_num_attempts") or 1))
        except ValueError as exc:
            raise CredentialProviderError(NAME, f"bad IMDS setting: {exc}") from None
        v1_off = is_true(ctx.setting("ec2_metadata_v1_disabled"))
        return cls(endpoint.rstrip("/"), timeout, attempts, v1_off)


def provide(ctx: ProviderContext, name: str = NAME) -> CredentialSource | NotConfigured:
    if is_true(ctx.env.get("AWS_EC2_METADATA_DISABLED")):
        return NotConfigured("AWS_EC2_METADATA_DISABLED is true")
    settings = ImdsSettings.from_context(ctx)
    try:
        creds = _fetch(ctx, settings, name)
    except _Unavailable as exc:
        return NotConfigured(str(exc))
    stable = StableFetch(ctx, settings, name, creds)
    return CredentialSource(name, credentials=creds, fetch=stable, clock=ctx.clock)


class StableFetch:
    """Static stability: while IMDS is down, keep the credentials it gave until shortly
    before their real expiry (re-trying every few minutes), instead of failing calls
    that those credentials would still sign.  Never claims validity past the real expiry.
    """

    def __init__(
        self, ctx: ProviderContext, settings: ImdsSettings, name: str, last: Credentials
    ) -> None:
        self._ctx, self._settings, self._name, self._last = ctx, settings, name, last

    def __call__(self) -> Credentials:
        try:
            self._last = fetch(self._ctx, self._settings, self._name)
            return self._last
        except CredentialProviderError as exc:
            now = self._ctx.clock()
            expiry = self._last.expiration
            if expiry is None or expiry - now <= STABILITY_MARGIN:
                raise
            import logging

            logging.getLogger("sigv4_dataapi.credentials").warning(
                "IMDS refresh failed (%s); using the current credentials until %s",
                exc.reason,
                expiry.isoformat(),
            )
            return replace(self._last, expiration=min(expiry, now + STABILITY_EXTENSION))


def fetch(ctx: ProviderContext, settings: ImdsSettings, name: str = NAME) -> Credentials:
    """A refresh, or ``credential_source = Ec2InstanceMetadata``: failure is an error."""
    try:
        return _fetch(ctx, settings, name)
    except _Unavailable as exc:
        raise CredentialProviderError(name, str(exc)) from None


def _fetch(ctx: ProviderContext, settings: ImdsSettings, name: str) -> Credentials:
    from sigv4_dataapi._credentials.providers._http import metadata_client

    with metadata_client(ctx, timeout=settings.timeout, url=settings.endpoint) as client:
        token = _token(client, settings)
        if token is None and settings.v1_disabled:
            raise CredentialProviderError(
                name, "no IMDSv2 token could be obtained and ec2_metadata_v1_disabled is set"
            )
        headers = {TOKEN_HEADER: token} if token else {}
        role = _get(client, settings, ROLE_PATH, headers).strip().splitlines()
        if not role or not role[0].strip():
            raise _Unavailable("the instance has no IAM role (empty role list)")
        body = _get(client, settings, ROLE_PATH + role[0].strip(), headers, json=True)
    return _credentials(body, name)


def _token(client: httpx.Client, settings: ImdsSettings) -> str | None:
    """The IMDSv2 session token, or None for "fall back to v1"."""
    import httpx

    problem = f"no instance metadata service at {settings.endpoint}"
    for _ in range(settings.attempts):
        try:
            response = client.put(
                settings.endpoint + TOKEN_PATH, headers={TOKEN_TTL_HEADER: TOKEN_TTL}
            )
        except httpx.ReadTimeout:
            return None  # the hop-limit case: the PUT's answer never reaches us
        except httpx.ConnectError:
            continue
        except httpx.HTTPError as exc:
            raise _Unavailable(f"IMDS token request failed: {type(exc).__name__}") from None
        if response.status_code == 200 and response.text.strip():
            return response.text.strip()
        if response.status_code in FALLBACK_STATUSES:
            return None
        if response.status_code == 400:
            raise _Unavailable("IMDS refused the token request (HTTP 400)")
        problem = f"IMDS token request answered HTTP {response.status_code}"
    raise _Unavailable(problem)


def _get(
    client: httpx.Client,
    settings: ImdsSettings,
    path: str,
    headers: dict[str, str],
    *,
    json: bool = False,
) -> Any:
    import httpx

    from sigv4_dataapi._credentials.providers._http import json_object

    problem = ""
    for _ in range(settings.attempts):
        try:
            response = client.get(settings.endpoint + path, headers=headers)
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__} from IMDS"
            continue
        if response.status_code == 401:
            raise _Unavailable("IMDS requires a v2 token (HTTP 401) and none was obtained")
        if response.status_code != 200 or not response.text.strip():
            problem = f"IMDS answered HTTP {response.status_code} for {path}"
            continue
        if not json:
            return response.text
        body = json_object(response.text)
        if body is not None:
            return body
        problem = "IMDS credentials are not a JSON object"
    raise _Unavailable(problem)


def _credentials(body: dict[str, Any], name: str) -> Credentials:
    if body.get("Code", "Success") != "Success":
        raise _Unavailable(f"IMDS: {body.get('Code')}: {body.get('Message', '')}".rstrip(": "))
    return metadata_credentials(
        body, name, lacks=lambda keys: _Unavailable(f"IMDS credentials lack {keys}")
    )
