"""SSO / IAM Identity Center: role credentials from the portal, with a cached token.

A profile is an SSO profile when it has ``sso_role_name`` or ``sso_account_id``;
all four settings must then resolve, the start URL and region coming from the
profile (legacy) or its ``[sso-session NAME]`` section.  The portal call is
deferred to the first ``get()`` and its answer cached in memory for its lifetime.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sigv4_dataapi._config import Profile, configured_endpoint
from sigv4_dataapi._credentials.providers._context import ProviderContext
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.providers._sso_token import NAME, SsoConfig, access_token
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

BEARER_HEADER = "x-amz-sso_bearer_token"


def provide(ctx: ProviderContext, profile: Profile) -> CredentialSource:
    config = sso_config(profile)
    sub = ctx.with_profile(profile)
    return CredentialSource(NAME, fetch=lambda: role_credentials(sub, config), clock=ctx.clock)


def sso_config(profile: Profile) -> SsoConfig:
    values = {k: profile.get(k) for k in ("sso_start_url", "sso_region")}
    session = profile.get("sso_session")
    if session is not None:
        sections = profile.shared.sso_sessions if profile.shared is not None else {}
        if session not in sections:
            raise CredentialProviderError(
                NAME,
                f"profile {profile.name!r} names sso_session {session!r}, "
                "but there is no [sso-session] section by that name",
            )
        for key, value in values.items():
            other = sections[session].get(key) or None
            if value is not None and other is not None and value != other:
                raise CredentialProviderError(
                    NAME, f"profile {profile.name!r} and sso-session {session!r} disagree on {key}"
                )
            values[key] = value or other
    required = {
        **values,
        "sso_account_id": profile.get("sso_account_id"),
        "sso_role_name": profile.get("sso_role_name"),
    }
    missing = [k for k, v in required.items() if not v]
    if missing:
        raise CredentialProviderError(
            NAME, f"profile {profile.name!r} is an SSO profile but lacks {', '.join(missing)}"
        )
    return SsoConfig(
        profile.name,
        required["sso_start_url"] or "",
        required["sso_region"] or "",
        required["sso_account_id"] or "",
        required["sso_role_name"] or "",
        session,
    )


def role_credentials(ctx: ProviderContext, config: SsoConfig) -> Credentials:
    import httpx

    from sigv4_dataapi._credentials.providers._http import aws_client, json_object

    token = access_token(ctx, config)
    base = configured_endpoint("sso", region=config.region, env=ctx.env, profile=ctx.profile)
    query = urlencode({"role_name": config.role_name, "account_id": config.account_id})
    try:
        with aws_client(ctx) as client:
            response = client.get(
                f"{base.rstrip('/')}/federation/credentials?{query}", headers={BEARER_HEADER: token}
            )
    except httpx.HTTPError as exc:
        raise CredentialProviderError(
            NAME, f"SSO GetRoleCredentials: {type(exc).__name__}"
        ) from None
    body = json_object(response.text)
    if response.status_code == 401:
        raise CredentialProviderError(
            NAME, f"the SSO session is no longer valid; {config.login_hint}"
        )
    if response.status_code != 200 or body is None:
        kind = response.headers.get("x-amzn-ErrorType", "").split(":")[0] or "error"
        message = (body or {}).get("message", "")
        raise CredentialProviderError(
            NAME, f"SSO GetRoleCredentials: HTTP {response.status_code} {kind} {message}".strip()
        )
    return _credentials(body.get("roleCredentials"))


def _credentials(role: Any) -> Credentials:
    keys = ("accessKeyId", "secretAccessKey", "sessionToken", "expiration")
    if not isinstance(role, dict) or not all(role.get(k) for k in keys):
        raise CredentialProviderError(NAME, "SSO GetRoleCredentials answer lacks roleCredentials")
    from sigv4_dataapi._credentials.providers._document import expiration

    return Credentials(
        str(role["accessKeyId"]),
        str(role["secretAccessKey"]),
        str(role["sessionToken"]),
        expiration(role["expiration"], NAME, what="expiration"),
    )
