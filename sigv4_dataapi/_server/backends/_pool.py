"""Idle connections kept per (database, user), shared by the PostgreSQL and MySQL backends.

The service keeps a pool of its own; reusing connections here keeps the
local endpoint's latency close to it (a PostgreSQL connect costs a fork).
The pool knows nothing of drivers: ``reset`` and ``discard`` are injected,
and so is the clock that ages idle connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["ConnectionPool", "PoolKey"]

C = TypeVar("C")

PoolKey = tuple[str, str]  # (database, user): connections are never shared across either


class ConnectionPool(Generic[C]):
    """Idle connections per (database, user), like the service's own pool.

    ``reset`` readies a returned connection (False: it is unusable) and
    ``discard`` closes one. Idle connections older than ``max_idle`` seconds
    are closed rather than reused, so a restarted server costs one error at most.
    """

    def __init__(
        self,
        size: int,
        *,
        reset: Callable[[C], bool],
        discard: Callable[[C], None],
        max_idle: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = size
        self._reset = reset
        self._discard = discard
        self._max_idle = max_idle
        self._clock = clock
        self._idle: dict[PoolKey, list[tuple[float, C]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, key: PoolKey) -> C | None:
        """A fresh-enough idle connection for ``key``, or None (the caller connects)."""
        stale: list[C] = []
        found: C | None = None
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and found is None:
                since, conn = idle.pop()
                if self._clock() - since > self._max_idle:
                    stale.append(conn)
                else:
                    found = conn
        for conn in stale:  # closing may block on the network: outside the lock
            self._discard(conn)
        return found

    def give(self, key: PoolKey, conn: C) -> None:
        """Keep ``conn`` for the next session when it resets cleanly and there is room."""
        if not self._reset(conn):
            self._discard(conn)
            return
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not self._closed and len(idle) < self._size:
                idle.append((self._clock(), conn))
                return
        self._discard(conn)

    def close(self) -> None:
        """Close every idle connection; connections given back later are closed too."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _, conn in conns:
                self._discard(conn)
