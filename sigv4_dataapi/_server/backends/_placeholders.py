"""The Data API's ``:name`` placeholders, rewritten to the drivers' ``%s`` and bound.

The service hands SQL with ``:name`` placeholders to a JDBC driver through
Spring-style named parameters: every occurrence is its own positional
parameter (``:a ... :a`` binds twice), and a ``:name`` inside a string,
quoted identifier or comment is text. Both drivers here (psycopg, PyMySQL)
take ``%s``, so a literal ``%`` outside a placeholder is doubled.

On PostgreSQL the service's scanner has two quirks, checked live (reference
F17b) and reproduced here: it does not know dollar quotes, so a ``:name``
inside ``$$...$$`` is substituted (``SELECT $$a :b c$$`` answers ``a $1 c``),
and a name may start with a digit, so the array slice ``a[1:2]`` holds a
parameter ``:2``. docs/local-endpoint-fidelity.md lists them.

Each engine has its own lexical rules, expressed as one token pattern;
unterminated quotes run to the end so the server, not this scanner, reports
them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sigv4_dataapi._server.backends.base import EngineError, Param

__all__ = [
    "BoundStatement",
    "RewrittenSql",
    "bind",
    "numbered_postgres",
    "rewrite_mysql",
    "rewrite_postgres",
]

# PostgreSQL: strings (also E'' with backslash escapes), quoted identifiers,
# comments (block comments nest) and ``::`` casts. Identifiers are matched
# whole so that ``a$b`` or ``E`` inside a word starts nothing. No dollar
# quotes, and ``:2`` is a parameter: the service's own quirks (F17b).
_PG_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*)
    | (?P<block>/\*)
    | (?P<estring>(?<![\w$])[eE]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'?)
    | (?P<ident>[^\W\d][\w$]*)
    | (?P<string>'[^']*(?:''[^']*)*'?)
    | (?P<quoted>"[^"]*(?:""[^"]*)*"?)
    | (?P<cast>::)
    | (?P<param>:\w+)
    | (?P<percent>%)
    """,
    re.VERBOSE | re.DOTALL,
)
_BLOCK_EDGE = re.compile(r"/\*|\*/")

# MySQL: '#' and '-- ' comments, /* */ comments, '...' and "..." strings with
# backslash escapes, `quoted` identifiers.
_MY_TOKEN = re.compile(
    r"""
      (?P<comment>(?:\#|--(?=\s|$))[^\n]*)
    | (?P<block>/\*.*?(?:\*/|\Z))
    | (?P<string>'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'?)
    | (?P<dstring>"[^"\\]*(?:(?:\\.|"")[^"\\]*)*"?)
    | (?P<quoted>`[^`]*(?:``[^`]*)*`?)
    | (?P<param>:[^\W\d]\w*)
    | (?P<percent>%)
    """,
    re.VERBOSE | re.DOTALL,
)

TokenEnd = Callable[[str, re.Match[str]], int]  # where the token at a match ends


@dataclass(frozen=True)
class RewrittenSql:
    """``sql`` with ``:name`` replaced by ``%s``; ``names`` in placeholder order."""

    text: str
    names: tuple[str, ...]


class BoundStatement:
    """What to hand the driver's ``execute``: the query and its positional arguments.

    A plain slotted class, not a frozen dataclass: one is built per statement
    and per batch set, where a frozen dataclass's ``__init__`` costs twice as much.
    """

    __slots__ = ("args", "query")

    def __init__(self, query: str, args: list[Any] | None) -> None:
        self.query = query
        self.args = args  # None: no placeholders, the SQL goes as written ('%' untouched)


@lru_cache(maxsize=512)
def rewrite_postgres(sql: str) -> RewrittenSql:
    """``:name`` → ``%s`` under PostgreSQL's lexical rules (for psycopg)."""
    return _rewrite(sql, _PG_TOKEN, _pg_token_end)


def numbered_postgres(sql: str) -> str:
    """``:name`` → ``$1``, ``$2``...: the text the service hands PostgreSQL (F13, F17b)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.lastgroup != "param":
            return match.group()
        count += 1
        return f"${count}"

    out: list[str] = []
    pos = 0
    while (match := _PG_TOKEN.search(sql, pos)) is not None:
        end = _pg_token_end(sql, match)
        out.append(sql[pos : match.start()] + number(match) + sql[match.end() : end])
        pos = end
    out.append(sql[pos:])
    return "".join(out)


@lru_cache(maxsize=512)
def rewrite_mysql(sql: str) -> RewrittenSql:
    """``:name`` → ``%s`` under MySQL's lexical rules (for PyMySQL)."""
    return _rewrite(sql, _MY_TOKEN, lambda _sql, match: match.end())


def bind(
    sql: str,
    params: Sequence[Param],
    *,
    rewrite: Callable[[str], RewrittenSql],
    convert: Callable[[Param], Any],
    missing: Callable[[int], EngineError],
) -> BoundStatement:
    """Match each placeholder to its parameter, in order.

    ``convert`` turns a Param into the driver's value (type hints); ``missing``
    is the engine's error for the 1-based index of a placeholder nobody gave.
    """
    rewritten = rewrite(sql)
    if not rewritten.names:
        return BoundStatement(sql, None)  # the drivers look at '%' only when given args
    given = {param.name: param for param in params}
    args: list[Any] = []
    for index, name in enumerate(rewritten.names, start=1):
        param = given.get(name)
        if param is None:
            raise missing(index)
        args.append(convert(param))
    return BoundStatement(rewritten.text, args)


def _rewrite(sql: str, tokens: re.Pattern[str], token_end: TokenEnd) -> RewrittenSql:
    """Copy ``sql``, replacing each ``param`` token and escaping '%' in the others."""
    out: list[str] = []
    names: list[str] = []
    pos = 0
    while (match := tokens.search(sql, pos)) is not None:
        out.append(sql[pos : match.start()])
        if match.lastgroup == "param":
            names.append(match.group()[1:])
            out.append("%s")
            pos = match.end()
            continue
        pos = token_end(sql, match)
        out.append(sql[match.start() : pos].replace("%", "%%"))
    out.append(sql[pos:])
    return RewrittenSql("".join(out), tuple(names))


def _pg_token_end(sql: str, match: re.Match[str]) -> int:
    """Where a token ends: block comments run past the match."""
    if match.lastgroup == "block":
        return _block_comment_end(sql, match.start())
    return match.end()


def _block_comment_end(sql: str, start: int) -> int:
    """End of the (nestable, in PostgreSQL) comment opening at ``start``."""
    depth, pos = 0, start
    for edge in _BLOCK_EDGE.finditer(sql, start):
        depth += 1 if edge.group() == "/*" else -1
        pos = edge.end()
        if depth == 0:
            return pos
    return len(sql)
