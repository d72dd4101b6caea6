"""``iter_keyset``: read a MySQL (or any) table past the 1 MiB limit, page by key.

MySQL has no server-side cursor reachable through the Data API, so the rows are
read in key order, each page starting after the last key seen
(dbapi-streaming-shell.md B.5 item 8)::

    SELECT <columns>, k1, k2 FROM <table>
    WHERE (<where>) AND ((k1 > :k0) OR (k1 = :k0 AND k2 > :k1))
    ORDER BY k1, k2 LIMIT n

``key_columns`` must be unique and NOT NULL: then every row comes exactly once, in
key order, even with concurrent inserts. ``None`` means the table's primary key,
read from ``information_schema`` (``KEY_COLUMN_USAGE``) with one query. ``n``
follows the streaming cursor's byte budget (``_pages.PageSizer``), estimated
from the response bytes per row of the pages so far (no per-row sizes here, so
the safety margin is 2). Each page is a statement on the connection: inside its
transaction unless ``autocommit``, so the 3-minute idle rule applies between pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from sigv4_dataapi.dbapi._pages import KIB, PageSizer, StreamSettings
from sigv4_dataapi.dbapi.errors import ProgrammingError

DEFAULT_PAGE_BYTES = 768 * KIB
_KEY = "__sigv4_key"


def _as_list(value: str | Sequence[str], what: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ProgrammingError(f"{what} must be a column name or a non-empty list of them")
    return items


class KeysetQuery:
    """The SQL and parameters of each page (no I/O)."""

    def __init__(
        self, table: str, key_columns: str | Sequence[str], where: str | None,
        params: Mapping[str, Any] | None, columns: str | Sequence[str],
    ) -> None:  # fmt: skip
        self.keys = _as_list(key_columns, "key_columns")
        cols = columns if isinstance(columns, str) else ", ".join(_as_list(columns, "columns"))
        extra = ", ".join(f"{k} AS {_KEY}{i}" for i, k in enumerate(self.keys))
        self.head = f"SELECT {cols}, {extra} FROM {table}"
        self.where = where
        self.params = dict(params or {})
        clash = [name for name in self.params if name.startswith(_KEY)]
        if clash:
            raise ProgrammingError(f"parameter names starting {_KEY} are reserved: {clash}")
        self.order = ", ".join(self.keys)

    def sql(self, after: Sequence[Any] | None, rows: int) -> tuple[str, dict[str, Any]]:
        conditions = [f"({self.where})"] if self.where else []
        params = dict(self.params)
        if after is not None:
            ors = []
            for i in range(len(self.keys)):
                equal = [f"{self.keys[j]} = :{_KEY}{j}" for j in range(i)]
                ors.append("(" + " AND ".join([*equal, f"{self.keys[i]} > :{_KEY}{i}"]) + ")")
            conditions.append("(" + " OR ".join(ors) + ")")
            params.update({f"{_KEY}{i}": value for i, value in enumerate(after)})
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"{self.head}{where} ORDER BY {self.order} LIMIT {int(rows)}", params

    def split(self, row: Sequence[Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """(the row as asked for, its key values)."""
        cut = len(row) - len(self.keys)
        return tuple(row[:cut]), tuple(row[cut:])


_PK = {
    "mysql": (
        "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = "
        "{schema} AND TABLE_NAME = :table AND CONSTRAINT_NAME = 'PRIMARY' "
        "ORDER BY ORDINAL_POSITION",
        "DATABASE()",
    ),
    "postgresql": (
        "SELECT kcu.column_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON tc.constraint_name = "
        "kcu.constraint_name AND tc.table_schema = kcu.table_schema AND tc.table_name = "
        "kcu.table_name WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name = :table "
        "AND tc.table_schema = {schema} ORDER BY kcu.ordinal_position",
        "current_schema()",
    ),
}


def primary_key_query(table: str, engine: str) -> tuple[str, dict[str, Any]]:
    """The query listing ``table``'s primary key columns, in key order."""
    parts = [p.strip().strip('"`') for p in table.split(".")]
    sql, default_schema = _PK[engine]
    params: dict[str, Any] = {"table": parts[-1]}
    schema = default_schema
    if len(parts) > 1:
        params["schema"] = parts[-2]
        schema = ":schema"
    return sql.format(schema=schema), params


def _key_or_raise(found: list[tuple[Any, ...]], table: str) -> list[str]:
    if not found:
        raise ProgrammingError(f"{table} has no primary key to page by; pass key_columns")
    return [str(row[0]) for row in found]


def _sizer(page_bytes: int) -> PageSizer:
    return PageSizer(StreamSettings(budget=page_bytes, safety=2.0))


def _observe(sizer: PageSizer, rows: int, body_bytes: int) -> None:
    if rows:
        sizer.observe([max(1, body_bytes // rows)] * rows, body_bytes)


def iter_keyset(
    conn: Any,
    table: str,
    key_columns: str | Sequence[str] | None,
    where: str | None = None,
    params: Mapping[str, Any] | None = None,
    columns: str | Sequence[str] = "*",
    page_bytes: int = DEFAULT_PAGE_BYTES,
) -> Iterator[tuple[Any, ...]]:
    """Every row of ``table`` (matching ``where``) once, in key order, page by page."""
    cursor = conn.cursor()
    if key_columns is None:
        cursor.execute(*primary_key_query(table, conn.engine))
        key_columns = _key_or_raise(cursor.fetchall(), table)
    query = KeysetQuery(table, key_columns, where, params, columns)
    sizer = _sizer(page_bytes)
    after: tuple[Any, ...] | None = None
    while True:
        asked = sizer.rows
        sql, values = query.sql(after, asked)
        calls = conn.call_count
        cursor.execute(sql, values)
        rows = cursor.fetchall()
        _observe(sizer, len(rows), conn.last_response_bytes if conn.call_count > calls else 0)
        for row in rows:
            data, after = query.split(row)
            yield data
        if len(rows) < asked:
            return


async def aiter_keyset(
    conn: Any,
    table: str,
    key_columns: str | Sequence[str] | None,
    where: str | None = None,
    params: Mapping[str, Any] | None = None,
    columns: str | Sequence[str] = "*",
    page_bytes: int = DEFAULT_PAGE_BYTES,
) -> AsyncIterator[tuple[Any, ...]]:
    """``iter_keyset`` on an ``AsyncConnection``: ``async for row in aiter_keyset(...)``."""
    cursor = conn.cursor()
    if key_columns is None:
        await cursor.execute(*primary_key_query(table, await conn.detect_engine()))
        key_columns = _key_or_raise(await cursor.fetchall(), table)
    query = KeysetQuery(table, key_columns, where, params, columns)
    sizer = _sizer(page_bytes)
    after: tuple[Any, ...] | None = None
    while True:
        asked = sizer.rows
        sql, values = query.sql(after, asked)
        calls = conn.call_count
        await cursor.execute(sql, values)
        rows = await cursor.fetchall()
        _observe(sizer, len(rows), conn.last_response_bytes if conn.call_count > calls else 0)
        for row in rows:
            data, after = query.split(row)
            yield data
        if len(rows) < asked:
            return
