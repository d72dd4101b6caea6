"""Where the transport gets credentials: explicit ones, or the provider chain on first use.

The transport needs only ``get()`` (and ``aget()`` when it has one); building a
client must stay cheap, so the chain is resolved at the first request.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from sigv4_dataapi._credentials.value import Credentials

if TYPE_CHECKING:
    from sigv4_dataapi._config import Profile

    # A profile name (resolved when needed) or the profile already loaded once.
    ProfileRef = str | Profile | None


class CredentialGetter(Protocol):
    """What the transport needs of a credential source (``_providers.CredentialSource``).

    A source may also have ``async aget()`` (``CredentialSource`` has): the async
    client awaits it, so that a refresh (STS, SSO, IMDS) never blocks the event
    loop. A source without one is asked ``get()``, on the loop: it must be quick.
    """

    def get(self) -> Credentials: ...


async def aget(source: CredentialGetter) -> Credentials:
    """``await source.aget()`` where the source has it, else ``source.get()``."""
    get_async = getattr(source, "aget", None)
    if get_async is None:
        return source.get()
    credentials: Credentials = await get_async()
    return credentials


def credential_source(
    credentials: Credentials | CredentialGetter | None,
    *,
    profile: ProfileRef,
    env: Mapping[str, str] | None,
    region: str,
) -> CredentialGetter:
    """Explicit credentials as they are; else the provider chain, resolved on first use."""
    if isinstance(credentials, Credentials):
        return _Static(credentials)
    if credentials is not None:
        return credentials
    return _Lazy(profile=profile, env=env, region=region)


class _Static:
    __slots__ = ("credentials",)

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def get(self) -> Credentials:
        return self.credentials

    async def aget(self) -> Credentials:
        return self.credentials


class _Lazy:
    """Runs ``resolve_credentials`` at the first request, so building a client is cheap.

    Resolving may fetch (container, IMDS, a credential process): the async
    client's first request does it in a worker thread (:meth:`aget`).
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._source: CredentialGetter | None = None
        self._lock = threading.Lock()

    def _resolve(self) -> CredentialGetter:
        with self._lock:
            if self._source is None:
                from sigv4_dataapi._credentials.providers import resolve_credentials

                self._source = resolve_credentials(**self._kwargs)
            return self._source

    def get(self) -> Credentials:
        return (self._source or self._resolve()).get()

    async def aget(self) -> Credentials:
        source = self._source
        if source is None:
            import asyncio

            source = await asyncio.to_thread(self._resolve)
        return await aget(source)
