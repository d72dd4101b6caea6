"""What meta-command handlers share: their usage error and argument splitting."""

from __future__ import annotations

import shlex


class MetaError(Exception):
    """A meta-command used wrongly: one line, exit status 2 in batch mode."""

    exit_status = 2


def words(arg: str) -> list[str]:
    """Arguments split like psql's: quotes group, ``''`` is an empty argument."""
    try:
        return shlex.split(arg)
    except ValueError as exc:
        raise MetaError(f"bad quoting: {exc}") from None
