"""Transactions: opaque ids pinned to one database session (reference F5).

A transaction ends by commit, rollback, 3 minutes without a call or 24 hours
in all (both configurable); an ended id is "not found" afterwards, and the
v1 message says why. v2 refuses a second call while one is running on the
same transaction; v1 queues it. The clock is injected; ``reap()`` is called
by the server's housekeeping thread and before every lookup.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from sigv4_dataapi._server.api.api_error import Faults
from sigv4_dataapi._server.backends.base import Session
from sigv4_dataapi._server.server_settings import TransactionTimeouts

EXPIRED = "Transaction may be expired"
ABORTED = "Transaction has been aborted due to an error from a previous call"
TERMINATED = "One previous call resulted in a termination of your transaction"
_REMEMBERED = 4096  # ended ids kept for their reason


def new_transaction_id() -> str:
    """Opaque, unguessable, shaped like the service's (base64, starts ``AQ``)."""
    return base64.b64encode(b"\x01\x00" + secrets.token_bytes(46)).decode("ascii")


@dataclass(eq=False)
class Transaction:
    id: str
    resource_arn: str
    secret_arn: str
    session: Session
    started: float
    last_used: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class Transactions:
    """The live transactions, safe to use from every request thread."""

    def __init__(
        self,
        timeouts: TransactionTimeouts,
        faults: Faults,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeouts = timeouts
        self._faults = faults
        self._clock = clock
        self._live: dict[str, Transaction] = {}
        self._ended: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, session: Session, resource_arn: str, secret_arn: str) -> str:
        now = self._clock()
        tx = Transaction(new_transaction_id(), resource_arn, secret_arn, session, now, now)
        with self._lock:
            self._live[tx.id] = tx
        return tx.id

    def acquire(
        self, transaction_id: str, resource_arn: str, secret_arn: str, *, ending: bool = False
    ) -> Transaction:
        """The transaction, locked for this call; release it with :meth:`release`."""
        self.reap()
        with self._lock:
            tx = self._live.get(transaction_id)
            reason = self._ended.get(transaction_id, EXPIRED)
        if tx is None or (tx.resource_arn, tx.secret_arn) != (resource_arn, secret_arn):
            raise self._faults.transaction_not_found(transaction_id, reason, ending=ending)
        if self._faults.v1:
            tx.lock.acquire()  # v1 queues concurrent calls
        elif not tx.lock.acquire(blocking=False):
            raise self._faults.transaction_busy()
        if self._live.get(transaction_id) is not tx:  # ended while this call waited
            tx.lock.release()
            raise self._faults.transaction_not_found(transaction_id, reason, ending=ending)
        return tx

    def release(self, tx: Transaction) -> None:
        tx.last_used = self._clock()
        tx.lock.release()

    def end(self, tx: Transaction, reason: str) -> bool:
        """Forget a (locked) transaction; its session is the caller's to close.

        False when it had ended already: then its session is no longer its own
        (a closed session's connection may serve another transaction by now).
        """
        with self._lock:
            live = self._live.pop(tx.id, None) is tx
            if live:
                self._ended[tx.id] = reason
            while len(self._ended) > _REMEMBERED:
                self._ended.popitem(last=False)
        return live

    def abort(self, tx: Transaction, reason: str = ABORTED) -> None:
        """Roll back and end a locked transaction (after an error that kills it).

        Only once: two reapers can list the same transaction, and the second
        one's ROLLBACK would otherwise reach the connection's next user (soak
        finding: a later transaction silently rolled back, its rest autocommitted).
        """
        if self.end(tx, reason):
            _rollback_quietly(tx.session)
        tx.lock.release()

    def reap(self, *, resource_arn: str | None = None) -> int:
        """End transactions idle or alive too long (or all of one cluster's: a pause)."""
        now = self._clock()
        with self._lock:
            candidates = list(self._live.values())
        expired = 0
        for tx in candidates:
            stale = (
                resource_arn == tx.resource_arn
                or now - tx.last_used >= self._timeouts.idle
                or now - tx.started >= self._timeouts.total
            )
            if stale and tx.lock.acquire(blocking=False):  # a running call is a use
                self.abort(tx, EXPIRED)
                expired += 1
        return expired

    def close(self, grace: float = 5.0) -> None:
        """Roll back everything (the server is stopping), waiting at most ``grace`` in all.

        A transaction whose call is still running after that is forgotten without
        a rollback: its session is busy, and the engine rolls it back when the
        connection goes away with the process.
        """
        with self._lock:
            candidates = list(self._live.values())
        deadline = time.monotonic() + grace  # a real wait, whatever the injected clock
        for tx in candidates:
            locked = tx.lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
            if self.end(tx, TERMINATED) and locked:
                _rollback_quietly(tx.session)

    def __len__(self) -> int:
        return len(self._live)


def _rollback_quietly(session: Session) -> None:
    """Best effort: the session is going away whatever the engine says."""
    try:
        with contextlib.suppress(Exception):  # the transaction is over either way
            session.rollback()
    finally:
        session.close()
