"""The profile step of the chain: which provider a profile's keys select.

Order inside the selected profile is botocore's (= the AWS CLI's documented order):
assume role, web identity, SSO, credentials-file keys, ``credential_process``,
config-file keys.  A profile used as somebody's ``source_profile`` is resolved the
CLI's way: its own static keys first (which also makes the "self-referencing"
profile work), then the same list.  Modules needing HTTP or a subprocess are
imported only when a profile actually uses them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sigv4_dataapi._config import Profile
from sigv4_dataapi._credentials.providers._context import NotConfigured, ProviderContext
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

SHARED_CREDENTIALS_FILE = "shared-credentials-file"
CONFIG_FILE = "config-file"


def provide(ctx: ProviderContext) -> CredentialSource | NotConfigured:
    profile = ctx.profile
    use_env = not ctx.profile_from_argument
    if profile.explicit and not profile.exists and not _web_identity_env(ctx, use_env):
        shared = profile.shared
        where = f" in {shared.config_path} or {shared.credentials_path}" if shared else ""
        raise CredentialProviderError(
            "profile", f"profile {profile.name!r} ({profile.name_source}) is not defined{where}"
        )
    found = for_profile(ctx, profile, use_env=use_env)
    if found is None:
        return NotConfigured(f"profile {profile.name!r} has no credential settings")
    return found


def for_profile(
    ctx: ProviderContext,
    profile: Profile,
    *,
    use_env: bool = False,
    chain: tuple[str, ...] = (),
) -> CredentialSource | None:
    """The provider the profile's keys select, or None when it has none."""
    if chain:
        static = static_keys(profile)
        if static is not None:
            return static
    if profile.get("role_arn") and not profile.get("web_identity_token_file"):
        from sigv4_dataapi._credentials.providers._assume_role import provide as assume_role

        return assume_role(ctx, profile, chain)
    if _web_identity_env(ctx, use_env) or profile.get("web_identity_token_file"):
        from sigv4_dataapi._credentials.providers._web_identity import provide as web_identity

        return web_identity(ctx, profile, use_env=use_env)
    if profile.get("sso_role_name") or profile.get("sso_account_id"):
        from sigv4_dataapi._credentials.providers._sso import provide as sso

        return sso(ctx, profile)
    return _static_or_process(ctx, profile)


def _static_or_process(ctx: ProviderContext, profile: Profile) -> CredentialSource | None:
    found = _static(profile.credentials_values, profile, SHARED_CREDENTIALS_FILE)
    if found is not None:
        return found
    if profile.get("login_session"):
        raise CredentialProviderError(
            "login",
            f"profile {profile.name!r} uses login_session ('aws login'), "
            "which sigv4-dataapi does not support; use 'aws sso login' or static keys",
        )
    if profile.get("credential_process"):
        from sigv4_dataapi._credentials.providers._process import provide as process

        return process(ctx, profile)
    return _static(profile.config_values, profile, CONFIG_FILE)


def static_keys(profile: Profile) -> CredentialSource | None:
    return _static(profile.credentials_values, profile, SHARED_CREDENTIALS_FILE) or _static(
        profile.config_values, profile, CONFIG_FILE
    )


def _static(values: Mapping[str, str], profile: Profile, name: str) -> CredentialSource | None:
    key = values.get("aws_access_key_id")
    if not key:
        return None
    secret = values.get("aws_secret_access_key")
    if not secret:
        raise CredentialProviderError(
            name, f"profile {profile.name!r} has aws_access_key_id but no aws_secret_access_key"
        )
    token = values.get("aws_session_token") or values.get("aws_security_token") or None
    return CredentialSource(name, credentials=Credentials(key, secret, token))


def _web_identity_env(ctx: ProviderContext, use_env: bool) -> bool:
    return use_env and bool(ctx.env.get("AWS_WEB_IDENTITY_TOKEN_FILE"))
