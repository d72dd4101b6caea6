"""``AsyncConnection``: ``Connection``'s twin on ``AsyncClient``; its methods are coroutines.

Same rules (lazy begin, zero-call commit/rollback, rollback on close, SQL
transaction verbs mapped to the API, one call at a time through an
``asyncio.Lock``). Differences forced by ``await``: ``autocommit`` may be set
directly only when no transaction is open (else ``await set_autocommit(...)``),
and ``engine`` needs ``await detect_engine()`` unless ``connect_async(engine=...)``
named it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._sqltext import TransactionControl
from sigv4_dataapi.dbapi import _batch
from sigv4_dataapi.dbapi._base import (
    ENGINE_PROBE,
    BaseConnection,
    NeedEngine,
    engine_from_version,
    with_transaction,
)
from sigv4_dataapi.dbapi._statement import (
    Prepared,
    check_sql,
    read,
    returns_rows,
    single_statement,
)
from sigv4_dataapi.dbapi.connection import SAVEPOINT
from sigv4_dataapi.dbapi.errors import (
    Error,
    InterfaceError,
    NotSupportedError,
    ProgrammingError,
    ResultTooLargeError,
    TransactionLostError,
)

if TYPE_CHECKING:
    from sigv4_dataapi import Result
    from sigv4_dataapi.dbapi.cursor_async import AsyncCursor

_log = logging.getLogger("sigv4_dataapi.dbapi")


class AsyncConnection(BaseConnection):
    """A PEP 249-style connection over :class:`sigv4_dataapi.AsyncClient`."""

    def __init__(self, client: Any, **options: Any) -> None:
        super().__init__(client, **options)
        self._lock = asyncio.Lock()

    def cursor(self, *, stream: bool = False) -> AsyncCursor:
        from sigv4_dataapi.dbapi.cursor_async import AsyncCursor

        self._check_open()
        return AsyncCursor(self, stream=stream)

    async def commit(self) -> None:
        async with self._lock:
            self._check_open()
            await self._commit()

    async def rollback(self) -> None:
        async with self._lock:
            self._check_open()
            if self._tx is not None:
                await self._quiet_rollback(self._tx, raise_errors=True)

    async def close(self) -> None:
        if self._closed:
            return
        async with self._lock:
            try:
                for tx in [*self._implicit, *([self._tx] if self._tx else [])]:
                    await self._quiet_rollback(tx, raise_errors=False)
                self._implicit.clear()
            finally:
                self._closed = True
                if self._owns_client:
                    await self._client.aclose()

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        self._check_open()
        if value and self._tx is not None:
            raise ProgrammingError("a transaction is open: use await conn.set_autocommit(True)")
        self._autocommit = bool(value)

    async def set_autocommit(self, value: bool) -> None:
        """Turning it on commits an open transaction first."""
        async with self._lock:
            self._check_open()
            if value:
                await self._commit()
            self._autocommit = bool(value)

    @property
    def engine(self) -> str:
        if self._engine is None:
            raise InterfaceError("the engine is not known yet: await conn.detect_engine(), "
                                 "or pass engine= to connect_async")  # fmt: skip
        return self._engine

    async def detect_engine(self) -> str:
        """``postgresql`` or ``mysql``, with one ``SELECT version()`` the first time."""
        if self._engine is None:
            async with self._lock:
                await self._known_engine()
        return self.engine

    async def __aenter__(self) -> AsyncConnection:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        try:
            if exc is None:
                await self.commit()
            elif not self._closed and self._tx is not None:
                async with self._lock:
                    if self._tx is not None:
                        await self._quiet_rollback(self._tx, raise_errors=False)
        finally:
            await self.close()

    # -- calls (the caller holds the lock) --------------------------------------------------

    async def _send(self, operation: str, body: bytes) -> Any:
        self._tick()
        try:
            raw = await self._client.transport.send(operation, body)
            self.last_response_bytes = len(raw.content)
            return raw
        except DataAPIError as exc:
            raise self._translate(exc) from exc
        finally:
            self._tock()

    def _decode(self, raw: Any) -> Result:
        try:
            return self._client.calls.result(raw)  # type: ignore[no-any-return]
        except DataAPIError as exc:
            raise self._translate(exc) from exc

    async def _begin(self) -> str:
        raw = await self._send("BeginTransaction", self._client.calls.begin())
        return self._client.calls.text(raw, "transactionId")  # type: ignore[no-any-return]

    async def _ensure_transaction(self) -> str | None:
        if self._tx is None and not self._autocommit:
            self._tx = await self._begin()
        return self._tx

    async def _commit(self) -> None:
        if self._tx is None:
            return
        tx = self._tx
        self._forget_transaction()
        await self._send("CommitTransaction", self._client.calls.end(tx))

    async def _quiet_rollback(self, tx: str, *, raise_errors: bool) -> None:
        if self._tx == tx:
            self._forget_transaction()
        try:
            await self._send("RollbackTransaction", self._client.calls.end(tx))
        except TransactionLostError:
            pass
        except Error as exc:
            if raise_errors:
                raise
            _log.warning("rollback of transaction %s failed: %s", tx, exc)

    async def _statement(
        self, sql: str, params: Any, tx: str | None, *, metadata: bool = True
    ) -> Any:
        body = self._execute_body(sql, params, metadata=metadata)
        return await self._statement_body(body, tx)

    async def _statement_body(self, body: bytes, tx: str | None) -> Any:
        """Send a built ``ExecuteStatement`` body in ``tx``."""
        try:
            raw = await self._send("ExecuteStatement", with_transaction(body, tx))
        except ResultTooLargeError as exc:
            if tx is not None and exc.transaction_lost:
                await self._quiet_rollback(tx, raise_errors=False)
            raise
        finally:
            if tx is not None and tx == self._tx:
                self._tx_work += 1
        return raw

    async def _known_engine(self) -> str:
        if self._engine is None:
            try:
                raw = await self._statement(ENGINE_PROBE, None, None)
            except ProgrammingError:
                self._engine = "mysql"
            else:
                result = self._decode(raw)
                self._engine = engine_from_version(result.records[0][0] if result.records else "")
        return self._engine

    async def _prepared(self, sql: object, params: object) -> Prepared:
        try:
            return self._prepare(sql, params)
        except NeedEngine:
            await self._known_engine()
            return self._prepare(sql, params)

    # -- what cursors call ----------------------------------------------------------------------

    async def _run(self, sql: object, params: object) -> Result | None:
        async with self._lock:
            self._check_open()
            prepared = await self._prepared(sql, params)
            if prepared.control is not None:
                await self._control(prepared.control)
                return None
            body = self._execute_body(prepared.sql, prepared.params)
            tx = await self._ensure_transaction()
            return self._decode(await self._statement_body(body, tx))

    async def _control(self, control: TransactionControl) -> None:
        if control.kind == "commit":
            await self._commit()
        elif control.kind == "rollback":
            if self._tx is not None:
                await self._quiet_rollback(self._tx, raise_errors=True)
        else:
            if control.modes and await self._known_engine() != "postgresql":
                raise NotSupportedError(
                    f"START TRANSACTION {control.modes} is not supported over the Data API "
                    "on MySQL; use BEGIN"
                )
            if self._tx is None:
                self._tx = await self._begin()
            if control.modes:
                await self._statement(f"SET TRANSACTION {control.modes}", None, self._tx)

    async def _run_many(self, sql: object, seq_of_params: Iterable[object]) -> None:
        async with self._lock:
            self._check_open()
            statement, plan = await self._plan_batch(sql, seq_of_params)
            if not plan:
                return
            base = {**self._base_body(), "sql": statement}
            implicit = self._autocommit and self._tx is None
            savepoint = self._tx is not None and self._tx_work > 0
            tx = await self._begin() if implicit else await self._ensure_transaction()
            if savepoint:
                await self._statement(f"SAVEPOINT {SAVEPOINT}", None, tx)
            try:
                for chunk in plan:
                    await self._send("BatchExecuteStatement", chunk.body(base, tx))
                    self._tx_work += 1
            except Error:
                await self._undo_batch(tx, implicit=implicit, savepoint=savepoint)
                raise
            if savepoint:
                try:
                    await self._statement(f"RELEASE SAVEPOINT {SAVEPOINT}", None, tx)
                except TransactionLostError:
                    raise
                except Error as exc:
                    _log.info("RELEASE SAVEPOINT failed (%s); the batch ran", exc)
            if implicit and tx is not None:
                await self._send("CommitTransaction", self._client.calls.end(tx))

    async def _plan_batch(
        self, sql: object, seq: Iterable[object]
    ) -> tuple[str, list[_batch.Chunk]]:
        statement = single_statement(check_sql(sql), self._engine or "postgresql")
        try:
            reading = read(statement, self._engine)
        except NeedEngine:
            reading = read(statement, await self._known_engine())
        if reading.control is not None or returns_rows(statement):
            raise ProgrammingError("executemany runs INSERT/UPDATE/DELETE-like statements only")
        try:
            encoded = list(_batch.encode_sets(reading, seq))
        except DataAPIError as exc:
            raise self._translate(exc) from exc
        return statement, _batch.chunks(
            {**self._base_body(), "sql": statement}, encoded, _batch.DEFAULT_LIMIT
        )

    async def _undo_batch(self, tx: str | None, *, implicit: bool, savepoint: bool) -> None:
        if tx is None:
            return
        if savepoint and self._tx == tx:
            try:
                await self._statement(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}", None, tx)
                return
            except Error as exc:
                _log.warning("ROLLBACK TO SAVEPOINT failed (%s); rolling back", exc)
        if implicit or self._tx == tx:
            await self._quiet_rollback(tx, raise_errors=False)
