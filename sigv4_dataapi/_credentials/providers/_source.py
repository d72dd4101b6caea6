"""CredentialSource: what the chain hands to the client, refreshing when it must.

Refresh follows boto3's two windows.  Inside the *advisory* window (15 min before
expiry) one caller refreshes while the others keep using the still-valid
credentials, and a failure is logged and swallowed.  Inside the *mandatory* window
(10 min) every caller waits for the one refresh, and a failure raises.  For short
lived credentials (``duration_seconds = 900``) both windows shrink to a fraction of
the lifetime, so that fresh credentials are not refetched on every call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError, CredentialsError

ADVISORY = timedelta(minutes=15)
MANDATORY = timedelta(minutes=10)
ADVISORY_BACKOFF = timedelta(seconds=30)  # after a failed advisory refresh: no retry storm

Clock = Callable[[], datetime]
Fetch = Callable[[], Credentials]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CredentialSource:
    """Credentials from one named provider; ``get()`` is thread-safe.

    Static credentials (no ``fetch``, or no expiry) are returned as they are.
    With ``fetch`` and no initial credentials, the first ``get()`` fetches: that is
    where a deferred provider (STS, SSO) reports a broken configuration.
    """

    def __init__(
        self,
        provider: str,
        *,
        credentials: Credentials | None = None,
        fetch: Fetch | None = None,
        clock: Clock = utc_now,
        advisory: timedelta = ADVISORY,
        mandatory: timedelta = MANDATORY,
    ) -> None:
        if credentials is None and fetch is None:
            raise ValueError("a CredentialSource needs credentials or a fetch function")
        self.provider = provider
        self._credentials = credentials
        self._fetch = fetch
        self._clock = clock
        self._advisory = advisory
        self._mandatory = mandatory
        # Credentials handed in with a fetch function were fetched just now (a credential
        # process, IMDS, a container): their lifetime counts from here, so a short-lived
        # first answer is not inside the default windows and fetched again at once.
        self._fetched_at = clock() if credentials is not None and fetch is not None else None
        self._quiet_until: datetime | None = None  # advisory back-off after a failure
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CredentialSource(provider={self.provider!r}, {self._credentials!r})"

    @property
    def refreshable(self) -> bool:
        return self._fetch is not None

    def get(self) -> Credentials:
        """One consistent snapshot, refreshed first if the windows say so."""
        current = self._credentials
        if self._fetch is None and current is not None:
            return current
        window = self._window(current)
        if window is None and current is not None:
            return current
        if window == "advisory" and current is not None:
            return self._advisory_refresh(current)
        return self._mandatory_refresh()

    async def aget(self) -> Credentials:
        """``get()`` for asyncio: a fetch runs in a worker thread, never on the loop."""
        current = self._credentials
        if current is not None and (self._fetch is None or self._window(current) is None):
            return current
        import asyncio

        return await asyncio.to_thread(self.get)

    def _window(self, creds: Credentials | None) -> str | None:
        if creds is None:
            return "mandatory"
        if creds.expiration is None:
            return None
        remaining = creds.expiration - self._clock()
        advisory, mandatory = self._windows(creds.expiration)
        if remaining <= mandatory:
            return "mandatory"
        return "advisory" if remaining <= advisory else None

    def _windows(self, expiration: datetime) -> tuple[timedelta, timedelta]:
        if self._fetched_at is None:
            return self._advisory, self._mandatory
        lifetime = expiration - self._fetched_at
        return min(self._advisory, lifetime / 2), min(self._mandatory, lifetime / 4)

    def _advisory_refresh(self, current: Credentials) -> Credentials:
        quiet = self._quiet_until
        if quiet is not None and self._clock() < quiet:
            return current  # the last advisory attempt failed moments ago
        if not self._lock.acquire(blocking=False):
            return current  # another thread is refreshing; these are still valid
        try:
            if self._window(self._credentials) is not None:
                self._refresh()
        except CredentialsError as exc:
            self._quiet_until = self._clock() + ADVISORY_BACKOFF
            import logging  # only on this rare path: keeps resolving credentials cheap

            logging.getLogger("sigv4_dataapi.credentials").warning(
                "advisory credential refresh failed (%s): %s", self.provider, exc
            )
        finally:
            self._lock.release()
        return self._credentials or current

    def _mandatory_refresh(self) -> Credentials:
        with self._lock:
            if self._window(self._credentials) == "mandatory":
                self._refresh()
            creds = self._credentials
        assert creds is not None
        return creds

    def _refresh(self) -> None:
        assert self._fetch is not None
        started = self._clock()
        creds = self._fetch()
        if creds.expiration is not None and creds.expiration <= self._clock():
            raise CredentialProviderError(
                self.provider, "refreshed credentials are already expired (check the clock)"
            )
        self._credentials = creds
        self._fetched_at = started
