"""The statement runner on its own: timeouts, detached statements, a bounded shutdown.

The fake session's statement waits on an event; its ``cancel`` sets it (or,
for an engine that ignores cancels, does nothing), so nothing here depends on
how fast the machine is: waits are on events, with generous deadlines.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from sigv4_dataapi._server.api.api_error import ApiError, Faults
from sigv4_dataapi._server.state.runner import SHUTTING_DOWN, Detached, StatementRunner

DEADLINE_S = 20.0


class FakeSession:
    """A session whose statement runs until cancelled (or forever, if it ignores cancels)."""

    connection_id = 7

    def __init__(self, *, obeys_cancel: bool = True) -> None:
        self.stop = threading.Event()
        self.started = threading.Event()
        self.obeys_cancel = obeys_cancel
        self.cancels = 0

    def statement(self) -> str:
        self.started.set()
        if not self.stop.wait(DEADLINE_S):
            return "ran to the end"
        if self.obeys_cancel:
            raise RuntimeError("interrupted")
        return "ran to the end"

    def cancel(self) -> None:
        self.cancels += 1
        if self.obeys_cancel:
            self.stop.set()


def test_timeout_cancels_and_answers_statement_timeout() -> None:
    runner = StatementRunner(0.05, Faults("v2"))
    session = FakeSession()
    with pytest.raises(ApiError) as caught:
        runner.run(session, session.statement, continue_after=False)  # type: ignore[arg-type]
    assert caught.value.code == "StatementTimeoutException"
    assert session.cancels == 1


def test_detached_statement_keeps_running_then_close_cancels_it() -> None:
    runner = StatementRunner(0.05, Faults("v2"))
    session = FakeSession()
    with pytest.raises(Detached) as caught:
        runner.run(session, session.statement, continue_after=True)  # type: ignore[arg-type]
    assert caught.value.error.code == "StatementTimeoutException"
    assert not caught.value.future.done() and session.cancels == 0
    runner.close(grace=DEADLINE_S)
    assert session.cancels == 1
    assert caught.value.future.done()  # close waited for it to unwind
    assert isinstance(caught.value.future.exception(), RuntimeError)


def test_close_is_bounded_when_the_engine_ignores_cancel() -> None:
    runner = StatementRunner(0.05, Faults("v2"))
    session = FakeSession(obeys_cancel=False)
    with pytest.raises(Detached) as caught:
        runner.run(session, session.statement, continue_after=True)  # type: ignore[arg-type]
    started = time.monotonic()
    runner.close(grace=0.2)
    assert time.monotonic() - started < DEADLINE_S / 2  # it did not wait for the statement
    assert session.cancels == 1 and not caught.value.future.done()
    worker = next(t for t in threading.enumerate() if t.name == "statement")
    assert worker.daemon  # so it cannot hold up the interpreter's exit either
    session.stop.set()


def test_no_new_statement_after_close() -> None:
    runner = StatementRunner(5.0, Faults("v2"))
    runner.close(grace=0)
    ran: list[Any] = []
    for continue_after in (False, True):
        with pytest.raises(ApiError) as caught:
            runner.run(FakeSession(), lambda: ran.append(1), continue_after=continue_after)  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.message) == ("ServiceUnavailableError",
                                                             SHUTTING_DOWN)  # fmt: skip
    assert ran == []


def test_settled_deadlines_let_go_of_their_sessions_and_leave_the_heap() -> None:
    """Every statement shares one timeout, so settled entries reach the heap's top only
    after it: without a sweep the heap held the last 45 s of sessions (load bench)."""
    import gc
    import weakref

    from sigv4_dataapi._server.state.runner import Watchdog

    class Holder:
        def cancel(self) -> None:
            raise AssertionError("a settled deadline fired")

    watchdog = Watchdog(clock=lambda: 0.0)  # nothing ever expires
    running = watchdog.watch(45.0, lambda: None)  # a long statement holds the heap's top
    holders = [Holder() for _ in range(2000)]
    refs = [weakref.ref(holder) for holder in holders]
    for holder in holders:
        assert watchdog.settle(watchdog.watch(45.0, holder.cancel)) is False
    del holders, holder
    gc.collect()
    assert all(ref() is None for ref in refs)  # sessions (and connections) released at once
    assert len(watchdog._heap) <= 2 * 256 + 1  # swept, not kept for the timeout
    watchdog.settle(running)
