"""One Data API call without the I/O: sign, classify the outcome, decide what comes next.

:meth:`Exchange.run` is a generator holding every decision of a call (request
building and signing, response classification, retry, clock-skew re-signing,
resume waits). It yields :class:`Authenticate`, :class:`Send` and :class:`Sleep`
steps; the sync driver (``_transport.Transport``) and the async one
(``_async_client.AsyncTransport``) perform them, so both behave identically,
and neither blocks where the other awaits (a credential refresh included).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import httpx

from sigv4_dataapi import __version__
from sigv4_dataapi._credentials import getter as _getter
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import ConfigurationError, DataAPIError
from sigv4_dataapi._sigv4.sign import SigningResult, SigningSettings, sign_request
from sigv4_dataapi._transport import endpoint as _endpoint
from sigv4_dataapi._transport import retry as _retry
from sigv4_dataapi._transport.answers import (
    REQUEST_ID_HEADER,
    error_from_httpx,
    error_from_response,
)
from sigv4_dataapi._transport.wire import Reply, WireRequest, answer_headers

_log = logging.getLogger("sigv4_dataapi.transport")

# operation -> request path (rds-data-api.md §2): every operation is a POST of JSON.
OPERATIONS: Mapping[str, str] = {
    "ExecuteStatement": "/Execute",
    "BatchExecuteStatement": "/BatchExecute",
    "BeginTransaction": "/BeginTransaction",
    "CommitTransaction": "/CommitTransaction",
    "RollbackTransaction": "/RollbackTransaction",
    "ExecuteSql": "/ExecuteSql",
}
CONTENT_TYPE = "application/json"
USER_AGENT = f"sigv4-dataapi/{__version__}"
# F4: the service answers within 45 s (then StatementTimeoutException); read longer than that.
DEFAULT_TIMEOUT = httpx.Timeout(70.0, connect=10.0)
# §7.1: sign content-type;host;x-amz-date[;x-amz-security-token], no x-amz-content-sha256.
SIGNING = SigningSettings()


# TransportHooks is a NamedTuple and RawResponse a slotted class: a frozen dataclass costs
# ~1 ms to define at import, which every cold start pays (settings stay dataclasses).
class RawResponse:
    """A 2xx answer as received: the CLI prints it, the client decodes ``content``.

    ``headers`` is an ``httpx.Headers``, built on first use from the pairs the
    transport read (a Data API call never looks at them).
    """

    __slots__ = ("_headers", "content", "request_id", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: httpx.Headers | list[tuple[str, str]],
        content: bytes,
        request_id: str | None,
    ) -> None:
        self.status_code = status_code
        self._headers = headers
        self.content = content
        self.request_id = request_id

    @property
    def headers(self) -> httpx.Headers:
        if not isinstance(self._headers, httpx.Headers):
            self._headers = answer_headers(self._headers)
        return self._headers

    def __repr__(self) -> str:
        return (f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r}, "
                f"content={len(self.content)} bytes)")  # fmt: skip


class TransportHooks(NamedTuple):
    """Observers of one call (the CLI's ``-v``; progress while a cluster resumes)."""

    on_signed: Callable[[SigningResult, httpx.Request], None] | None = None
    on_response: Callable[[httpx.Response], None] | None = None
    on_resume_wait: Callable[[int, float, float], None] | None = None  # attempt, waited, deadline


NO_HOOKS = TransportHooks()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Clocks:
    """Time and chance, injected: wall time to sign, a monotonic clock for deadlines."""

    now: Callable[[], datetime] = _utc_now
    monotonic: Callable[[], float] = time.monotonic
    rand: Callable[[], float] = random.random


# The steps are plain slotted classes: created per call, and a dataclass costs ~1 ms to
# define at import (the cold start counts it).
class Authenticate:
    """Step: the credentials to sign with (sync ``get()``; async ``await aget()``, off the loop)."""

    __slots__ = ()


AUTHENTICATE = Authenticate()


class Send:
    """Step: send ``request``; the driver answers with the answer or the httpx error."""

    __slots__ = ("request",)

    def __init__(self, request: WireRequest) -> None:
        self.request = request


class Sleep:
    """Step: wait ``seconds`` before the next attempt."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Step = Authenticate | Send | Sleep
Outcome = Reply | httpx.Response | httpx.HTTPError | Credentials | None


@dataclass(frozen=True)
class TransportSettings:
    """Where to send and how patiently; built once per client."""

    endpoint: _endpoint.Endpoint
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: _retry.RetryPolicy = field(default_factory=_retry.RetryPolicy)
    user_agent: str = USER_AGENT


def as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """A number is the read/write budget, and a whole attempt's (``bounds``); connect <= 10 s."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout), connect=min(float(timeout), 10.0))


def _note(error: BaseException, text: str) -> None:
    """``add_note`` (3.11+: shown under the traceback's message); on 3.10 the same
    ``__notes__`` list for code that reads it, which 3.10's tracebacks do not print."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(text)
    else:
        setattr(error, "__notes__", [*getattr(error, "__notes__", ()), text])  # noqa: B010


class Exchange:
    """Everything but the I/O; one per transport, shared by every call (thread-safe)."""

    def __init__(
        self, settings: TransportSettings, credentials: _getter.CredentialGetter, clocks: Clocks
    ) -> None:
        self.settings = settings
        self.credentials = credentials
        self.clocks = clocks
        self.skew = timedelta(0)  # server time minus ours, measured on a skew error
        base = settings.endpoint.url
        self._urls = {op: httpx.URL(base + path) for op, path in OPERATIONS.items()}
        self._raw_urls = {op: base + path for op, path in OPERATIONS.items()}
        self._targets = {op: url.raw_path.decode("ascii") for op, url in self._urls.items()}
        host = httpx.URL(base).netloc.decode("ascii")  # lower-case, IDNA, default port dropped
        self._signed_headers = (("Host", host), ("Content-Type", CONTENT_TYPE))
        # unsigned: proxies rewrite User-Agent (DEFAULT_UNSIGNED_HEADERS)
        self._extra_headers = (("User-Agent", settings.user_agent),)
        # what httpx.Client would add; set here so a bare transport can be called directly
        self._extensions = {"timeout": settings.timeout.as_dict()}

    def url(self, operation: str) -> httpx.URL:
        try:
            return self._urls[operation]
        except KeyError:
            known = ", ".join(OPERATIONS)
            raise ConfigurationError(f"unknown operation {operation!r} (one of {known})") from None

    def build(
        self, operation: str, body: bytes, credentials: Credentials | None = None
    ) -> tuple[WireRequest, SigningResult]:
        """Sign ``body`` for ``operation`` with a fresh time (pitfall 18: one per attempt).

        The request gets every header it will carry here (Host and Content-Length
        included, Host signed as sent), so nothing is left to compute on the way.
        ``credentials`` default to the source's (``get()``, which may block).
        """
        url = self.url(operation)
        signed = sign_request(
            "POST", self._raw_urls[operation], headers=self._signed_headers, body=body,
            credentials=credentials or self.credentials.get(),
            region=self.settings.endpoint.region,
            service=_endpoint.SERVICE, now=self.clocks.now() + self.skew, settings=SIGNING,
        )  # fmt: skip
        headers = [*self._signed_headers, *signed.headers.items(), *self._extra_headers,
                   ("Content-Length", str(len(body)))]  # fmt: skip
        request = WireRequest("POST", url, self._targets[operation], headers, body,
                              self._extensions)  # fmt: skip
        return request, signed

    def run(
        self, operation: str, body: bytes, idempotent: bool | None, hooks: TransportHooks
    ) -> Generator[Step, Outcome, RawResponse]:
        """One call: send, classify, and retry/re-sign/wait as ``_retry.decide`` says."""
        policy = self.settings.retry
        idempotent = policy.idempotent if idempotent is None else idempotent
        state = _retry.Attempts()
        while True:
            credentials = yield AUTHENTICATE
            if not isinstance(credentials, Credentials):
                raise TypeError(f"the driver answered Authenticate with {credentials!r}")
            request, signed = self.build(operation, body, credentials)
            if hooks.on_signed is not None:
                hooks.on_signed(signed, request.httpx())
            outcome = yield Send(request)
            answer = self._answer(operation, outcome, hooks, request)
            if isinstance(answer, RawResponse):
                return answer
            now = self.clocks.monotonic()
            decision = self._decide(operation, answer, outcome, idempotent, state, now)
            state = _retry.advance(state, decision, now=now)
            self._report(operation, answer, decision, state, hooks)
            if decision.delay > 0:
                yield Sleep(decision.delay)

    def _answer(
        self, operation: str, outcome: Outcome, hooks: TransportHooks, request: WireRequest
    ) -> RawResponse | DataAPIError:
        """A 2xx answer as it is; anything else as the exception it means."""
        if isinstance(outcome, Reply):
            if hooks.on_response is not None:
                hooks.on_response(outcome.httpx(request.httpx()))
            if outcome.is_success:
                return RawResponse(outcome.status_code, outcome.headers, outcome.content,
                                   outcome.header(REQUEST_ID_HEADER))  # fmt: skip
            return error_from_response(outcome.status_code, answer_headers(outcome.headers),
                                       outcome.content, operation=operation)  # fmt: skip
        if not isinstance(outcome, httpx.Response):
            assert not isinstance(outcome, Credentials)
            return error_from_httpx(outcome, operation, self.settings.endpoint.url)
        if hooks.on_response is not None:
            hooks.on_response(outcome)
        if outcome.is_success:
            return RawResponse(outcome.status_code, outcome.headers, outcome.content,
                               outcome.headers.get(REQUEST_ID_HEADER))  # fmt: skip
        return error_from_response(
            outcome.status_code, outcome.headers, outcome.content, operation=operation
        )

    def _decide(
        self,
        operation: str,
        error: DataAPIError,
        outcome: Outcome,
        idempotent: bool,
        state: _retry.Attempts,
        now: float,
    ) -> _retry.Decision:
        """``_retry.decide``, plus the skew measurement a re-signing needs; raises ``error``."""
        policy = self.settings.retry
        failure = _retry.classify(error)
        decision = _retry.decide(
            failure, operation=operation, idempotent=idempotent, state=state, now=now,
            policy=policy, rand=self.clocks.rand(),
        )  # fmt: skip
        if decision.action is _retry.Action.RESIGN and not self._measure_skew(outcome):
            decision = _retry.Decision(_retry.Action.RAISE, failure=failure)
        if decision.action is _retry.Action.RAISE:
            if failure is _retry.Failure.RESUMING:
                _note(error, f"the database did not resume within {policy.resume_timeout:g} s")
            raise error from (outcome if isinstance(outcome, httpx.HTTPError) else None)
        return decision

    def _measure_skew(self, outcome: Outcome) -> bool:
        """Set ``skew`` from the answer's ``Date`` header; False when it has none."""
        if isinstance(outcome, Reply):
            date = outcome.header("date") or ""
        elif isinstance(outcome, httpx.Response):
            date = outcome.headers.get("date", "")
        else:
            return False
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return False
        if server.tzinfo is None:
            server = server.replace(tzinfo=timezone.utc)
        self.skew = server - self.clocks.now()
        _log.warning("clock skew of %.0f s measured from the response; re-signing",
                     self.skew.total_seconds())  # fmt: skip
        return True

    def _report(
        self,
        operation: str,
        error: DataAPIError,
        decision: _retry.Decision,
        state: _retry.Attempts,
        hooks: TransportHooks,
    ) -> None:
        if decision.failure is not _retry.Failure.RESUMING:
            _log.info("%s: %s; retrying in %.2f s (%s)", operation, decision.failure.value,
                      decision.delay, error)  # fmt: skip
            return
        started = state.resume_started if state.resume_started is not None else 0.0
        waited = self.clocks.monotonic() - started
        deadline = self.settings.retry.resume_timeout
        _log.info("%s: the database is resuming; waited %.1f s of %.0f s, next try in %.1f s",
                  operation, waited, deadline, decision.delay)  # fmt: skip
        if hooks.on_resume_wait is not None:
            hooks.on_resume_wait(state.resume_waits, waited, deadline)
