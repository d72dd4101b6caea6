"""Statement history in the XDG state directory, deduplicated and capped.

The file is ``$XDG_STATE_HOME/sigv4-dataapi/shell_history`` (else
``~/.local/state/...``), one JSON string per line so a multi-line statement
stays one entry. Adding an entry drops any earlier identical one (bash's
``erasedups``) and the oldest entries beyond the cap. readline, when present,
gets the same entries for Up/Down; without it the history is still kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_SIZE = 2000  # entries kept (psql's HISTSIZE is 500; statements here are cheap)
FILE_NAME = "shell_history"


def history_path(env: Mapping[str, str]) -> Path:
    """Where the history lives (XDG Base Directory: state data)."""
    base = env.get("XDG_STATE_HOME") or ""
    if not base or not os.path.isabs(base):
        base = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "state")
    return Path(base) / "sigv4-dataapi" / FILE_NAME


class History:
    """The entries, the file, and readline's copy of them."""

    def __init__(self, path: Path, *, size: int = DEFAULT_SIZE, readline: Any = None) -> None:
        self.path = path
        self.size = max(1, size)
        self.readline = readline
        self.entries: list[str] = []

    def load(self) -> None:
        """Read the file (a missing or damaged file is an empty history)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, str):
                self._remember(entry)
        self._sync_readline()

    def add(self, entry: str) -> None:
        entry = entry.strip()
        if not entry:
            return
        self._remember(entry)
        self._sync_readline()

    def _remember(self, entry: str) -> None:
        if entry in self.entries:
            self.entries.remove(entry)
        self.entries.append(entry)
        del self.entries[: -self.size]

    def _sync_readline(self) -> None:
        if self.readline is None:
            return
        self.readline.clear_history()
        for entry in self.entries:
            self.readline.add_history(entry)

    def save(self) -> None:
        """Write the file (private: statements may hold data), quietly if it cannot."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries)
            os.replace(tmp, self.path)
        except OSError:
            pass
