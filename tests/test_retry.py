"""The retry policy as pure functions: what each failure proves, and what to do about it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._errors import (
    CertificateError,
    ConnectError,
    ConnectionLostError,
    DataAPIError,
    ReadTimeoutError,
    ResponseParseError,
    service_error,
)
from sigv4_dataapi._transport.retry import (
    NO_WAIT,
    STATEMENT_OPERATIONS,
    Action,
    Attempts,
    Decision,
    Failure,
    RetryPolicy,
    advance,
    backoff,
    classify,
    decide,
)

POLICY = RetryPolicy()


def svc(code: str, message: str = "", status: int = 400) -> DataAPIError:
    return service_error(code, message, status_code=status)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ConnectError("refused"), Failure.NOT_SENT),
        (CertificateError("bad cert"), Failure.FINAL),
        (svc("ThrottlingException"), Failure.THROTTLED),
        (svc("TooManyRequestsException", status=429), Failure.THROTTLED),
        (svc("SomethingNew", status=429), Failure.THROTTLED),
        (svc("DatabaseResumingException", "resuming"), Failure.RESUMING),
        (svc("BadRequestException", "Communications link failure\n\nThe last packet sent "
             "successfully to the server was 0 milliseconds ago. The driver has not received "
             "any packets from the server."), Failure.RESUMING),
        (svc("BadRequestException", "Communications link failure\n\nThe last packet"),
         Failure.AMBIGUOUS),
        (svc("BadRequestException", "Database error code: 1146."), Failure.FINAL),
        (svc("InvalidSignatureException", "Signature expired: 20240101T000000Z is now "
             "earlier than 20240101T001000Z", 403), Failure.CLOCK_SKEW),
        (svc("InvalidSignatureException", "Signature not yet current: 2030...", 403),
         Failure.CLOCK_SKEW),
        (svc("InvalidSignatureException", "The request signature we calculated does not "
             "match", 403), Failure.FINAL),
        (svc("DatabaseErrorException", "ERROR: signature expired for token"), Failure.FINAL),
        (svc("SomethingNew", "Signature expired: 2024 is now earlier than 2025", 400),
         Failure.CLOCK_SKEW),
        (svc("InternalServerErrorException", status=500), Failure.AMBIGUOUS),
        (svc("ServiceUnavailableError", status=503), Failure.AMBIGUOUS),
        (svc("DatabaseUnavailableException", status=504), Failure.AMBIGUOUS),
        (svc("Unknown5xx", status=502), Failure.AMBIGUOUS),
        (svc("StatementTimeoutException", "timeout"), Failure.AMBIGUOUS),
        (ReadTimeoutError("no answer"), Failure.AMBIGUOUS),
        (ConnectionLostError("dropped"), Failure.AMBIGUOUS),
        (svc("DatabaseErrorException", "syntax"), Failure.FINAL),
        (svc("AccessDeniedException", status=403), Failure.FINAL),
        (ResponseParseError("html"), Failure.FINAL),
    ],
)  # fmt: skip
def test_classify(error: DataAPIError, failure: Failure) -> None:
    assert classify(error) is failure


def _decide(failure: Failure, operation: str = "ExecuteStatement", *, idempotent: bool = False,
            state: Attempts | None = None, now: float = 0.0) -> Decision:  # fmt: skip
    return decide(failure, operation=operation, idempotent=idempotent, state=state or Attempts(),
                  now=now, policy=POLICY, rand=0.0)  # fmt: skip


@pytest.mark.parametrize("operation", sorted(STATEMENT_OPERATIONS))
def test_ambiguous_statements_are_raised_unless_idempotent(operation: str) -> None:
    assert _decide(Failure.AMBIGUOUS, operation).action is Action.RAISE
    assert _decide(Failure.AMBIGUOUS, operation, idempotent=True).action is Action.RETRY


@pytest.mark.parametrize("operation", ["BeginTransaction", "RollbackTransaction"])
def test_begin_and_rollback_replay_ambiguous_failures(operation: str) -> None:
    assert _decide(Failure.AMBIGUOUS, operation).action is Action.RETRY


@pytest.mark.parametrize("failure", [Failure.NOT_SENT, Failure.THROTTLED])
def test_provably_not_run_is_retried_up_to_the_attempts(failure: Failure) -> None:
    state = Attempts()
    actions = []
    for _ in range(10):
        decision = _decide(failure, state=state)
        actions.append(decision.action)
        if decision.action is Action.RAISE:
            break
        state = advance(state, decision, now=0.0)
    assert actions == [Action.RETRY] * (POLICY.attempts - 1) + [Action.RAISE]


def test_final_failures_are_raised_at_once() -> None:
    assert _decide(Failure.FINAL, idempotent=True).action is Action.RAISE


def test_clock_skew_re_signs_once() -> None:
    first = _decide(Failure.CLOCK_SKEW)
    assert first.action is Action.RESIGN and first.delay == 0
    state = advance(Attempts(), first, now=0.0)
    assert _decide(Failure.CLOCK_SKEW, state=state).action is Action.RAISE


def test_resume_waits_until_the_deadline_not_a_count() -> None:
    state, now, delays = Attempts(), 0.0, []
    while True:
        decision = _decide(Failure.RESUMING, "BeginTransaction", state=state, now=now)
        if decision.action is Action.RAISE:
            break
        delays.append(decision.delay)
        state = advance(state, decision, now=now)
        now += decision.delay
    assert now == pytest.approx(POLICY.resume_timeout)
    assert delays[:4] == [1.0, 2.0, 4.0, 8.0] and max(delays) == POLICY.resume_wait_max
    assert state.retries == 0  # resume waits do not use up the quick retries


def test_no_wait_policy_keeps_decisions_but_not_delays() -> None:
    decision = decide(Failure.THROTTLED, operation="ExecuteStatement", idempotent=False,
                      state=Attempts(), now=0.0, policy=NO_WAIT, rand=0.9)  # fmt: skip
    assert decision == Decision(Action.RETRY, 0.0, Failure.THROTTLED)


@given(
    attempt=st.integers(1, 60),
    initial=st.floats(0, 10),
    maximum=st.floats(0, 60),
    jitter=st.floats(0, 5),
    rand=st.floats(0, 1, exclude_max=True),
)
def test_backoff_is_bounded_and_grows(
    attempt: int, initial: float, maximum: float, jitter: float, rand: float
) -> None:
    wait = backoff(attempt, initial=initial, maximum=maximum, jitter=jitter, exp_base=2, rand=rand)
    assert 0 <= wait <= maximum
    later = backoff(attempt + 1, initial=initial, maximum=maximum, jitter=jitter, exp_base=2,
                    rand=rand)  # fmt: skip
    assert later >= wait


@pytest.mark.parametrize(
    "options", [{"attempts": 0}, {"wait_initial": -1.0}, {"resume_timeout": float("nan")},
                {"wait_exp_base": 0.5}],
)  # fmt: skip
def test_policy_rejects_nonsense(options: dict[str, float]) -> None:
    from sigv4_dataapi._errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="RetryPolicy"):
        RetryPolicy(**options)  # type: ignore[arg-type]
