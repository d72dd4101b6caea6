"""``Client``: the Data API from Python values to Python values, over one keep-alive connection.

Request bodies and the decoding of answers live in ``_calls.Calls`` (no I/O),
shared with ``AsyncClient``; the two clients only differ in how they wait for
the transport. Every body is serialised once, signed once per attempt, sent as is.
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
from sigv4_dataapi._transport import driver as _transport

if TYPE_CHECKING:
    from typing_extensions import Unpack

_log = logging.getLogger("sigv4_dataapi.client")


class Client(BaseClient):
    """A synchronous Data API client for one cluster and secret.

    ``with Client(resource_arn, secret_arn, database="db") as db: db.execute(...)``.
    The arguments are :class:`~sigv4_dataapi._client.base.BaseClient`'s.
    """

    transport: _transport.Transport

    def _connect(self, options: dict[str, Any]) -> None:
        self.transport = _transport.Transport(**options)

    def execute(
        self,
        sql: str,
        parameters: Params | None = None,
        *,
        idempotent: bool | None = None,
        convert: bool | None = None,
        **options: Unpack[ExecuteOptions],
    ) -> Result:
        """Run one statement (``ExecuteStatement``); ``options`` are :meth:`Calls.execute`'s."""
        body = self.calls.execute(sql, parameters, **options)
        raw = self.transport.send("ExecuteStatement", body, idempotent=idempotent)
        return self.calls.result(raw, convert)

    def batch_execute(
        self,
        sql: str,
        parameter_sets: Iterable[Params],
        *,
        idempotent: bool | None = None,
        **options: Unpack[BatchOptions],
    ) -> BatchResult:
        """Run one statement once per parameter set (``BatchExecuteStatement``)."""
        body = self.calls.batch_execute(sql, parameter_sets, **options)
        raw = self.transport.send("BatchExecuteStatement", body, idempotent=idempotent)
        return self.calls.batch_result(raw)

    def begin_transaction(self, *, database: str | None = None, schema: str | None = None) -> str:
        """``BeginTransaction``: the new transaction's id."""
        raw = self.transport.send("BeginTransaction", self.calls.begin(database=database,
                                                                        schema=schema))  # fmt: skip
        return self.calls.text(raw, "transactionId")

    def commit_transaction(self, transaction_id: str, *, idempotent: bool | None = None) -> str:
        """``CommitTransaction``: the status text (``Transaction Committed``)."""
        raw = self.transport.send("CommitTransaction", self.calls.end(transaction_id),
                                  idempotent=idempotent)  # fmt: skip
        return self.calls.text(raw, "transactionStatus")

    def rollback_transaction(self, transaction_id: str) -> str:
        """``RollbackTransaction``: the status text (``Rollback Complete``)."""
        raw = self.transport.send("RollbackTransaction", self.calls.end(transaction_id))
        return self.calls.text(raw, "transactionStatus")

    def transaction(self, *, database: str | None = None, schema: str | None = None) -> Transaction:
        """``with db.transaction() as tx:`` commits on success, rolls back on an exception."""
        return Transaction(self, database=database, schema=schema)

    def call(
        self, operation: str, params: Mapping[str, Any], *, idempotent: bool | None = None
    ) -> dict[str, Any]:
        """Any of the six operations, raw: a request dict in, the service's JSON dict out."""
        raw = self.transport.send(operation, self.calls.call(operation, params),
                                  idempotent=idempotent)  # fmt: skip
        return loads(raw)

    def execute_sql(
        self,
        sql_statements: str,
        *,
        database: str | None = None,
        schema: str | None = None,
        idempotent: bool | None = None,
    ) -> list[Result]:
        """The deprecated ``ExecuteSql`` (Serverless v1 only): ``;``-separated statements,
        one :class:`Result` each. New code uses :meth:`execute`."""
        body = self.calls.execute_sql(sql_statements, database=database, schema=schema)
        raw = self.transport.send("ExecuteSql", body, idempotent=idempotent)
        return self.calls.execute_sql_results(raw)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Transaction(BaseTransaction):
    """One Data API transaction; statements run through it carry its id."""

    def __init__(self, client: Client, *, database: str | None, schema: str | None) -> None:
        super().__init__(database=database, schema=schema)
        self._client = client

    def _transaction_id(self) -> str:
        self._check_open()
        if self._id is None:
            self._id = self._client.begin_transaction(**self._begin_options)
        return self._id

    def execute(self, sql: str, parameters: Params | None = None, **options: Any) -> Result:
        return self._client.execute(sql, parameters, transaction_id=self._transaction_id(),
                                    **options)  # fmt: skip

    def batch_execute(
        self, sql: str, parameter_sets: Iterable[Params], **options: Any
    ) -> BatchResult:
        transaction_id = self._transaction_id()
        return self._client.batch_execute(
            sql, parameter_sets, transaction_id=transaction_id, **options
        )

    def commit(self) -> str:
        self.status = self._client.commit_transaction(self._transaction_id())
        return self.status

    def rollback(self) -> str:
        self.status = self._client.rollback_transaction(self._transaction_id())
        return self.status

    def __enter__(self) -> Transaction:
        self._transaction_id()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.status is not None:
            return
        if exc is None:
            self.commit()
            return
        try:
            self.rollback()
        except DataAPIError as failure:  # the original exception matters more
            _log.warning("rollback of transaction %s failed: %s", self._id, failure)
