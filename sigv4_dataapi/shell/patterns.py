"""psql name patterns (``\\dt app.user*``) as SQL ``LIKE`` conditions, literals quoted.

Catalog queries embed the pattern as a quoted literal rather than a bind
parameter so the same text runs on either engine whatever the DB-API's
paramstyle; :func:`literal` quotes for the engine (MySQL reads backslashes
in string literals as escapes, PostgreSQL does not).
"""

from __future__ import annotations

from typing import NamedTuple


class NamePattern(NamedTuple):
    """``schema.name`` split; each part a LIKE pattern or None (any)."""

    schema: str | None
    name: str | None


def parse_pattern(text: str, *, fold: bool) -> NamePattern:
    """psql's rules: ``*`` any text, ``?`` one character, ``"Quoted"`` keeps case.

    ``fold``: unquoted letters fold to lower case (PostgreSQL identifiers).
    """
    text = text.strip()
    if not text:
        return NamePattern(None, None)
    parts = _split_dot(text)
    likes = [_like(p, fold=fold) for p in parts]
    if len(likes) == 1:
        return NamePattern(None, likes[0])
    return NamePattern(likes[-2], likes[-1])


def _split_dot(text: str) -> list[str]:
    """Split on dots outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _like(part: str, *, fold: bool) -> str | None:
    out, quoted, i = [], False, 0
    while i < len(part):
        char = part[i]
        i += 1
        if char == '"':
            if quoted and part[i : i + 1] == '"':
                out.append('"')
                i += 1
            else:
                quoted = not quoted
            continue
        if not quoted and char == "*":
            out.append("%")
        elif not quoted and char == "?":
            out.append("_")
        elif char in "\\%_":
            out.append("\\" + char)
        else:
            out.append(char.lower() if fold and not quoted else char)
    text = "".join(out)
    return None if text in ("", "%") else text


def literal(text: str, *, mysql: bool) -> str:
    """``text`` as an SQL string literal for the engine."""
    if mysql:
        text = text.replace("\\", "\\\\")
    return "'" + text.replace("'", "''") + "'"


def like_condition(column: str, pattern: str | None, *, mysql: bool) -> str:
    """`` AND column LIKE '...'`` or nothing when the pattern matches everything."""
    if pattern is None:
        return ""
    return f" AND {column} LIKE {literal(pattern, mysql=mysql)}"
