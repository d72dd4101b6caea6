"""The SSO token cache that ``aws sso login`` writes, and its refresh via sso-oidc.

Cache file: ``~/.aws/sso/cache/<sha1(key)>.json`` where the key is the
``sso_session`` name, or for legacy profiles the ``sso_start_url`` exactly as
written.  Only sso-session tokens are refreshed (``CreateToken`` with the refresh
grant, at most once a minute, when less than 15 minutes remain); the refreshed
token is written back to the same file, as the AWS CLI does.  A failed refresh
keeps a token that is still valid.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sigv4_dataapi._config import configured_endpoint, home_dir
from sigv4_dataapi._credentials.providers._context import ProviderContext
from sigv4_dataapi._credentials.providers._document import expiration
from sigv4_dataapi._credentials.providers._time import format_expiration, parse_expiration
from sigv4_dataapi._errors import CredentialProviderError

NAME = "sso"
REFRESH_WINDOW = timedelta(minutes=15)
REFRESH_INTERVAL = timedelta(seconds=60)
_log = logging.getLogger("sigv4_dataapi.credentials")
_attempts: dict[Path, datetime] = {}
_attempts_lock = threading.Lock()


@dataclass(frozen=True)
class SsoConfig:
    profile: str
    start_url: str
    region: str
    account_id: str
    role_name: str
    session: str | None  # None for a legacy profile

    @property
    def cache_key(self) -> str:
        return self.session if self.session is not None else self.start_url

    @property
    def login_hint(self) -> str:
        return f"run 'aws sso login --profile {self.profile}'"


def cache_path(ctx: ProviderContext, key: str) -> Path:
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    return home_dir(ctx.env) / ".aws" / "sso" / "cache" / f"{digest}.json"


def access_token(ctx: ProviderContext, config: SsoConfig) -> str:
    """A bearer token for the portal, refreshed first when allowed and due."""
    path = cache_path(ctx, config.cache_key)
    cached = _load(path, config)
    expires = _expiry(cached, path, config)
    now = ctx.clock()
    if (
        config.session is not None
        and expires - now < REFRESH_WINDOW
        and _may_refresh(ctx, cached, path)
    ):
        try:
            return _refresh(ctx, config, cached, path)
        except CredentialProviderError as exc:
            if expires <= now:
                raise CredentialProviderError(
                    NAME,
                    f"the SSO token has expired and refresh failed ({exc.reason}); "
                    f"{config.login_hint}",
                ) from None
            _log.warning("SSO token refresh failed, using the current token: %s", exc.reason)
    if expires <= now:
        raise CredentialProviderError(NAME, f"the SSO token has expired; {config.login_hint}")
    return str(cached["accessToken"])


def _load(path: Path, config: SsoConfig) -> dict[str, Any]:
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialProviderError(
            NAME, f"no cached SSO token for {config.cache_key!r}; {config.login_hint}"
        ) from None
    except (OSError, ValueError) as exc:
        raise CredentialProviderError(NAME, f"cannot read SSO token cache {path}: {exc}") from None
    if not isinstance(cached, dict) or not cached.get("accessToken"):
        raise CredentialProviderError(NAME, f"the SSO token cache {path} has no accessToken")
    return cached


def _expiry(cached: dict[str, Any], path: Path, config: SsoConfig) -> datetime:
    return expiration(
        cached.get("expiresAt"), NAME, what="expiresAt", context=f"SSO token cache {path}: "
    )


def _may_refresh(ctx: ProviderContext, cached: dict[str, Any], path: Path) -> bool:
    keys = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")
    if not all(cached.get(k) for k in keys):
        return False
    now = ctx.clock()
    try:
        if parse_expiration(cached["registrationExpiresAt"]) <= now:
            return False
    except ValueError:
        return False
    with _attempts_lock:
        last = _attempts.get(path)
        if last is not None and now - last < REFRESH_INTERVAL:
            return False
        _attempts[path] = now
    return True


def _refresh(ctx: ProviderContext, config: SsoConfig, cached: dict[str, Any], path: Path) -> str:
    answer = _create_token(ctx, config, cached)
    token = answer.get("accessToken")
    expires_in = answer.get("expiresIn")
    if not isinstance(token, str) or not token or not isinstance(expires_in, int):
        raise CredentialProviderError(NAME, "sso-oidc CreateToken answer lacks accessToken")
    updated = dict(
        cached,
        accessToken=token,
        expiresAt=format_expiration(ctx.clock() + timedelta(seconds=expires_in)),
    )
    if isinstance(answer.get("refreshToken"), str):
        updated["refreshToken"] = answer["refreshToken"]
    _write(path, updated)
    return token


def _create_token(
    ctx: ProviderContext, config: SsoConfig, cached: dict[str, Any]
) -> dict[str, Any]:
    import httpx

    from sigv4_dataapi._credentials.providers._http import aws_client, json_object

    url = configured_endpoint("sso-oidc", region=config.region, env=ctx.env, profile=ctx.profile)
    body = {
        "grantType": "refresh_token",
        "clientId": cached["clientId"],
        "clientSecret": cached["clientSecret"],
        "refreshToken": cached["refreshToken"],
    }
    try:
        with aws_client(ctx) as client:
            response = client.post(url.rstrip("/") + "/token", json=body)
    except httpx.HTTPError as exc:
        raise CredentialProviderError(NAME, f"sso-oidc CreateToken: {type(exc).__name__}") from None
    answer = json_object(response.text)
    if response.status_code != 200 or answer is None:
        code = response.headers.get("x-amzn-ErrorType", "").split(":")[0]
        error = (answer or {}).get("error") or code or "no error code"
        raise CredentialProviderError(
            NAME, f"sso-oidc CreateToken: HTTP {response.status_code} {error}"
        )
    return answer


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace the cache file atomically, owner-only (as the AWS CLI writes it)."""
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temp, path)
    except OSError as exc:
        _log.warning("cannot write the refreshed SSO token to %s: %s", path, exc.strerror)
