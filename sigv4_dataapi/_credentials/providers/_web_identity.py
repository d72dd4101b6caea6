"""Web identity: a token file exchanged at STS (EKS IRSA, GitHub Actions OIDC, ...).

Each setting is looked up on its own, the environment first (unless a profile was
named in code): ``AWS_WEB_IDENTITY_TOKEN_FILE``/``web_identity_token_file``,
``AWS_ROLE_ARN``/``role_arn``, ``AWS_ROLE_SESSION_NAME``/``role_session_name``.
The token file is re-read on every fetch, because it rotates.  The profile's
``duration_seconds`` is sent too (botocore ignores it here: boto/botocore#2139).
"""

from __future__ import annotations

from pathlib import Path

from sigv4_dataapi._config import Profile
from sigv4_dataapi._credentials.providers._context import ProviderContext
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

NAME = "assume-role-with-web-identity"


def _lookup(ctx: ProviderContext, profile: Profile, var: str, key: str, use_env: bool) -> str:
    return (ctx.env.get(var) if use_env else None) or profile.get(key) or ""


def provide(ctx: ProviderContext, profile: Profile, *, use_env: bool) -> CredentialSource:
    token_file = _lookup(
        ctx, profile, "AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file", use_env
    )
    role_arn = _lookup(ctx, profile, "AWS_ROLE_ARN", "role_arn", use_env)
    if not role_arn:
        raise CredentialProviderError(
            NAME,
            f"a web identity token file is configured ({token_file}) but no role ARN "
            "(AWS_ROLE_ARN or role_arn)",
        )
    session = _lookup(ctx, profile, "AWS_ROLE_SESSION_NAME", "role_session_name", use_env)
    session = session or f"sigv4-dataapi-{int(ctx.clock().timestamp())}"
    from sigv4_dataapi._credentials.providers._assume_role import duration_param

    duration = duration_param(profile, NAME)
    sub = ctx.with_profile(profile)

    def fetch() -> Credentials:
        from sigv4_dataapi._credentials.providers import _sts

        params = {
            "RoleArn": role_arn,
            "RoleSessionName": session,
            "WebIdentityToken": _read_token(token_file),
            **duration,
        }
        return _sts.assume_role_with_web_identity(sub, params, NAME)

    return CredentialSource(NAME, fetch=fetch, clock=ctx.clock)


def _read_token(path: str) -> str:
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CredentialProviderError(
            NAME, f"cannot read the web identity token file {path}: {exc.strerror}"
        ) from None
    if not token:
        raise CredentialProviderError(NAME, f"the web identity token file {path} is empty")
    return token
