"""``AsyncCursor``: ``Cursor``'s twin; ``await cur.execute(...)``, ``async for row in cur``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sigv4_dataapi.dbapi import _pages
from sigv4_dataapi.dbapi._cursor_base import BaseCursor, StreamState, check_streamable, describe
from sigv4_dataapi.dbapi._statement import single_statement
from sigv4_dataapi.dbapi.cursor import _TX_ENDED
from sigv4_dataapi.dbapi.errors import Error, OperationalError, ProgrammingError

if TYPE_CHECKING:
    from sigv4_dataapi.dbapi.connection_async import AsyncConnection

Row = tuple[Any, ...]


class AsyncCursor(BaseCursor):
    """Made by :meth:`AsyncConnection.cursor`."""

    connection: AsyncConnection

    def __init__(self, connection: AsyncConnection, *, stream: bool = False) -> None:
        super().__init__(connection, stream=stream)
        self._stream: StreamState | None = None

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> AsyncCursor:
        self._check_open()
        await self._end_stream()
        self._reset()
        if self.stream:
            await self._open_stream(sql, params)
        else:
            self._load(await self.connection._run(sql, params))
        return self

    async def executemany(self, sql: str, seq_of_params: Iterable[Mapping[str, Any]]) -> None:
        """Chunked ``BatchExecuteStatement`` in one transaction; ``rowcount`` stays -1."""
        self._check_open()
        await self._end_stream()
        self._reset()
        await self.connection._run_many(sql, seq_of_params)

    async def fetchone(self) -> Row | None:
        rows = await self._fetch(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        return await self._fetch(self.arraysize if size is None else size)

    async def fetchall(self) -> list[Row]:
        return await self._fetch(None)

    def __aiter__(self) -> AsyncIterator[Row]:
        return self

    async def __anext__(self) -> Row:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def close(self) -> None:
        if self._closed:
            return
        try:
            if not self.connection.closed:
                await self._end_stream()
        finally:
            self._closed = True

    async def __aenter__(self) -> AsyncCursor:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.close()

    async def _fetch(self, size: int | None) -> list[Row]:
        self._check_result()
        if self._stream is None:
            return self._take(size)
        rows: list[Row] = []
        while size is None or len(rows) < size:
            if self._pos >= len(self._rows):
                if self._stream.exhausted:
                    break
                await self._next_page()
                continue
            rows.extend(self._take(None if size is None else size - len(rows)))
        if self._stream.exhausted and self._pos >= len(self._rows):
            await self._finish_stream()
        return rows

    async def _open_stream(self, sql: str, params: Mapping[str, Any] | None) -> None:
        conn = self.connection
        check_streamable(await conn.detect_engine())
        async with conn._lock:
            conn._check_open()
            prepared = await conn._prepared(sql, params)
            if prepared.control is not None:
                raise ProgrammingError("a streaming cursor runs a query, not a transaction verb")
            statement = single_statement(prepared.sql, "postgresql")
            state = StreamState(conn.stream_settings, conn._clock)
            declare = conn._execute_body(_pages.declare_sql(state.name, statement),
                                         prepared.params)  # fmt: skip
            state.implicit = conn._autocommit and conn._tx is None
            if state.implicit:
                state.tx = await conn._begin()
                conn._implicit.add(state.tx)
                await conn._statement("SET TRANSACTION READ ONLY", None, state.tx)
            else:
                state.tx = await conn._ensure_transaction()
            self._stream = state
            try:
                await conn._statement_body(declare, state.tx)
                await self._page(first=True)
            except Error:
                await self._abandon()
                raise

    async def _next_page(self) -> None:
        async with self.connection._lock:
            await self._page(first=False)

    async def _page(self, *, first: bool) -> None:
        state = self._stream
        assert state is not None
        conn = self.connection
        conn._check_open()
        if not state.implicit and conn.transaction_id != state.tx:
            await self._abandon()
            raise OperationalError(_TX_ENDED)
        try:
            if not state.implicit:  # any call in the transaction keeps it alive
                state.last_call = max(state.last_call, conn.last_activity)
            state.check_idle()
        except OperationalError:
            await self._abandon()
            raise
        asked = state.sizer.rows
        try:
            raw = await conn._statement(_pages.fetch_sql(state.name, asked), None, state.tx,
                                        metadata=first)  # fmt: skip
            result = conn._decode(raw)
        except Error:
            await self._abandon()
            raise
        self._delivered += self._pos
        self._rows = state.page(result, len(raw.content), asked)
        self._pos = 0
        if first:
            self.description = describe(result.columns[:-1])

    async def _finish_stream(self) -> None:
        state = self._stream
        if state is None or state.finished:
            return
        state.finished = True
        self.rowcount = state.total
        conn = self.connection
        conn._implicit.discard(state.tx or "")
        async with conn._lock:
            if state.tx is not None and (state.implicit or conn.transaction_id == state.tx):
                await conn._statement(_pages.close_sql(state.name), None, state.tx)
            if state.implicit and state.tx is not None:
                await conn._send("CommitTransaction", conn._client.calls.end(state.tx))

    async def _end_stream(self) -> None:
        state = self._stream
        if state is None:
            return
        if not state.finished:
            if state.exhausted:
                await self._finish_stream()
            else:
                async with self.connection._lock:
                    await self._abandon(close_cursor=True)
        self._stream = None

    async def _abandon(self, *, close_cursor: bool = False) -> None:
        """The caller holds the connection's lock."""
        state = self._stream
        if state is None or state.finished:
            return
        state.finished = True
        conn = self.connection
        conn._implicit.discard(state.tx or "")
        if state.tx is None or conn.closed:
            return
        if state.implicit:
            await conn._quiet_rollback(state.tx, raise_errors=False)
        elif close_cursor and conn.transaction_id == state.tx:
            await conn._statement(_pages.close_sql(state.name), None, state.tx)
