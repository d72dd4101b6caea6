"""The half of a session both engines share: transactions, cancellation, return to the pool.

A session is one pooled connection left in the driver's autocommit mode, so
every statement outside ``begin`` … ``commit``/``rollback`` commits on its
own. What differs per engine (how to send ``BEGIN``, how to cancel from
another thread, how to read a driver error, where the connection goes back
to) is asked of the backend through ``SessionHost``.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Literal, Protocol

from sigv4_dataapi._server.backends._driver import close_quietly
from sigv4_dataapi._server.backends._pool import PoolKey
from sigv4_dataapi._server.backends.base import EngineError

__all__ = ["PooledSession", "SessionHost", "TransactionCommand"]

TransactionCommand = Literal["BEGIN", "COMMIT", "ROLLBACK"]


class SessionHost(Protocol):
    """What a ``PooledSession`` needs from its backend."""

    def transaction(self, conn: Any, command: TransactionCommand) -> None:
        """Send ``command`` on ``conn``."""
        ...

    def interrupt(self, conn: Any, user: str) -> None:
        """Cancel the statement running on ``conn``, called from another thread."""
        ...

    def translate(self, exc: BaseException, conn: Any) -> EngineError | None:
        """The EngineError for a driver error (None: not the driver's, let it through)."""
        ...

    def release(self, key: PoolKey, conn: Any) -> None:
        """Take back an idle connection (outside any transaction)."""
        ...


class PooledSession:
    """Begin, commit, rollback, cancel and close over one connection.

    Engine sessions add ``execute`` and ``execute_batch``, running driver
    calls inside ``_running()`` (so ``cancel`` knows a statement is in flight
    and driver errors become DatabaseErrors) and ``_all_or_nothing()``.
    """

    def __init__(self, host: SessionHost, conn: Any, key: PoolKey) -> None:
        self._host = host
        self._conn = conn
        self._key = key
        self._lock = threading.Lock()  # a cancel must never reach the connection's next user
        self._busy = False
        self._in_transaction = False
        self._closed = False

    def begin(self) -> None:
        with self._running():
            self._host.transaction(self._conn, "BEGIN")
        self._in_transaction = True

    def commit(self) -> None:
        self._end("COMMIT")

    def rollback(self) -> None:
        self._end("ROLLBACK")

    def cancel(self) -> None:
        """Interrupt the running statement (thread-safe; idle: no-op).

        Never raises: if the request cannot be delivered the statement runs on,
        and the caller's timeout handling goes ahead anyway.
        """
        with self._lock, contextlib.suppress(Exception):
            if self._busy:
                self._host.interrupt(self._conn, self._key[1])

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._in_transaction:
            close_quietly(self._conn)  # an open transaction dies (rolls back) with it
            return
        self._host.release(self._key, self._conn)

    def _end(self, command: TransactionCommand) -> None:
        if self._closed:  # the connection may serve another session by now: never touch it
            self._in_transaction = False
            return
        try:
            with self._running():
                self._host.transaction(self._conn, command)
        finally:
            self._in_transaction = False

    def _running(self) -> _Running:
        return _Running(self)

    def _all_or_nothing(self) -> contextlib.AbstractContextManager[None]:
        """A transaction of its own for a batch, unless one is open already."""
        if self._in_transaction:
            return contextlib.nullcontext()
        return _AllOrNothing(self._host, self._conn)


class _Running:
    """Marks the session busy (for ``cancel``) and translates driver errors."""

    def __init__(self, session: PooledSession) -> None:
        self._session = session

    def __enter__(self) -> None:
        with self._session._lock:
            self._session._busy = True

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        session = self._session
        with session._lock:  # idle first: translating may query the connection (MySQL)
            session._busy = False
        if exc is None:
            return
        error = session._host.translate(exc, session._conn)
        if error is not None:
            raise error from None


class _AllOrNothing:
    """BEGIN … COMMIT around a batch, ROLLBACK when any set fails."""

    def __init__(self, host: SessionHost, conn: Any) -> None:
        self._host = host
        self._conn = conn

    def __enter__(self) -> None:
        self._host.transaction(self._conn, "BEGIN")

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self._host.transaction(self._conn, "COMMIT")
        else:
            with contextlib.suppress(Exception):  # the batch's error is the one to report
                self._host.transaction(self._conn, "ROLLBACK")
