"""Assume role: ``role_arn`` with ``source_profile`` (chains) or ``credential_source``.

The configuration is checked when the chain is resolved (a broken profile stops the
chain at once); the STS call itself is deferred to the first ``get()``, and its
answer is cached in memory for its lifetime by the returned CredentialSource.
With ``mfa_serial``, each fetch asks the ``mfa_prompt`` hook for a code.
"""

from __future__ import annotations

from sigv4_dataapi._config import Profile
from sigv4_dataapi._credentials.providers._context import Prompt, ProviderContext
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

NAME = "assume-role"
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


def _broken(profile: Profile, reason: str) -> CredentialProviderError:
    return CredentialProviderError(NAME, f"profile {profile.name!r}: {reason}")


def provide(ctx: ProviderContext, profile: Profile, chain: tuple[str, ...]) -> CredentialSource:
    source_profile = profile.get("source_profile")
    credential_source = profile.get("credential_source")
    if source_profile and credential_source:
        raise _broken(profile, "has both source_profile and credential_source; keep one")
    if not source_profile and not credential_source:
        raise _broken(profile, "has role_arn but neither source_profile nor credential_source")
    params = _params(ctx, profile, chained=bool(chain))
    if credential_source:
        source = _credential_source(ctx, profile, credential_source)
    else:
        assert source_profile is not None
        source = _source_profile(ctx, profile, source_profile, (*chain, profile.name))
    mfa_serial = profile.get("mfa_serial")
    sub = ctx.with_profile(profile)

    def fetch() -> Credentials:
        from sigv4_dataapi._credentials.providers import _sts

        extra = _mfa(ctx.mfa_prompt, mfa_serial) if mfa_serial else {}
        return _sts.assume_role(sub, source.get(), {**params, **extra}, NAME)

    return CredentialSource(NAME, fetch=fetch, clock=ctx.clock)


def _params(ctx: ProviderContext, profile: Profile, *, chained: bool) -> dict[str, str]:
    role_arn = profile.get("role_arn")
    assert role_arn is not None
    session = profile.get("role_session_name") or f"sigv4-dataapi-{int(ctx.clock().timestamp())}"
    params = {"RoleArn": role_arn, "RoleSessionName": session}
    params.update(duration_param(profile, NAME))
    external_id = profile.get("external_id")
    if external_id:
        params["ExternalId"] = external_id
    return params


def duration_param(profile: Profile, provider: str) -> dict[str, str]:
    """``DurationSeconds`` from ``duration_seconds`` (900..43200), for both STS calls.

    Also sent for web identity, which botocore omits (boto/botocore#2139): a profile
    asking for 12-hour sessions should not pay an STS call every hour.
    """
    duration = profile.get("duration_seconds")
    if duration is None:
        return {}
    if not duration.isdigit() or not 900 <= int(duration) <= 43200:
        raise CredentialProviderError(
            provider,
            f"profile {profile.name!r}: duration_seconds must be 900..43200, not {duration!r}",
        )
    return {"DurationSeconds": duration}


def _source_profile(
    ctx: ProviderContext, profile: Profile, name: str, chain: tuple[str, ...]
) -> CredentialSource:
    from sigv4_dataapi._credentials.providers._profile import for_profile, static_keys

    if name == profile.name:  # a profile may be its own source only through static keys
        found = static_keys(profile)
        if found is None:
            raise _broken(profile, "is its own source_profile but has no static keys")
        return found
    if name in chain:
        raise _broken(profile, f"source_profile loop: {' -> '.join((*chain, name))}")
    shared = profile.shared
    source = shared.profile(name) if shared is not None else None
    if source is None or not source.exists:
        raise _broken(profile, f"source_profile {name!r} is not defined")
    found_source = for_profile(ctx, source, chain=chain)
    if found_source is None:
        raise _broken(profile, f"source_profile {name!r} has no credentials")
    return found_source


def _credential_source(ctx: ProviderContext, profile: Profile, kind: str) -> CredentialSource:
    if kind == "Environment":
        from sigv4_dataapi._credentials.providers import _env

        if not ctx.env.get("AWS_ACCESS_KEY_ID"):
            raise _broken(profile, "credential_source Environment but AWS_ACCESS_KEY_ID is unset")
        return _env.source_from_env(ctx)
    if kind == "EcsContainer":
        from sigv4_dataapi._credentials.providers import _container

        found = _container.provide(ctx)
    elif kind == "Ec2InstanceMetadata":
        from sigv4_dataapi._credentials.providers import _imds

        found = _imds.provide(ctx)
    else:
        raise _broken(
            profile, f"credential_source {kind!r} is not one of {', '.join(CREDENTIAL_SOURCES)}"
        )
    if not isinstance(found, CredentialSource):
        raise _broken(profile, f"credential_source {kind}: {found.reason}")
    return found


def _mfa(prompt: Prompt | None, serial: str) -> dict[str, str]:
    if prompt is None:
        import getpass

        prompt = getpass.getpass
    code = prompt(f"Enter MFA code for {serial}: ").strip()
    if not code:
        raise CredentialProviderError(NAME, f"no MFA code was entered for {serial}")
    return {"SerialNumber": serial, "TokenCode": code}
