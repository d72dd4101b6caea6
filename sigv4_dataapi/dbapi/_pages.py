"""Streaming pages: how many rows the next ``FETCH`` may ask for (no I/O here).

The Data API answers at most 1 MiB per call, and on Serverless v1 a call over the
limit ends the transaction, so a streaming cursor must predict, never probe
(dbapi-streaming-shell.md B.2, B.5 item 3):

- the first ``FETCH`` asks for ``first_rows`` rows (12 by default): as no row
  may exceed 64 KB, 12 rows stay under the budget whatever they hold;
- the cursor is declared over ``SELECT q.*, octet_length(q::text) FROM (<sql>) q``,
  so every row arrives with its own size as PostgreSQL prints it; the largest
  size seen so far, times the JSON expansion measured on the last page (response
  body bytes over the rows' printed bytes), is the per-row estimate;
- the next page is ``target / estimate`` rows, ``target = budget / safety``,
  growing at most ``growth``-fold per page and never above ``max_rows``.

So a page exceeds the budget only when its rows are, on average, larger than
``safety`` times the largest row seen before; the 1 MiB limit needs rows larger
still (``1 MiB / target``, about 1.4x with the defaults).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

KIB = 1024
SIZE_COLUMN = "__sigv4_row_bytes"
_ALIAS = "__sigv4_q"


@dataclass(frozen=True)
class StreamSettings:
    """The page sizing policy; each default with its reason."""

    budget: int = 900 * KIB  # response body bytes a page may reach: well under 1 MiB
    safety: float = 1.2  # target = budget / safety, the margin for unseen larger rows
    first_rows: int = 12  # 12 x 64 KB rows = 768 KiB: the first page stays in the budget
    growth: float = 4.0  # a page asks for at most 4x the rows of the previous one
    max_rows: int = 100_000  # bounds memory when rows are tiny
    idle_limit: float = 170.0  # seconds; the service drops a transaction idle for 180 s


class PageSizer:
    """Rows per ``FETCH`` from the sizes seen so far."""

    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        self.rows = settings.first_rows
        self.largest_row = 0  # largest printed row size seen (octet_length(q::text))
        self.expansion = 1.0  # response bytes per printed byte, last page
        self.largest_body = 0  # the largest response body so far, for tests and reports

    def observe(self, row_sizes: list[int], body_bytes: int) -> None:
        """Record one page: the rows' printed sizes and the response body's length."""
        self.largest_body = max(self.largest_body, body_bytes)
        if not row_sizes:
            return
        printed = sum(row_sizes) or 1
        self.largest_row = max(self.largest_row, max(row_sizes), 1)
        self.expansion = max(1.0, body_bytes / printed)
        self.rows = self._next(len(row_sizes))

    def _next(self, asked: int) -> int:
        settings = self.settings
        estimate = self.largest_row * self.expansion
        fits = math.floor(settings.budget / settings.safety / estimate)
        ceiling = min(settings.max_rows, max(1, math.floor(asked * settings.growth)))
        return max(1, min(fits, ceiling))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def declare_sql(cursor_name: str, sql: str) -> str:
    """``DECLARE`` over the user's query, each row carrying its printed size last."""
    return (
        f"DECLARE {quote_ident(cursor_name)} NO SCROLL CURSOR FOR "
        f"SELECT {_ALIAS}.*, octet_length({_ALIAS}::text) AS {SIZE_COLUMN} "
        f"FROM ({sql}\n) AS {_ALIAS}"
    )


def fetch_sql(cursor_name: str, rows: int) -> str:
    return f"FETCH FORWARD {int(rows)} FROM {quote_ident(cursor_name)}"


def close_sql(cursor_name: str) -> str:
    return f"CLOSE {quote_ident(cursor_name)}"
