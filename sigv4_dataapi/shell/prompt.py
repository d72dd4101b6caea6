"""The prompt, psql's ``%/%R%x%# `` without the superuser sign.

``test=> `` idle, ``test=*> `` in a transaction, ``test=!> `` after a failed
statement inside one; the continuation prompt swaps ``=`` for what is open:
``-`` an unterminated statement, ``'`` ``"`` `` ` `` ``$`` a quote, ``(`` a
parenthesis, ``/`` a ``/* */`` comment (psql shows ``*`` there, which would
read as "in a transaction"). While a transaction is open the prompt also shows
how long it has been idle, since the Data API ends it after 3 minutes.
"""

from __future__ import annotations

from sigv4_dataapi._sqltext import ScanState

IDLE = ""
OPEN = "*"
FAILED = "!"

_OPEN_SIGNS = {"'": "'", "E'": "'", '"': '"', "`": "`", "/*": "/"}


def continuation_sign(state: ScanState) -> str:
    """What psql's ``%R`` shows for a buffer that is not yet a statement."""
    if state.open.startswith("$"):
        return "$"
    if state.open:
        return _OPEN_SIGNS.get(state.open, "-")
    return "(" if state.paren_depth else "-"


def prompt(
    database: str,
    transaction: str = IDLE,
    *,
    state: ScanState | None = None,
    idle_seconds: float | None = None,
) -> str:
    """The prompt for the next line; ``state`` is the buffer's when it is not empty."""
    sign = "=" if state is None else continuation_sign(state)
    idle = f"[{idle_seconds:.0f}s]" if transaction and idle_seconds is not None else ""
    return f"{database}{idle}{sign}{transaction}> "
