"""What every statement and meta-command produces, before any formatting.

The dbcli tools' shape (litecli's ``sqlexecute``, pgspecial): a handler returns
``(title, rows, headers, status)`` and one formatter prints it, so handlers are
testable without a terminal. ``rows`` may be an iterator (a streamed SELECT):
formatters consume it once, page by page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

Row = Sequence[Any]


class Answer(NamedTuple):
    """One result: an optional title line, rows under headers, a status line.

    No headers means no table (a meta-command that only changes a setting).
    """

    title: str | None
    rows: Iterable[Row]
    headers: Sequence[str]
    status: str | None


def status_only(status: str) -> Answer:
    """An answer that is a single line, such as ``Expanded display is on.``."""
    return Answer(None, (), (), status)
