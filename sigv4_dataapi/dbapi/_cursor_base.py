"""What the sync and async cursors share: description, rowcount, buffered rows, streams.

``description`` has PEP 249's 7-tuples: ``(label, type_code, None, None,
precision, scale, null_ok)`` where ``null_ok`` is True/False/None from JDBC
nullability 1/0/2 and ``type_code`` the lower-case ``typeName`` (``types``).
Rows are tuples.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from typing import Any

from sigv4_dataapi.dbapi import _pages
from sigv4_dataapi.dbapi._errormap import IDLE_RULE
from sigv4_dataapi.dbapi.errors import (
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from sigv4_dataapi.dbapi.types import type_code

Description = tuple[tuple[Any, ...], ...]
_NULL_OK = {0: False, 1: True}

KEYSET_ADVICE = (
    "MySQL has no server-side cursor over the Data API: page by key with "
    "dbapi.iter_keyset(conn, table, key_columns, where=None, params=None, columns='*', "
    "page_bytes=...)"
)


def describe(columns: Sequence[Any]) -> Description:
    """PEP 249 ``description`` from ``ColumnMetadata`` entries (cached per column set).

    The decoder hands every result of a statement the same ``columns`` tuple, so
    that tuple's identity finds its description before hashing each column does
    (a dataclass hashes in Python: ~0.5 us a column). The entry holds the tuple,
    so its id cannot be reused while the entry lives.
    """
    known = _BY_IDENTITY.get(id(columns))
    if known is not None and known[0] is columns:
        return known[1]
    description = _describe(tuple(columns))
    if isinstance(columns, tuple):
        if len(_BY_IDENTITY) >= _IDENTITY_SIZE:
            _BY_IDENTITY.clear()
        _BY_IDENTITY[id(columns)] = (columns, description)
    return description


_IDENTITY_SIZE = 256
_BY_IDENTITY: dict[int, tuple[tuple[Any, ...], Description]] = {}


@functools.lru_cache(maxsize=256)
def _describe(columns: tuple[Any, ...]) -> Description:
    return tuple(
        (c.label or c.name, type_code(c.type_name, c.type), None, None,
         c.precision or None, c.scale if c.precision else None, _NULL_OK.get(c.nullable))
        for c in columns
    )  # fmt: skip


class BaseCursor:
    """State and buffered fetching common to ``Cursor`` and ``AsyncCursor``."""

    def __init__(self, connection: Any, *, stream: bool = False) -> None:
        self.connection = connection
        self.stream = stream
        self.arraysize = 1
        self._closed = False
        self._reset()

    def _reset(self) -> None:
        self.description: Description | None = None
        self.rowcount = -1
        self.lastrowid: Any = None
        self._rows: list[list[Any]] = []
        self._pos = 0
        self._delivered = 0  # rows handed out before the current page (streams)

    @property
    def rownumber(self) -> int | None:
        """0-based index of the next row in the result set; None without one."""
        return None if self.description is None else self._delivered + self._pos

    @property
    def closed(self) -> bool:
        return self._closed

    def setinputsizes(self, sizes: object) -> None:
        """No-op (PEP 249 allows it): parameters carry their own types."""

    def setoutputsize(self, size: object, column: object = None) -> None:
        """No-op (PEP 249 allows it)."""

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        if self.connection.closed:
            raise InterfaceError("the connection is closed")

    def _check_result(self) -> None:
        self._check_open()
        if self.description is None:
            raise ProgrammingError("no result set: the last statement returned no rows "
                                   "(or nothing was executed)")  # fmt: skip

    def _load(self, result: Any) -> None:
        """A plain (non-streaming) statement's result."""
        self._reset()
        if result is None:
            return
        if result.columns:
            self.description = describe(result.columns)
            self._rows = result.records
            self.rowcount = len(self._rows)
        else:
            self.rowcount = result.number_of_records_updated
        generated = result.generated_fields
        self.lastrowid = generated[0] if generated else None

    def _take(self, size: int | None) -> list[tuple[Any, ...]]:
        """Up to ``size`` rows from the buffered page (all of them for None)."""
        start = self._pos
        end = len(self._rows) if size is None else min(len(self._rows), start + size)
        self._pos = end
        return [tuple(row) for row in self._rows[start:end]]


class StreamState:
    """One PostgreSQL cursor being read page by page (the I/O is the caller's)."""

    def __init__(self, settings: _pages.StreamSettings, clock: Any) -> None:
        self.name = "sigv4_stream_" + secrets.token_hex(6)
        self.sizer = _pages.PageSizer(settings)
        self.settings = settings
        self.clock = clock
        self.tx: str | None = None
        self.implicit = False
        self.exhausted = False
        self.finished = False
        self.last_call = clock()
        self.total = 0

    def check_idle(self) -> None:
        idle = self.clock() - self.last_call
        if idle > self.settings.idle_limit:
            raise OperationalError(
                f"the streaming cursor was idle {idle:.0f} s, too close to the Data API's "
                f"3-minute limit: {IDLE_RULE}; the cursor is lost, run the query again"
            )

    def page(self, result: Any, body_bytes: int, asked: int) -> list[list[Any]]:
        """Strip each row's size column, feed the sizer, note the end of the result."""
        rows = result.records
        sizes = [row.pop() for row in rows]
        self.sizer.observe([int(s or 0) for s in sizes], body_bytes)
        self.last_call = self.clock()
        self.total += len(rows)
        if len(rows) < asked:
            self.exhausted = True
        return rows  # type: ignore[no-any-return]


def check_streamable(engine: str) -> None:
    if engine != "postgresql":
        raise NotSupportedError(f"cursor(stream=True) needs PostgreSQL; {KEYSET_ADVICE}")
