"""The shell's settings: what ``\\x``, ``\\timing``, ``\\pset`` and ``\\set`` change.

One mutable object per session (psql's variables and ``\\pset`` options);
formatters read it, meta-commands write it.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("table", "csv", "tsv", "json", "unaligned")
EXPANDED = ("off", "on", "auto")
PAGER_MODES = ("on", "off", "always")
DEFAULT_FETCH_COUNT = 1000  # psql's usual FETCH_COUNT: enough rows to size the columns
DEFAULT_NULL = "<null>"  # visible, and unlike an empty string or the text NULL


@dataclass
class Settings:
    """Display settings; ``--output expanded`` is ``format="table", expanded="on"``."""

    format: str = "table"
    expanded: str = "off"
    timing: bool = False
    null: str = DEFAULT_NULL
    fetch_count: int = DEFAULT_FETCH_COUNT
    pager: str = "on"

    @classmethod
    def for_output(cls, output: str | None) -> Settings:
        """The settings the ``--output`` flag asks for."""
        if output == "expanded":
            return cls(format="table", expanded="on")
        return cls(format=output or "table")
