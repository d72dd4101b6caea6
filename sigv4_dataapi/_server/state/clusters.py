"""Clusters: resource ARN -> backend, and each cluster's pause state.

Without configured clusters every well-formed ARN reaches the default
database (one backend, one pause state per ARN). Backends open at startup so
a bad database URL fails before the endpoint says it is ready.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from sigv4_dataapi._server.auth.access import Cluster
from sigv4_dataapi._server.backends.base import Backend
from sigv4_dataapi._server.server_settings import PauseSettings
from sigv4_dataapi._server.state.pause import PauseState

Opener = Callable[[str], Backend]


class Clusters:
    def __init__(
        self,
        default_url: str,
        configured: Sequence[Cluster],
        pause: PauseSettings,
        *,
        opener: Opener,
        on_pause: Callable[[str], object] = lambda arn: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pause_settings = pause
        self._on_pause = on_pause
        self._clock = clock
        self._by_url: dict[str, Backend] = {}
        self._by_arn: dict[str, Backend] = {}
        self._pauses: dict[str, PauseState] = {}
        self._lock = threading.Lock()
        try:
            for cluster in configured:
                self._by_arn[cluster.arn] = self._open(cluster.database_url, opener)
            self._default = None if configured else self._open(default_url, opener)
        except BaseException:
            self.close()
            raise

    def _open(self, url: str, opener: Opener) -> Backend:
        """One backend per URL (clusters may share a database), but every ``:memory:`` is new."""
        key = f"{url}#{len(self._by_url)}" if url.endswith(":memory:") else url
        if key not in self._by_url:
            self._by_url[key] = opener(url)
        return self._by_url[key]

    def backend(self, resource_arn: str) -> Backend | None:
        return self._by_arn.get(resource_arn, self._default)

    def named_or_first(self, resource_arn: str) -> Backend | None:
        """The backend behind ``resource_arn``, else the first configured one (``serve``'s
        ``"engine"`` line: the example ARN need not be a configured cluster)."""
        return self.backend(resource_arn) or next(iter(self._by_arn.values()), None)

    def available(self, resource_arn: str) -> bool:
        """Whether the cluster answers now (False: paused or resuming; see ``_pause``)."""
        state = self._pauses.get(resource_arn)
        if state is None:
            with self._lock:
                state = self._pauses.setdefault(
                    resource_arn,
                    PauseState(
                        self._pause_settings,
                        clock=self._clock,
                        on_pause=lambda: self._on_pause(resource_arn),
                    ),
                )
        return state.available()

    def close(self) -> None:
        for backend in self._by_url.values():
            backend.close()
        self._by_url.clear()
