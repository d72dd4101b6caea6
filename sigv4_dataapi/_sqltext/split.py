"""Just enough SQL lexing to find statement boundaries (reference F7).

v2 refuses several statements in one ``sql``; the deprecated ``ExecuteSql``
runs ``;``-separated statements one by one. A ``;`` only ends a statement
outside quotes (``'..'``, ``".."``, `` `..` ``), comments (``--``, ``#`` is
left alone, ``/* */``) and PostgreSQL dollar quotes (``$tag$..$tag$``).
"""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _skip_quoted(sql: str, start: int, quote: str) -> int:
    """Index after the closing ``quote`` (a doubled quote is an escaped one)."""
    index = start + 1
    while True:
        end = sql.find(quote, index)
        if end < 0:
            return len(sql)
        if sql.startswith(quote, end + 1):
            index = end + 2
            continue
        if quote == "'" and _backslash_escaped(sql, start + 1, end):
            index = end + 1
            continue
        return end + 1


def _backslash_escaped(sql: str, begin: int, end: int) -> bool:
    count = 0
    while end - 1 - count >= begin and sql[end - 1 - count] == "\\":
        count += 1
    return count % 2 == 1


def _skip(sql: str, index: int) -> int:
    """If a quoted string, comment or dollar quote starts at ``index``, its end; else -1."""
    char = sql[index]
    if char in "'\"`":
        return _skip_quoted(sql, index, char)
    if sql.startswith("--", index):
        end = sql.find("\n", index)
        return len(sql) if end < 0 else end + 1
    if sql.startswith("/*", index):
        end = sql.find("*/", index + 2)
        return len(sql) if end < 0 else end + 2
    if char == "$":
        match = _DOLLAR_TAG.match(sql, index)
        if match:
            end = sql.find(match.group(0), match.end())
            return len(sql) if end < 0 else end + len(match.group(0))
    return -1


def split_statements(sql: str) -> list[str]:
    """The statements of ``sql``, each without its ``;``; blank ones dropped."""
    statements: list[str] = []
    start = index = 0
    while index < len(sql):
        if sql[index] == ";":
            statements.append(sql[start:index])
            start = index = index + 1
            continue
        end = _skip(sql, index)
        index = end if end >= 0 else index + 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(piece: str) -> bool:
    """True when ``piece`` holds more than whitespace and comments."""
    index = 0
    while index < len(piece):
        if piece[index].isspace():
            index += 1
            continue
        if piece.startswith(("--", "/*"), index):
            index = _skip(piece, index)
            continue
        return True
    return False


def is_multistatement(sql: str) -> bool:
    """More than one statement (a single trailing ``;`` is fine: ``show tables;``)."""
    if ";" not in sql:
        return False
    return len(split_statements(sql)) > 1
