"""``formatRecordsAs: JSON``: the result as one JSON string (reference F8).

One object per row keyed by column label; integers are numbers (strings with
``longReturnType=STRING``), decimals strings (numbers with ``DOUBLE_OR_LONG``),
blobs base64, arrays JSON arrays, doubles printed the way Java prints them
(``10.0``, ``1.0E7``, ``1.7976931348623157E308``).
"""

from __future__ import annotations

import base64
import json
import math
from decimal import Decimal

from sigv4_dataapi._server.api.fields import ResultOptions, decimal_number
from sigv4_dataapi._server.backends.base import Column, Value

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def java_double(value: float) -> str:
    """``Double.toString``: plain in [1e-3, 1e7), else ``d.dddE±n``; always a fraction digit."""
    if not math.isfinite(value):
        return _dumps("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    power = exponent + len(text) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def _value(value: Value, options: ResultOptions) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f'"{value}"' if options.long_as_string else str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Decimal):
        if not options.decimal_as_number:
            return _dumps(format(value, "f"))
        number = decimal_number(value)
        return str(number) if isinstance(number, int) else java_double(number)
    if isinstance(value, bytes):
        return _dumps(base64.b64encode(value).decode("ascii"))
    if isinstance(value, list):
        return "[" + ",".join(_value(v, options) for v in value) + "]"
    return _dumps(value)


def duplicate_label(columns: list[Column]) -> str | None:
    """The first label used twice (the service refuses such a JSON result)."""
    seen: set[str] = set()
    for column in columns:
        if column.label in seen:
            return column.label
        seen.add(column.label)
    return None


def format_records(columns: list[Column], rows: list[list[Value]], options: ResultOptions) -> str:
    """The ``formattedRecords`` string."""
    keys = [_dumps(column.label) + ":" for column in columns]
    objects = (
        "{" + ",".join(key + _value(v, options) for key, v in zip(keys, row, strict=True)) + "}"
        for row in rows
    )
    return "[" + ",".join(objects) + "]"
