"""``Cursor``: PEP 249 execute/fetch, plain or streaming.

A plain cursor holds the whole result of one call (at most 1 MiB, the service's
limit; a larger result raises ``ResultTooLargeError``). ``cursor(stream=True)``
on PostgreSQL declares a server-side cursor inside the transaction and fetches
it page by page, each page sized to stay under the limit (``_pages``); only the
current page is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sigv4_dataapi.dbapi import _pages
from sigv4_dataapi.dbapi._cursor_base import BaseCursor, StreamState, check_streamable, describe
from sigv4_dataapi.dbapi._statement import single_statement
from sigv4_dataapi.dbapi.errors import Error, OperationalError, ProgrammingError

if TYPE_CHECKING:
    from sigv4_dataapi.dbapi.connection import Connection

Row = tuple[Any, ...]
_TX_ENDED = (
    "the streaming cursor's transaction has ended (commit, rollback or an error); "
    "run the query again"
)


class Cursor(BaseCursor):
    """Made by :meth:`Connection.cursor`; rows are tuples, ``arraysize`` is 1."""

    connection: Connection

    def __init__(self, connection: Connection, *, stream: bool = False) -> None:
        super().__init__(connection, stream=stream)
        self._stream: StreamState | None = None

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Cursor:
        """Run one statement with ``:name`` parameters; returns the cursor."""
        self._check_open()
        self._end_stream()
        self._reset()
        if self.stream:
            self._open_stream(sql, params)
        else:
            self._load(self.connection._run(sql, params))
        return self

    def executemany(self, sql: str, seq_of_params: Iterable[Mapping[str, Any]]) -> None:
        """``BatchExecuteStatement`` in size-bounded chunks, all in one transaction.

        ``rowcount`` is -1 afterwards: the Batch API reports no counts.
        """
        self._check_open()
        self._end_stream()
        self._reset()
        self.connection._run_many(sql, seq_of_params)

    def fetchone(self) -> Row | None:
        rows = self._fetch(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[Row]:
        return self._fetch(self.arraysize if size is None else size)

    def fetchall(self) -> list[Row]:
        return self._fetch(None)

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def close(self) -> None:
        """Close the server-side cursor of a stream (if any); later use raises."""
        if self._closed:
            return
        try:
            if not self.connection.closed:
                self._end_stream()
        finally:
            self._closed = True

    def __enter__(self) -> Cursor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    # -- fetching ---------------------------------------------------------------------------

    def _fetch(self, size: int | None) -> list[Row]:
        self._check_result()
        if self._stream is None:
            return self._take(size)
        rows: list[Row] = []
        while size is None or len(rows) < size:
            if self._pos >= len(self._rows):
                if self._stream.exhausted:
                    break
                self._next_page()
                continue
            rows.extend(self._take(None if size is None else size - len(rows)))
        if self._stream.exhausted and self._pos >= len(self._rows):
            self._finish_stream()
        return rows

    # -- streaming ----------------------------------------------------------------------------

    def _open_stream(self, sql: str, params: Mapping[str, Any] | None) -> None:
        conn = self.connection
        check_streamable(conn.engine)
        prepared = conn._prepared(sql, params)
        if prepared.control is not None:
            raise ProgrammingError("a streaming cursor runs a query, not a transaction verb")
        statement = single_statement(prepared.sql, "postgresql")
        state = StreamState(conn.stream_settings, conn._clock)
        declare = conn._execute_body(_pages.declare_sql(state.name, statement), prepared.params)
        with conn._lock:
            conn._check_open()
            state.implicit = conn._autocommit and conn._tx is None
            if state.implicit:
                state.tx = conn._begin()
                conn._implicit.add(state.tx)
                conn._statement("SET TRANSACTION READ ONLY", None, state.tx)
            else:
                state.tx = conn._ensure_transaction()
            self._stream = state
            try:
                conn._statement_body(declare, state.tx)
                self._next_page(first=True)
            except Error:
                self._abandon()
                raise

    def _next_page(self, *, first: bool = False) -> None:
        state = self._stream
        assert state is not None
        conn = self.connection
        with conn._lock:
            conn._check_open()
            if not state.implicit and conn.transaction_id != state.tx:
                self._abandon()
                raise OperationalError(_TX_ENDED)
            if not state.implicit:  # any call in the transaction keeps it alive
                state.last_call = max(state.last_call, conn.last_activity)
            try:
                state.check_idle()
            except OperationalError:
                self._abandon()
                raise
            asked = state.sizer.rows
            body = _pages.fetch_sql(state.name, asked)
            try:
                raw = conn._statement(body, None, state.tx, metadata=first)
                result = conn._decode(raw)
            except Error:
                self._abandon()
                raise
            self._delivered += self._pos
            self._rows = state.page(result, len(raw.content), asked)
            self._pos = 0
            if first:
                self.description = describe(result.columns[:-1])

    def _finish_stream(self) -> None:
        """End of the result: ``CLOSE`` it, then commit the implicit read-only transaction."""
        state = self._stream
        if state is None or state.finished:
            return
        state.finished = True
        self.rowcount = state.total
        conn = self.connection
        conn._implicit.discard(state.tx or "")
        with conn._lock:
            if state.tx is not None and (state.implicit or conn.transaction_id == state.tx):
                conn._statement(_pages.close_sql(state.name), None, state.tx)
            if state.implicit and state.tx is not None:
                conn._send("CommitTransaction", conn._client.calls.end(state.tx))

    def _end_stream(self) -> None:
        """Before another execute or on close: release an unfinished stream."""
        state = self._stream
        if state is None:
            return
        if not state.finished:
            if state.exhausted:
                self._finish_stream()
            else:
                self._abandon(close_cursor=True)
        self._stream = None

    def _abandon(self, *, close_cursor: bool = False) -> None:
        """Stop streaming: roll back the implicit transaction, or CLOSE the cursor."""
        state = self._stream
        if state is None or state.finished:
            return
        state.finished = True
        conn = self.connection
        conn._implicit.discard(state.tx or "")
        if state.tx is None or conn.closed:
            return
        if state.implicit:
            conn._quiet_rollback(state.tx, raise_errors=False)
        elif close_cursor and conn.transaction_id == state.tx:
            conn._statement(_pages.close_sql(state.name), None, state.tx)
