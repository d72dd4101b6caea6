"""``AsyncTransport``: the asynchronous driver of the sans-IO exchange, beside the sync one.

It drives the same steps as :class:`~sigv4_dataapi._transport.driver.Transport`
with ``await``: credentials from the source's ``aget()`` (a refresh runs in a
worker thread), pauses from ``asyncio.sleep``, answers from ``httpx.AsyncHTTPTransport``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from sigv4_dataapi._credentials.getter import aget
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
    pass

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
                return await self._roundtrip(step.request)
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
        if self._http is not None:
            return await self._http.send(request)
        pool = self._pool or self._open()
        started = time.perf_counter()
        response = await pool.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return self._received(response, request, started)

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
