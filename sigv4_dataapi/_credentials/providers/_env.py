"""The environment provider: ``AWS_ACCESS_KEY_ID`` and friends (what Lambda sets).

With ``AWS_CREDENTIAL_EXPIRATION`` the credentials become refreshable, and a refresh
re-reads the (live) environment, as botocore does.  ``AWS_SESSION_TOKEN`` is read
before the legacy ``AWS_SECURITY_TOKEN`` (the SDK standard; botocore reads the
legacy name first, which lets a stale value shadow the real one).
"""

from __future__ import annotations

from collections.abc import Mapping

from sigv4_dataapi._credentials.providers._context import NotConfigured, ProviderContext
from sigv4_dataapi._credentials.providers._document import expiration
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

NAME = "env"


def provide(ctx: ProviderContext) -> CredentialSource | NotConfigured:
    if ctx.profile_from_argument:
        return NotConfigured("skipped: a profile was named explicitly")
    if not ctx.env.get("AWS_ACCESS_KEY_ID"):
        return NotConfigured("AWS_ACCESS_KEY_ID is not set")
    return source_from_env(ctx)


def source_from_env(ctx: ProviderContext, name: str = NAME) -> CredentialSource:
    """The source for ``credential_source = Environment`` as well."""
    creds = load(ctx.env, name)
    if creds.expiration is None:
        return CredentialSource(name, credentials=creds)
    return CredentialSource(
        name, credentials=creds, fetch=lambda: load(ctx.env, name), clock=ctx.clock
    )


def load(env: Mapping[str, str], name: str = NAME) -> Credentials:
    key = env.get("AWS_ACCESS_KEY_ID")
    if not key:
        raise CredentialProviderError(name, "AWS_ACCESS_KEY_ID is not set")
    secret = env.get("AWS_SECRET_ACCESS_KEY")
    if not secret:
        raise CredentialProviderError(
            name, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
        )
    token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None
    expiry = env.get("AWS_CREDENTIAL_EXPIRATION")
    expires = expiration(expiry, name, what="AWS_CREDENTIAL_EXPIRATION") if expiry else None
    return Credentials(key, secret, token, expires)
