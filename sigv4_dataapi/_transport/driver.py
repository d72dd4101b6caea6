"""The transport: where a call goes, as whom, over which connection pool; the sync driver.

``Transport(...).send(operation, body)`` resolves region, endpoint, TLS trust,
proxy and credentials once, then runs each call's :class:`~._exchange.Exchange`
against an ``httpx.HTTPTransport`` (directly: ``httpx.Client``'s auth, redirect
and cookie layers have nothing to do for a signed Data API call), sleeping with
the injected ``sleep`` between retries and asking the credential source's
``get()`` before each signature. The async driver lives beside
``AsyncClient``. The names the CLI uses are re-exported here.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from sigv4_dataapi._credentials import getter as _getter
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._transport import bounds as _bounds
from sigv4_dataapi._transport import endpoint as _endpoint
from sigv4_dataapi._transport import retry as _retry
from sigv4_dataapi._transport.exchange import (
    CONTENT_TYPE,
    DEFAULT_TIMEOUT,
    NO_HOOKS,
    OPERATIONS,
    SIGNING,
    USER_AGENT,
    Clocks,
    Exchange,
    Outcome,
    RawResponse,
    Send,
    Sleep,
    Step,
    TransportHooks,
    TransportSettings,
    as_timeout,
)
from sigv4_dataapi._transport.wire import Reply, WireRequest

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_TIMEOUT",
    "OPERATIONS",
    "SIGNING",
    "USER_AGENT",
    "Clocks",
    "RawResponse",
    "Send",
    "Sleep",
    "Transport",
    "TransportHooks",
    "TransportSettings",
    "as_timeout",
]


def _shared_profile(
    profile: str | None,
    env: Mapping[str, str],
    region: str | None,
    endpoint_url: str | None,
    verify: _endpoint.Verify,
) -> _endpoint.ProfileRef:
    """Read the shared config files once, and only when some setting may come from them."""
    if region and endpoint_url and verify is not True:
        return profile
    from sigv4_dataapi import _config

    return _config.load_profile(profile, env=env)


def _check_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_response_bytes must be a positive int, got {value!r}")
    return value


class BaseTransport:
    """Configuration shared by both drivers: endpoint, credentials, TLS, retry policy, bounds.

    ``timeout`` sets each phase's timeout and the deadline of a whole attempt
    (connect, send and the whole answer): the largest of the three timeouts, so
    ``timeout=T`` bounds every attempt to about ``T`` seconds (``bounds``).
    ``max_response_bytes`` (16 MiB) caps an answer, counted decompressed.
    """

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        credentials: Credentials | _getter.CredentialGetter | None = None,
        profile: str | None = None,
        resource_arn: str | None = None,
        verify: _endpoint.Verify = True,
        timeout: float | httpx.Timeout | None = None,
        retry: _retry.RetryPolicy | None = None,
        fips: bool = False,
        dualstack: bool = False,
        env: Mapping[str, str] | None = None,
        hooks: TransportHooks = NO_HOOKS,
        clocks: Clocks | None = None,
        max_response_bytes: int = _bounds.DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.max_response_bytes = _check_limit(max_response_bytes)
        env = os.environ if env is None else env
        shared = _shared_profile(profile, env, region, endpoint_url, verify)
        region = _endpoint.resolve_region(region, resource_arn=resource_arn, env=env,
                                          profile=shared)  # fmt: skip
        endpoint = _endpoint.resolve_endpoint(
            endpoint_url, region=region, env=env, profile=shared, fips=fips, dualstack=dualstack
        )
        settings = TransportSettings(endpoint, as_timeout(timeout), retry or _retry.RetryPolicy())
        source = _getter.credential_source(credentials, profile=shared, env=env, region=region)
        self._core = Exchange(settings, source, clocks or Clocks())
        self._hooks = hooks
        self._verify = verify
        self._bundle = _endpoint.ca_bundle(env, shared) if verify is True else None
        _endpoint.check_verify(verify, self._bundle)
        self._proxy = _endpoint.proxy_for(endpoint.url, env)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._owns = True

    @property
    def settings(self) -> TransportSettings:
        return self._core.settings

    def _pool_options(self) -> dict[str, Any]:
        """Options of the httpx transport; the TLS context is built here, on first use."""
        options: dict[str, Any] = {
            "verify": _endpoint.ssl_context(self._verify, bundle=self._bundle)
        }
        if self._proxy is not None:
            options["proxy"] = self._proxy
        return options

    def _forked(self) -> bool:
        """True once in a child after ``os.fork()``: the caller then drops its own pool.

        The parent's sockets are never read or written by the child (they would
        interleave requests and answers with the parent's); a new pool opens on
        use. An injected pool is the caller's (``StdlibTransport`` checks for itself).
        """
        if self._pid == os.getpid():
            return False
        self._pid = os.getpid()
        self._lock = threading.Lock()  # the parent's may have been held by another thread
        return self._owns

    def _hooks_for(self, hooks: TransportHooks | None) -> TransportHooks:
        return self._hooks if hooks is None else hooks

    @staticmethod
    def _received(
        response: httpx.Response, request: httpx.Request, started: float
    ) -> httpx.Response:
        """What ``httpx.Client.send`` would set on a response read from the pool directly."""
        response.request = request
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        return response


class Transport(BaseTransport):
    """Synchronous driver: ``time.sleep`` between retries, one keep-alive connection pool.

    By default the request goes straight to an httpx transport (what
    ``httpx.Client`` would call after its auth, redirect and cookie layers,
    none of which a signed Data API call uses): ``_stdhttp.StdlibTransport``,
    or ``httpx.HTTPTransport`` when a proxy applies; an injected
    ``http_client`` or ``http_transport`` is used as given.
    """

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        http_transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._http = http_client
        self._pool = http_transport
        self._owns = http_client is None and http_transport is None
        self._sleep = sleep

    def send(
        self,
        operation: str,
        body: bytes,
        *,
        idempotent: bool | None = None,
        hooks: TransportHooks | None = None,
    ) -> RawResponse:
        """POST ``body`` (JSON bytes, sent exactly as given) as ``operation``.

        ``idempotent`` (default: the policy's) allows replaying an ambiguous failure.
        """
        steps = self._core.run(operation, body, idempotent, self._hooks_for(hooks))
        outcome: Outcome = None
        while True:
            try:
                step = steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            outcome = self._perform(step)

    def _perform(self, step: Step) -> Outcome:
        if step.__class__ is Send:
            assert isinstance(step, Send)
            try:
                return self._roundtrip(step.request)
            except httpx.HTTPError as exc:
                return exc
        if isinstance(step, Sleep):
            self._sleep(step.seconds)
            return None
        return self._core.credentials.get()

    def _roundtrip(self, wire: WireRequest) -> Reply | httpx.Response:
        """One attempt, bounded by ``bounds``: the deadline, ``max_response_bytes``.

        Our own pool takes the request as it is and answers a ``Reply``; an httpx
        client or transport gets an ``httpx.Request``.
        """
        if self._http is not None:
            return self._http.send(wire.httpx())
        if self._forked() and not getattr(self._pool, "bounds_answers", False):
            self._pool = None  # StdlibTransport resets itself (closing the child's copies)
        pool = self._pool or self._open()
        started = time.perf_counter()
        exchange = getattr(pool, "exchange", None)
        if exchange is not None:  # StdlibTransport: capped, decoded, no httpx objects
            reply: Reply = exchange(wire)
            reply.elapsed = time.perf_counter() - started
            return reply
        request = wire.httpx()
        response = pool.handle_request(request)
        try:
            if getattr(pool, "bounds_answers", False):
                response.read()
                return self._received(response, request, started)
            seconds = _bounds.attempt_budget(request.extensions.get("timeout"))
            answer = _bounds.read_answer(
                response, request, self.max_response_bytes, _bounds.Budget(seconds, started)
            )
        finally:
            response.close()
        return self._received(answer, request, started)

    def _open(self) -> httpx.BaseTransport:
        with self._lock:
            if self._pool is None:
                options = self._pool_options()
                proxy = options.get("proxy")
                if proxy is not None and not self._tunnels(proxy):
                    self._pool = httpx.HTTPTransport(**options)
                else:  # http.client is loaded already; httpcore + h11 cost ~20 ms to import
                    from sigv4_dataapi._transport.stdhttp import StdlibTransport

                    self._pool = StdlibTransport(
                        options["verify"], max_response_bytes=self.max_response_bytes,
                        proxy=proxy,
                    )  # fmt: skip
            return self._pool

    def _tunnels(self, proxy: str) -> bool:
        """Whether ``StdlibTransport`` carries this proxy: ``http://`` to an ``https`` host
        by name or IPv4 (http.client writes an IPv6 ``CONNECT`` target without brackets)."""
        endpoint = urlsplit(self.settings.endpoint.url)
        return (proxy.startswith("http://") and endpoint.scheme == "https"
                and ":" not in (endpoint.hostname or ":"))  # fmt: skip

    def close(self) -> None:
        if self._owns and self._pool is not None:
            self._pool.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
