"""The meta-command registry (litecli's ``special`` package, without globals).

A meta-command is a line starting with a backslash. Each entry names the
command, its aliases, its arguments for ``\\?`` and its handler; a handler
takes the session and the rest of the line and returns an
:class:`~sigv4_dataapi.shell.answer.Answer`. ``\\g``, ``\\G``, ``\\gx`` (send
the buffer) and ``\\e``/``\\r`` (the buffer itself) are the loop's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sigv4_dataapi.shell import meta_catalog, meta_io, meta_settings
from sigv4_dataapi.shell.answer import Answer
from sigv4_dataapi.shell.session import Session
from sigv4_dataapi.shell.special_base import MetaError

Handler = Callable[[Session, str], Answer]


@dataclass(frozen=True)
class Special:
    """One meta-command: ``\\name [args]``."""

    name: str
    args: str
    help: str
    handler: Handler | None  # None: handled by the loop (buffer commands)
    aliases: tuple[str, ...] = ()


def _help(session: Session, arg: str) -> Answer:
    rows = [(f"{c.name} {c.args}".rstrip(), c.help) for c in COMMANDS]
    return Answer("Meta-commands", rows, ("Command", "Description"), None)


COMMANDS: tuple[Special, ...] = (
    Special("\\q", "", "quit (also Ctrl-D)", meta_io.quit_shell, ("\\quit",)),
    Special("\\?", "", "this help", _help, ("\\h", "\\help")),
    Special("\\conninfo", "", "the cluster, database and endpoint in use", meta_settings.conninfo),
    Special(
        "\\c",
        "DBNAME",
        "connect to another database of the cluster",
        meta_io.connect,
        ("\\connect",),
    ),
    Special("\\l", "", "list databases", meta_catalog.list_databases, ("\\list",)),
    Special("\\dn", "[PATTERN]", "list schemas", meta_catalog.list_schemas),
    Special("\\dt", "[PATTERN]", "list tables", meta_catalog.list_tables),
    Special("\\dv", "[PATTERN]", "list views", meta_catalog.list_views),
    Special("\\di", "[PATTERN]", "list indexes", meta_catalog.list_indexes),
    Special(
        "\\d", "[NAME]", "describe a table, view or index (or list them all)", meta_catalog.describe
    ),
    Special("\\x", "[on|off|auto]", "expanded records", meta_settings.expanded),
    Special(
        "\\timing", "[on|off]", "wall time and Data API calls per statement", meta_settings.timing
    ),
    Special(
        "\\pset", "[null STR|format F|pager on|off|always]", "display options", meta_settings.pset
    ),
    Special(
        "\\set", "[FETCH_COUNT n]", "rows per page of a streamed result", meta_settings.set_variable
    ),
    Special("\\echo", "TEXT", "print TEXT", meta_settings.echo),
    Special("\\o", "[FILE]", "send results to FILE (alone: back to the screen)", meta_io.output_to),
    Special("\\i", "FILE", "run the statements in FILE", meta_io.include),
    Special(
        "\\e", "[FILE]", "edit the buffer (or the last statement) in $EDITOR, then run it", None
    ),
    Special("\\g", "", "run the buffer (\\G, \\gx: with expanded records)", None, ("\\G", "\\gx")),
    Special("\\r", "", "reset (clear) the buffer", None),
)

_BY_NAME = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}


def split_meta(line: str) -> tuple[str, str]:
    """``\\dt+ app.*`` -> (``\\dt``, ``app.*``); a ``+`` suffix is accepted and ignored."""
    text = line.strip()
    name, _, arg = text.partition(" ")
    if len(name) > 2 and name.endswith("+"):
        name = name[:-1]
    return name, arg.strip()


def find(name: str) -> Special:
    """The command called ``name`` (an unknown one is a usage error, as in psql)."""
    found = _BY_NAME.get(name)
    if found is None:
        raise MetaError(f"invalid command {name}. Try \\? for help.")
    return found


def names() -> list[str]:
    """Every name and alias, for completion."""
    return sorted(_BY_NAME)


__all__ = ["COMMANDS", "MetaError", "Special", "find", "names", "split_meta"]
