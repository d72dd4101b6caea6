"""How one value reads in a cell, and how wide it is on a terminal.

psql's habits: a visible NULL marker (``\\pset null``), ``\\x`` hex for bytes,
control characters escaped so a value never breaks the table's lines. Width
counts East Asian wide characters as two columns and combining marks as none.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import Decimal
from typing import Any

_ESCAPES = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def cell_text(value: Any, null: str) -> str:
    """The text of ``value`` in an aligned or expanded table."""
    return plain_text(value, null).translate(_ESCAPES)


def plain_text(value: Any, null: str) -> str:
    """The text of ``value`` as is (CSV and unaligned output keep newlines)."""
    if value is None:
        return null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def is_numeric(value: Any) -> bool:
    """Numbers align right, as in psql."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` columns (never cut: a long value overflows)."""
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def json_value(value: Any) -> Any:
    """A JSON-ready form: exact decimals and dates as strings, bytes as ``\\x`` hex."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return plain_text(value, "")
