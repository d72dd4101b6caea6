"""``AsyncTransport``: the asynchronous driver of the sans-IO exchange, beside the sync one.

It drives the same steps as :class:`~sigv4_dataapi._transport.driver.Transport`
with ``await``: credentials from the source's ``aget()`` (a refresh runs in a
worker thread), pauses from ``asyncio.sleep``, answers from ``httpx.AsyncHTTPTransport``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from sigv4_dataapi._credentials.getter import aget
from sigv4_dataapi._transport.bounds import Budget, aread_answer, attempt_budget
from sigv4_dataapi._transport.driver import BaseTransport
from sigv4_dataapi._transport.exchange import (
    Outcome,
    RawResponse,
    Send,
    Sleep,
    Step,
    TransportHooks,
)

if TYPE_CHECKING:
    from collections.abc import Coroutine

T = TypeVar("T")


async def _within(work: Coroutine[Any, Any, T], seconds: float) -> T:
    """``work``, cancelled after ``seconds`` (``TimeoutError``): ``asyncio.timeout`` on 3.11+."""
    import asyncio

    scope = getattr(asyncio, "timeout", None)
    if scope is None:  # Python 3.10, whose asyncio.TimeoutError is not the builtin
        try:
            return await asyncio.wait_for(work, seconds)
        except asyncio.TimeoutError as exc:
            raise TimeoutError from exc
    async with scope(seconds):
        return await work


_log = logging.getLogger("sigv4_dataapi.client")


class AsyncTransport(BaseTransport):
    """Asynchronous driver: ``asyncio.sleep`` between retries, ``httpx.AsyncHTTPTransport``.

    Like :class:`~sigv4_dataapi._transport.driver.Transport`, it calls the httpx
    transport directly unless an ``http_client`` or ``http_transport`` is given.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._http = http_client
        self._pool = http_transport
        self._owns = http_client is None and http_transport is None
        self._sleep = sleep

    async def send(
        self,
        operation: str,
        body: bytes,
        *,
        idempotent: bool | None = None,
        hooks: TransportHooks | None = None,
    ) -> RawResponse:
        """The same exchange as ``Transport.send``, awaited."""
        steps = self._core.run(operation, body, idempotent, self._hooks_for(hooks))
        outcome: Outcome = None
        while True:
            try:
                step = steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            outcome = await self._perform(step)

    async def _perform(self, step: Step) -> Outcome:
        if isinstance(step, Send):
            try:
                return await self._roundtrip(step.request.httpx())
            except httpx.HTTPError as exc:
                return exc
        if isinstance(step, Sleep):
            if self._sleep is None:
                import asyncio

                self._sleep = asyncio.sleep
            await self._sleep(step.seconds)
            return None
        return await aget(self._core.credentials)

    async def _roundtrip(self, request: httpx.Request) -> httpx.Response:
        """One attempt under its deadline (a cancel scope), at most ``max_response_bytes``."""
        if self._http is not None:
            return await self._http.send(request)
        if self._forked():
            self._pool = None
        pool = self._pool or self._open()
        started = time.perf_counter()
        budget = attempt_budget(request.extensions.get("timeout"))
        attempt = self._attempt(pool, request)
        try:
            answer = await (attempt if budget is None else _within(attempt, budget))
        except TimeoutError as exc:  # the deadline's, not httpcore's (those are httpx's)
            raise httpx.ReadTimeout(Budget(budget).message(), request=request) from exc
        return self._received(answer, request, started)

    async def _attempt(
        self, pool: httpx.AsyncBaseTransport, request: httpx.Request
    ) -> httpx.Response:
        response = await pool.handle_async_request(request)
        try:
            return await aread_answer(response, request, self.max_response_bytes)
        finally:
            await response.aclose()

    def _open(self) -> httpx.AsyncBaseTransport:
        with self._lock:
            if self._pool is None:
                self._pool = httpx.AsyncHTTPTransport(**self._pool_options())
            return self._pool

    async def aclose(self) -> None:
        if self._owns and self._pool is not None:
            await self._pool.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
