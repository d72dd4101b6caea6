"""Python lists -> escaped PostgreSQL array literals, for ``CAST(:p AS T[])``.

The Data API binds scalar parameters only (F11, peers.md §3.4): every peer
improvises (``string_to_array`` with no escaping, ``ARRAY[...]`` rewrites). A
literal with every element quoted and escaped, cast in the SQL, is the one
form that keeps any content intact; the tests prove it against PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sigv4_dataapi._codec.encode import double_value, hinted_text, implied_hint
from sigv4_dataapi._errors import ConfigurationError


def pg_array_literal(values: Iterable[object]) -> str:
    """An escaped PostgreSQL array literal for ``CAST(:p AS T[])``.

    ``[1, None, "a,b"]`` -> ``{"1",NULL,"a,b"}``. Every non-NULL element is
    double-quoted with ``\\`` and ``"`` escaped, so no content (commas,
    braces, the word NULL, blanks) can change the array's shape; nested lists
    become multi-dimensional arrays and must be rectangular.
    """
    return _pg_array(list(values), "values")


def _pg_array(items: list[object], where: str) -> str:
    parts = []
    for index, item in enumerate(items):
        if isinstance(item, (list, tuple)):
            parts.append(_pg_array(list(item), f"{where}[{index}]"))
        else:
            parts.append(_pg_element(item, f"{where}[{index}]"))
    _check_rectangular(items, where)
    return "{" + ",".join(parts) + "}"


def _check_rectangular(items: list[object], where: str) -> None:
    nested = [isinstance(item, (list, tuple)) for item in items]
    if any(nested) and not all(nested):
        raise ConfigurationError(f"{where}: mixes arrays and scalars (arrays must nest evenly)")
    if any(nested) and len({len(item) for item in items}) > 1:  # type: ignore[arg-type]
        raise ConfigurationError(f"{where}: sub-arrays differ in length (PostgreSQL needs equal)")


def _pg_element(item: object, where: str) -> str:
    if item is None:
        return "NULL"
    if isinstance(item, bool):
        return "t" if item else "f"
    if isinstance(item, (bytes, bytearray, memoryview)):
        text = "\\x" + bytes(item).hex()
    elif isinstance(item, float):
        text = repr(item) if math.isfinite(item) else str(double_value(item))
    elif isinstance(item, str):
        text = item
    else:
        text = _element_text(item, where)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _element_text(item: object, where: str) -> str:
    if isinstance(item, int):
        return str(item)
    hint = implied_hint(item)
    if hint is None or isinstance(item, list):
        raise ConfigurationError(f"{where}: cannot put a {type(item).__name__} in an array literal")
    return hinted_text(item, hint, where)
