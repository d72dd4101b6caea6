"""The credential provider chain, by hand (no botocore).

``resolve_credentials()`` walks the chain in boto3's order, less its legacy boto2
files: explicit, environment, the selected profile (assume role, web identity,
SSO, static keys, ``credential_process``), container, EC2 instance metadata.
A provider that is *not configured* lets the chain move on; one that is
configured but *broken* stops it with :class:`CredentialProviderError`; when
nothing is found, :class:`NoCredentialsError` lists every attempt.

Providers that need HTTP or a subprocess are imported only when the chain reaches
them, so resolving environment credentials never imports httpx.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sigv4_dataapi._config import Profile, as_profile
from sigv4_dataapi._credentials.providers._context import (
    NotConfigured,
    Prompt,
    ProviderContext,
    RunProcess,
)
from sigv4_dataapi._credentials.providers._source import Clock, CredentialSource, utc_now
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import NoCredentialsError

if TYPE_CHECKING:
    import httpx

__all__ = ["CredentialSource", "NotConfigured", "ProviderContext", "resolve_credentials"]

# chain step -> module with provide(ctx) -> CredentialSource | NotConfigured
CHAIN: tuple[tuple[str, str], ...] = (
    ("env", "sigv4_dataapi._credentials.providers._env"),
    ("profile", "sigv4_dataapi._credentials.providers._profile"),
    ("container-role", "sigv4_dataapi._credentials.providers._container"),
    ("iam-role", "sigv4_dataapi._credentials.providers._imds"),
)


def resolve_credentials(
    explicit: Credentials | None = None,
    *,
    profile: str | Profile | None = None,
    env: Mapping[str, str] | None = None,
    region: str | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    mfa_prompt: Prompt | None = None,
    run_process: RunProcess | None = None,
) -> CredentialSource:
    """Find credentials the way boto3 does; see docs/credentials.md.

    ``region`` is the client's explicit region (STS calls go to its regional
    endpoint); ``transport`` carries every HTTP call of the chain (STS, SSO,
    container, IMDS); ``mfa_prompt`` asks for an MFA code (default: getpass).
    """
    if explicit is not None:
        return CredentialSource("explicit", credentials=explicit)
    env = os.environ if env is None else env
    ctx = ProviderContext(
        env=env,
        profile=as_profile(profile, env),
        region=region,
        transport=transport,
        clock=clock,
        sleep=sleep,
        mfa_prompt=mfa_prompt,
        run_process=run_process,
    )
    return resolve_chain(ctx)


def resolve_chain(ctx: ProviderContext) -> CredentialSource:
    attempts: list[tuple[str, str]] = []
    for name, module_name in CHAIN:
        module = importlib.import_module(module_name)
        found = module.provide(ctx)
        if isinstance(found, CredentialSource):
            return found
        attempts.append((name, found.reason))
    raise NoCredentialsError(attempts)
