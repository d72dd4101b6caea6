"""``AsyncClient``: the same client on ``httpx.AsyncClient``, for asyncio code.

Everything but the waiting is shared with the sync client: request bodies and
decoding come from ``_calls.Calls``; signing, classification and retry
decisions from the transport's sans-IO core, which :class:`AsyncTransport`
drives with ``await`` instead of blocking calls: credentials come from the
source's ``aget()`` (a refresh runs in a worker thread), pauses from
``asyncio.sleep``, answers from ``httpx.AsyncHTTPTransport``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._client.base import BaseClient, BaseTransaction
from sigv4_dataapi._client.calls import (
    BatchOptions,
    ExecuteOptions,
    Params,
    loads,
)
from sigv4_dataapi._codec.result import BatchResult, Result
from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._transport.driver_async import AsyncTransport
from sigv4_dataapi._transport.exchange import (
    RawResponse,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

_log = logging.getLogger("sigv4_dataapi.client")


class AsyncClient(BaseClient):
    """The asynchronous twin of :class:`~sigv4_dataapi._client.client.Client` (same arguments).

    ``async with AsyncClient(resource_arn, secret_arn, database="db") as db:
    result = await db.execute(...)``.
    """

    transport: AsyncTransport

    def _connect(self, options: dict[str, Any]) -> None:
        self.transport = AsyncTransport(**options)

    async def execute(
        self,
        sql: str,
        parameters: Params | None = None,
        *,
        idempotent: bool | None = None,
        convert: bool | None = None,
        **options: Unpack[ExecuteOptions],
    ) -> Result:
        """Run one statement (``ExecuteStatement``)."""
        body = self.calls.execute(sql, parameters, **options)
        raw = await self.transport.send("ExecuteStatement", body, idempotent=idempotent)
        return self.calls.result(raw, convert)

    async def batch_execute(
        self,
        sql: str,
        parameter_sets: Iterable[Params],
        *,
        idempotent: bool | None = None,
        **options: Unpack[BatchOptions],
    ) -> BatchResult:
        """Run one statement once per parameter set (``BatchExecuteStatement``)."""
        body = self.calls.batch_execute(sql, parameter_sets, **options)
        raw = await self.transport.send("BatchExecuteStatement", body, idempotent=idempotent)
        return self.calls.batch_result(raw)

    async def begin_transaction(
        self, *, database: str | None = None, schema: str | None = None
    ) -> str:
        body = self.calls.begin(database=database, schema=schema)
        return self.calls.text(await self.transport.send("BeginTransaction", body),
                               "transactionId")  # fmt: skip

    async def commit_transaction(
        self, transaction_id: str, *, idempotent: bool | None = None
    ) -> str:
        raw = await self.transport.send("CommitTransaction", self.calls.end(transaction_id),
                                        idempotent=idempotent)  # fmt: skip
        return self.calls.text(raw, "transactionStatus")

    async def rollback_transaction(self, transaction_id: str) -> str:
        raw = await self.transport.send("RollbackTransaction", self.calls.end(transaction_id))
        return self.calls.text(raw, "transactionStatus")

    def transaction(
        self, *, database: str | None = None, schema: str | None = None
    ) -> AsyncTransaction:
        """``async with db.transaction() as tx:`` commits on success, rolls back on error."""
        return AsyncTransaction(self, database=database, schema=schema)

    async def call(
        self, operation: str, params: Mapping[str, Any], *, idempotent: bool | None = None
    ) -> dict[str, Any]:
        """Any of the six operations, raw: a request dict in, the service's JSON dict out."""
        raw: RawResponse = await self.transport.send(
            operation, self.calls.call(operation, params), idempotent=idempotent
        )
        return loads(raw)

    async def execute_sql(
        self,
        sql_statements: str,
        *,
        database: str | None = None,
        schema: str | None = None,
        idempotent: bool | None = None,
    ) -> list[Result]:
        """The deprecated ``ExecuteSql`` (Serverless v1 only): one :class:`Result` per statement."""
        body = self.calls.execute_sql(sql_statements, database=database, schema=schema)
        raw = await self.transport.send("ExecuteSql", body, idempotent=idempotent)
        return self.calls.execute_sql_results(raw)

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncTransaction(BaseTransaction):
    """One transaction of an :class:`AsyncClient` (see ``_client.Transaction``)."""

    def __init__(self, client: AsyncClient, *, database: str | None, schema: str | None) -> None:
        super().__init__(database=database, schema=schema)
        self._client = client

    async def _transaction_id(self) -> str:
        self._check_open()
        if self._id is None:
            self._id = await self._client.begin_transaction(**self._begin_options)
        return self._id

    async def execute(self, sql: str, parameters: Params | None = None, **options: Any) -> Result:
        transaction_id = await self._transaction_id()
        return await self._client.execute(sql, parameters, transaction_id=transaction_id,
                                          **options)  # fmt: skip

    async def batch_execute(
        self, sql: str, parameter_sets: Iterable[Params], **options: Any
    ) -> BatchResult:
        transaction_id = await self._transaction_id()
        return await self._client.batch_execute(
            sql, parameter_sets, transaction_id=transaction_id, **options
        )

    async def commit(self) -> str:
        self.status = await self._client.commit_transaction(await self._transaction_id())
        return self.status

    async def rollback(self) -> str:
        self.status = await self._client.rollback_transaction(await self._transaction_id())
        return self.status

    async def __aenter__(self) -> AsyncTransaction:
        await self._transaction_id()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.status is not None:
            return
        if exc is None:
            await self.commit()
            return
        try:
            await self.rollback()
        except DataAPIError as failure:  # the original exception matters more
            _log.warning("rollback of transaction %s failed: %s", self._id, failure)
