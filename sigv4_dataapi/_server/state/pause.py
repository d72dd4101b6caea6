"""An auto-pausing cluster (reference F6): idle -> paused -> resuming -> available.

After ``pause_after`` seconds without a call the cluster pauses; the next call
starts the resume and fails, as do the calls during the next
``resume_seconds``; then calls succeed again: the situation a client's resume
retry must handle. Per cluster, thread-safe, clock injected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sigv4_dataapi._server.server_settings import PauseSettings


class PauseState:
    """One cluster's availability."""

    def __init__(
        self,
        settings: PauseSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_pause: Callable[[], object] = lambda: None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._on_pause = on_pause
        self._lock = threading.Lock()
        self._last_call = clock()
        self._resuming_until: float | None = None
        self._paused = settings.start_paused

    def _pause_due(self, now: float) -> bool:
        after = self._settings.pause_after
        return self._paused or (after is not None and now - self._last_call >= after)

    def available(self) -> bool:
        """Record a call; False while the cluster is paused or resuming (the call fails)."""
        with self._lock:
            now = self._clock()
            if self._resuming_until is not None:
                if now < self._resuming_until:
                    return False
                self._resuming_until = None
            elif self._pause_due(now):
                self._paused = False
                self._resuming_until = now + self._settings.resume_seconds
                self._on_pause()
                return False
            self._last_call = now
            return True
