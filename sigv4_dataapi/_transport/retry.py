"""When to try a Data API call again, and how long to wait first.

Pure and sans-IO, like stamina without the dependency: a frozen
:class:`RetryPolicy`, a pure :func:`backoff`, an allow-list :func:`classify`
that says what a failure proves, and :func:`decide` that turns the failure, the
operation and the attempts so far into a :class:`Decision`. The transport owns
the loop, the clock and the sleep (injected), so tests never wait.

The rule (rds-data-api.md §3.3, peers.md §3): retry on its own only when the
statement provably did not run (no connection, throttling, a resuming cluster,
an expired signature). A failure after the request was sent is ambiguous for
the operations that run SQL or commit; it is raised, never replayed, unless
the caller marked the call idempotent.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import NamedTuple

from sigv4_dataapi._errors import (
    AuthError,
    BadRequestException,
    CertificateError,
    ConfigurationError,
    ConnectError,
    DataAPIError,
    DatabaseResumingException,
    ResponseTooLargeError,
    ServiceError,
    StatementMayHaveRunError,
    ThrottlingError,
)
from sigv4_dataapi._errors.service import is_link_failure_before_sending

# Operations whose replay could run SQL or commit twice (issue 4, "Waiting and retrying").
STATEMENT_OPERATIONS = frozenset(
    {"ExecuteStatement", "BatchExecuteStatement", "CommitTransaction", "ExecuteSql"}
)
# Clock-skew texts of the AWS front door (sigv4-notes.md item 19).
SKEW_MESSAGES = ("signature expired", "signature not yet current", "request time too skewed")
SKEW_CODES = frozenset({"RequestTimeTooSkewed", "RequestExpired"})


class Failure(enum.Enum):
    """What a failure proves about whether the statement ran."""

    NOT_SENT = "not sent"  # connect error: provably not run
    THROTTLED = "throttled"  # the front door refused it: not run
    RESUMING = "resuming"  # the cluster is waking up: not run
    CLOCK_SKEW = "clock skew"  # the signature was too old or too new: not run
    AMBIGUOUS = "ambiguous"  # sent, outcome unknown: may have run
    FINAL = "final"  # a definite answer: retrying cannot help


class Action(enum.Enum):
    RAISE = "raise"
    RETRY = "retry"  # after ``Decision.delay`` seconds
    RESIGN = "re-sign"  # now, with the clock offset measured from the answer


# Decisions and attempt counts are immutable values (NamedTuple: a frozen dataclass costs
# ~1 ms to define at import, which a cold start pays); the policy is a setting (dataclass).
class Decision(NamedTuple):
    action: Action
    delay: float = 0.0
    failure: Failure = Failure.FINAL


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; every field has a reason.

    ``attempts`` bounds retries of connect errors, throttling and (when the
    caller opted in) ambiguous failures; a resuming cluster is bounded by
    ``resume_timeout`` instead, because a resume takes seconds, not attempts.
    """

    attempts: int = 4  # 1 try + 3 retries: what SDKs do for transient errors
    wait_initial: float = 0.1  # first pause for connect errors and throttling
    wait_max: float = 5.0  # never sleep longer than this between quick retries
    wait_jitter: float = 0.5  # spread clients apart (added uniformly in [0, jitter))
    wait_exp_base: float = 2.0
    resume_timeout: float = 90.0  # a scale-to-zero resume takes ~15 s, v1 up to a minute
    resume_wait_initial: float = 1.0  # resuming: first pause
    resume_wait_max: float = 10.0  # resuming: keep polling at least this often
    idempotent: bool = False  # the client-wide default for "safe to replay"

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigurationError("RetryPolicy.attempts must be at least 1")
        times = (self.wait_initial, self.wait_max, self.wait_jitter, self.resume_timeout,
                 self.resume_wait_initial, self.resume_wait_max)  # fmt: skip
        if any(not value >= 0 for value in times) or not self.wait_exp_base >= 1:
            raise ConfigurationError("RetryPolicy times must be >= 0 and wait_exp_base >= 1")


# The testing switch: no waits, same decisions. The resume deadline still counts real
# (monotonic) time, so it is short here: a cluster that never resumes is not hammered.
NO_WAIT = RetryPolicy(
    wait_initial=0.0, wait_max=0.0, wait_jitter=0.0, resume_wait_initial=0.0,
    resume_wait_max=0.0, resume_timeout=1.0,
)  # fmt: skip


def backoff(
    attempt: int, *, initial: float, maximum: float, jitter: float, exp_base: float, rand: float
) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based); ``rand`` in [0, 1).

    ``initial * exp_base ** (attempt - 1)`` plus up to ``jitter``, never over
    ``maximum``. At the cap the jitter is taken *below* it, so clients that
    all reached the cap still wake apart instead of in step; an exponent past
    a float's range is the cap, not an ``OverflowError``.
    """
    try:
        grown = initial * exp_base ** (attempt - 1)
    except OverflowError:
        grown = math.inf
    delay = grown + jitter * rand
    if delay <= maximum:
        return delay
    return maximum - min(jitter, maximum) * rand


def is_resume_signal(error: ServiceError) -> bool:
    """True for ``DatabaseResumingException`` and v1's nothing-sent "Communications link failure".

    Only the form that says no packet reached the database proves the
    statement did not run; ``service_error`` makes every other form a
    :class:`LinkFailureError` (may have run).
    """
    if isinstance(error, DatabaseResumingException):
        return True
    return isinstance(error, BadRequestException) and is_link_failure_before_sending(error.message)


def is_clock_skew(error: ServiceError) -> bool:
    """True when the front door rejected the request's time (so nothing ran).

    Only an authentication answer (or an unknown code) qualifies: a database
    error whose text happens to say "signature expired" is not a skew signal.
    """
    if error.code in SKEW_CODES:
        return True
    if not (isinstance(error, AuthError) or type(error) is ServiceError):
        return False
    if error.status_code not in (400, 401, 403):
        return False
    text = error.message.lower()
    return any(needle in text for needle in SKEW_MESSAGES)


def classify(error: DataAPIError) -> Failure:
    """What ``error`` proves about whether the request was carried out."""
    if isinstance(error, ConnectError):
        return Failure.FINAL if isinstance(error, CertificateError) else Failure.NOT_SENT
    if isinstance(error, ServiceError):
        if isinstance(error, ThrottlingError) or error.status_code == 429:
            return Failure.THROTTLED
        if is_resume_signal(error):
            return Failure.RESUMING
        if is_clock_skew(error):
            return Failure.CLOCK_SKEW
    if isinstance(error, ResponseTooLargeError):
        return Failure.FINAL  # the same answer again would be as large
    if isinstance(error, StatementMayHaveRunError):
        return Failure.AMBIGUOUS
    return Failure.FINAL


def replay_is_safe(operation: str, idempotent: bool) -> bool:
    """Whether an ambiguous failure of ``operation`` may be retried.

    Begin/Rollback (and any non-statement call) are safe to repeat: at worst an
    idle transaction expires after 3 minutes.
    """
    return idempotent or operation not in STATEMENT_OPERATIONS


class Attempts(NamedTuple):
    """The state of one call's retry loop (immutable; the loop makes new ones)."""

    retries: int = 0  # quick retries so far (connect, throttling, opted-in ambiguous)
    resume_waits: int = 0
    resume_started: float | None = None  # clock() at the first resume signal
    resigned: bool = False


def decide(
    failure: Failure,
    *,
    operation: str,
    idempotent: bool,
    state: Attempts,
    now: float,
    policy: RetryPolicy,
    rand: float,
) -> Decision:
    """The one place that says retry, re-sign or raise (see the module docstring)."""
    if failure is Failure.CLOCK_SKEW:
        return Decision(Action.RAISE if state.resigned else Action.RESIGN, failure=failure)
    if failure is Failure.RESUMING:
        return _decide_resume(state, now=now, policy=policy, rand=rand)
    retryable = failure in (Failure.NOT_SENT, Failure.THROTTLED) or (
        failure is Failure.AMBIGUOUS and replay_is_safe(operation, idempotent)
    )
    if not retryable or state.retries + 1 >= policy.attempts:
        return Decision(Action.RAISE, failure=failure)
    delay = backoff(
        state.retries + 1,
        initial=policy.wait_initial,
        maximum=policy.wait_max,
        jitter=policy.wait_jitter,
        exp_base=policy.wait_exp_base,
        rand=rand,
    )
    return Decision(Action.RETRY, delay=delay, failure=failure)


def _decide_resume(state: Attempts, *, now: float, policy: RetryPolicy, rand: float) -> Decision:
    started = now if state.resume_started is None else state.resume_started
    remaining = policy.resume_timeout - (now - started)
    if remaining <= 0:
        return Decision(Action.RAISE, failure=Failure.RESUMING)
    delay = backoff(
        state.resume_waits + 1,
        initial=policy.resume_wait_initial,
        maximum=policy.resume_wait_max,
        jitter=policy.wait_jitter,
        exp_base=policy.wait_exp_base,
        rand=rand,
    )
    return Decision(Action.RETRY, delay=min(delay, remaining), failure=Failure.RESUMING)


def advance(state: Attempts, decision: Decision, *, now: float) -> Attempts:
    """The loop state after acting on ``decision``."""
    if decision.action is Action.RESIGN:
        return state._replace(resigned=True)
    if decision.failure is Failure.RESUMING:
        started = now if state.resume_started is None else state.resume_started
        return state._replace(resume_waits=state.resume_waits + 1, resume_started=started)
    return state._replace(retries=state.retries + 1)
