"""Round trips: Python value -> Field (as we send it) -> response -> Python value.

The response carries the Field back with the column type the database would
report for the parameter's hint, and the service's own text habits applied
(trailing zeros of fractions trimmed, F9), so the decoder is held to the same
values the encoder was given.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._codec.decode import parse_execute_response
from sigv4_dataapi._codec.encode import LONG_MAX, LONG_MIN, sql_parameter

# the column type a database reports for each hint (PostgreSQL names)
HINT_COLUMN = {
    None: ("text", 12),
    "DECIMAL": ("numeric", 2),
    "DATE": ("date", 91),
    "TIME": ("time", 92),
    "TIMESTAMP": ("timestamp", 93),
    "JSON": ("jsonb", 1111),
    "UUID": ("uuid", 1111),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(LONG_MIN, LONG_MAX) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(LONG_MIN, LONG_MAX),
    st.floats(),
    st.text(),
    st.binary(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.uuids(),
    st.dictionaries(st.text(), json_values, max_size=4),
    st.lists(json_values, max_size=4),
)


def service_text(text: str) -> str:
    """The service trims trailing zeros of fractional seconds (F9, peers.md §3.5)."""
    return re.sub(r"(\d\d:\d\d:\d\d)\.(\d*?)0+$", lambda m: f"{m[1]}.{m[2]}".rstrip("."), text)


def round_trip(value: object, *, tz: bool = False) -> Any:
    parameter = sql_parameter("p", value)
    field = dict(parameter["value"])
    type_name, code = HINT_COLUMN[parameter.get("typeHint")]
    if tz:
        type_name, code = "timestamptz", 93
    if "stringValue" in field:
        field["stringValue"] = service_text(field["stringValue"])
    meta = [{"name": "p", "label": "p", "typeName": type_name, "type": code}]
    body = json.dumps({"columnMetadata": meta, "records": [[field]]}).encode()
    [[decoded]] = parse_execute_response(body).records
    return decoded


def same(decoded: Any, value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return isinstance(decoded, float) and math.isnan(decoded)
    if isinstance(value, uuid.UUID):
        return uuid.UUID(decoded) == value  # UUIDs come back as the service's text
    if isinstance(value, (bytes, bytearray)):
        return decoded == bytes(value)
    return type(decoded) is type(value) and decoded == value


@given(values)
def test_value_round_trips(value: object) -> None:
    assert same(round_trip(value), value)


@given(st.datetimes(timezones=st.timezones()).filter(lambda d: d.utcoffset() is not None))
def test_aware_datetime_round_trips_as_utc(value: datetime) -> None:
    decoded = round_trip(value, tz=True)
    # astimezone, not ==: PEP 495 makes a fold-ambiguous time unequal across zones
    assert decoded == value.astimezone(timezone.utc) and decoded.tzinfo is timezone.utc


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimal_text_is_positional_and_exact(value: Decimal) -> None:
    text = sql_parameter("p", value)["value"]["stringValue"]
    assert "E" not in text.upper() and Decimal(text) == value
