"""Streaming pages: how many rows the next ``FETCH`` may ask for (no I/O here).

The Data API answers at most 1 MiB per call, and on Serverless v1 a call over the
limit ends the transaction, so a streaming cursor must predict, never probe
(dbapi-streaming-shell.md B.2, B.5 item 3):

- the first ``FETCH`` asks for ``first_rows`` rows (12 by default): as no row
  may exceed 64 KB, 12 rows stay under the budget whatever they hold;
- the cursor is declared over ``SELECT q.*, octet_length(q::text) FROM (<sql>) q``,
  so every row arrives with its own size as PostgreSQL prints it, and each answer's
  body length gives the JSON expansion over those printed bytes;
- a page of ``n`` rows is predicted at ``n * mean + reserve * (largest - mean)``:
  the mean row (the larger of the last page's and the running one) plus room for
  ``reserve`` rows as large as the largest seen so far (that room taking at most
  half the target); ``n`` is the largest
  count whose prediction fits ``target = budget / safety``, growing at most
  ``growth``-fold per page and never above ``max_rows``. With uniform rows this
  is ``target / row``; with rare huge rows it does not collapse to ``target /
  largest`` (B.5's first rule, which made 250 pages of 3 MB in a test).

So a page exceeds the budget only when it holds more than ``reserve`` rows near
the largest size seen, beyond what the mean predicts, or when rows grow past
anything seen before; the 1 MiB limit needs more still (``1 MiB / target`` is
about 1.3 with the defaults). ``reserve = None`` gives the strict rule: every
row is assumed as large as the largest seen.
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
    safety: float = 1.125  # target = budget / safety = 800 KiB: room for unseen larger rows
    first_rows: int = 12  # 12 x 64 KB rows = 768 KiB: the first page stays in the budget
    growth: float = 4.0  # a page asks for at most 4x the rows of the previous one
    reserve: int | None = 4  # room for 4 rows as large as the largest seen; None: all of them
    max_rows: int = 100_000  # bounds memory when rows are tiny
    idle_limit: float = 170.0  # seconds; the service drops a transaction idle for 180 s


class PageSizer:
    """Rows per ``FETCH`` from the sizes seen so far."""

    def __init__(self, settings: StreamSettings) -> None:
        self.settings = settings
        self.rows = settings.first_rows
        self.largest_row = 0  # largest printed row size seen (octet_length(q::text))
        self.printed = 0  # printed bytes of all rows seen
        self.count = 0  # rows seen
        self.page_mean = 0.0  # printed bytes per row, last page
        self.expansion = 1.0  # response bytes per printed byte, last page
        self.largest_body = 0  # the largest response body so far, for tests and reports

    def observe(self, row_sizes: list[int], body_bytes: int) -> None:
        """Record one page: the rows' printed sizes and the response body's length."""
        self.largest_body = max(self.largest_body, body_bytes)
        if not row_sizes:
            return
        printed = max(1, sum(row_sizes))
        self.largest_row = max(self.largest_row, max(row_sizes), 1)
        self.printed += printed
        self.count += len(row_sizes)
        self.page_mean = printed / len(row_sizes)
        self.expansion = max(1.0, body_bytes / printed)
        self.rows = self._next(len(row_sizes))

    def _next(self, asked: int) -> int:
        settings = self.settings
        target = settings.budget / settings.safety / self.expansion  # in printed bytes
        largest = float(self.largest_row)
        mean = min(largest, max(self.page_mean, self.printed / self.count, 1.0))
        if settings.reserve is None:
            fits = math.floor(target / largest)
        else:
            room = target - min(settings.reserve * (largest - mean), target / 2)
            fits = math.floor(room / mean)
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
