"""PostgreSQL's array output text -> nested lists of strings.

The service refuses multi-dimensional arrays in a result (F17b); the dialect
selects such a column as text (``{{a,b},{"c d",NULL}}``) and parses it here.
Elements stay strings (``None`` for an unquoted NULL); the column's item type
converts them afterwards.
"""

from __future__ import annotations

__all__ = ["parse_array"]


def parse_array(text: str) -> list[object]:
    """Parse one array literal as PostgreSQL prints it (no dimension decoration)."""
    if text.startswith("["):  # "[0:1]={...}": explicit bounds; the values are what count
        text = text[text.index("=") + 1 :]
    value, end = _parse(text, 0)
    if end != len(text):
        raise ValueError(f"trailing characters in array literal at {end}")
    return value


def _parse(text: str, pos: int) -> tuple[list[object], int]:
    if text[pos] != "{":
        raise ValueError(f"array literal expected '{{' at {pos}")
    items: list[object] = []
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char == "}":
            return items, pos + 1
        if char == ",":
            pos += 1
            continue
        if char == "{":
            nested, pos = _parse(text, pos)
            items.append(nested)
        elif char == '"':
            element, pos = _quoted(text, pos + 1)
            items.append(element)
        else:
            end = pos
            while text[end] not in ",}":
                end += 1
            word = text[pos:end]
            items.append(None if word == "NULL" else word)
            pos = end
    raise ValueError("unterminated array literal")


def _quoted(text: str, pos: int) -> tuple[str, int]:
    out = []
    while text[pos] != '"':
        if text[pos] == "\\":
            pos += 1
        out.append(text[pos])
        pos += 1
    return "".join(out), pos + 1
