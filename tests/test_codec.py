"""Python values -> SqlParameters: every rule of issue 4's "Values" list, one by one."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._codec.columns import parse_time, parse_timestamp
from sigv4_dataapi._codec.encode import (
    LONG_MAX,
    LONG_MIN,
    Param,
    encode_parameter_sets,
    encode_parameters,
    sql_parameter,
)
from sigv4_dataapi._errors import ConfigurationError

UID = uuid.UUID("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")
PLUS_TWO = timezone(timedelta(hours=2))


def one(value: object, hint: str | None = None) -> dict[str, Any]:
    return sql_parameter("p", value, hint)


@pytest.mark.parametrize(
    ("value", "field", "hint"),
    [
        (None, {"isNull": True}, None),
        (True, {"booleanValue": True}, None),
        (False, {"booleanValue": False}, None),
        (0, {"longValue": 0}, None),
        (LONG_MAX, {"longValue": LONG_MAX}, None),
        (LONG_MIN, {"longValue": LONG_MIN}, None),
        (1.5, {"doubleValue": 1.5}, None),
        (-0.0, {"doubleValue": -0.0}, None),
        (math.nan, {"doubleValue": "NaN"}, None),
        (math.inf, {"doubleValue": "Infinity"}, None),
        (-math.inf, {"doubleValue": "-Infinity"}, None),
        ("héllo", {"stringValue": "héllo"}, None),
        (b"\x00\x01\x02hello", {"blobValue": "AAECaGVsbG8="}, None),
        (bytearray(b"hi"), {"blobValue": "aGk="}, None),
        (memoryview(b""), {"blobValue": ""}, None),
        (Decimal("12.50"), {"stringValue": "12.50"}, "DECIMAL"),
        (Decimal("1E+3"), {"stringValue": "1000"}, "DECIMAL"),
        (Decimal("-0.000001"), {"stringValue": "-0.000001"}, "DECIMAL"),
        (datetime(2024, 1, 2, 3, 4, 5), {"stringValue": "2024-01-02 03:04:05"}, "TIMESTAMP"),
        (
            datetime(2024, 1, 2, 3, 4, 5, 500000),
            {"stringValue": "2024-01-02 03:04:05.500000"},
            "TIMESTAMP",
        ),
        (datetime(5, 1, 2), {"stringValue": "0005-01-02 00:00:00"}, "TIMESTAMP"),
        (date(2024, 2, 29), {"stringValue": "2024-02-29"}, "DATE"),
        (time(23, 59, 58), {"stringValue": "23:59:58"}, "TIME"),
        (time(0, 0, 0, 1), {"stringValue": "00:00:00.000001"}, "TIME"),
        (UID, {"stringValue": str(UID)}, "UUID"),
        ({"a": [1, "é"]}, {"stringValue": '{"a":[1,"é"]}'}, "JSON"),
        ([1, None], {"stringValue": "[1,null]"}, "JSON"),
    ],
)
def test_plain_values_choose_member_and_hint(
    value: object, field: dict[str, Any], hint: str
) -> None:
    expected = {"name": "p", "value": field} | ({"typeHint": hint} if hint else {})
    assert one(value) == expected


def test_int_subclasses_are_longs_and_bool_stays_boolean() -> None:
    class Colour(IntEnum):
        RED = 3

    assert one(Colour.RED)["value"] == {"longValue": 3}
    assert type(one(Colour.RED)["value"]["longValue"]) is int
    assert one(True)["value"] == {"booleanValue": True}


@pytest.mark.parametrize("value", [LONG_MAX + 1, LONG_MIN - 1, 10**30])
def test_int_outside_64_bits_is_a_clear_error(value: int) -> None:
    with pytest.raises(ConfigurationError, match=r"64-bit.*Decimal"):
        one(value)


def test_big_int_goes_through_with_decimal_hint() -> None:
    assert one(10**30, "DECIMAL")["value"] == {"stringValue": str(10**30)}
    assert one(Decimal(10**30))["typeHint"] == "DECIMAL"


@pytest.mark.parametrize(
    "text",
    ["6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "2024-01-02", "2024-01-02 03:04:05", "12.5", "{}"],
)
def test_strings_are_never_sniffed_into_hints(text: str) -> None:
    assert one(text) == {"name": "p", "value": {"stringValue": text}}


def test_aware_datetime_is_converted_to_utc() -> None:
    aware = datetime(2024, 1, 1, 1, 30, tzinfo=PLUS_TWO)
    assert one(aware)["value"] == {"stringValue": "2023-12-31 23:30:00"}


def test_aware_time_is_shifted_to_utc() -> None:
    assert one(time(1, 0, tzinfo=PLUS_TWO))["value"] == {"stringValue": "23:00:00"}


@pytest.mark.parametrize("value", [(1, 2), {1, 2}, frozenset({1})])
def test_tuple_or_set_gets_the_array_advice(value: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        one(value)
    message = str(raised.value)
    assert "array parameters are not supported" in message
    assert "pg_array_literal" in message and "CAST(:p AS" in message


def test_list_with_a_scalar_hint_gets_the_array_advice() -> None:
    with pytest.raises(ConfigurationError, match="pg_array_literal"):
        one([1, 2], "DECIMAL")


def test_unsupported_type_names_itself() -> None:
    with pytest.raises(ConfigurationError, match="cannot send a complex"):
        one(1j)


def test_explicit_hint_on_a_string_sends_it_as_written() -> None:
    assert one("x-y", "UUID") == {"name": "p", "value": {"stringValue": "x-y"}, "typeHint": "UUID"}
    param = Param('{"already": "json"}', type_hint="JSON")
    assert sql_parameter("q", param)["value"] == {"stringValue": '{"already": "json"}'}


@pytest.mark.parametrize(
    ("value", "hint", "text"),
    [
        (UID, "UUID", str(UID)),
        ({"a": 1}, "JSON", '{"a":1}'),
        (3, "JSON", "3"),
        (7, "DECIMAL", "7"),
        (0.25, "DECIMAL", "0.25"),
        (datetime(2024, 1, 2, tzinfo=timezone.utc), "TIMESTAMP", "2024-01-02 00:00:00"),
        (date(2024, 1, 2), "DATE", "2024-01-02"),
        (time(4, 5, 6), "TIME", "04:05:06"),
    ],
)
def test_explicit_hint_formats_typed_values(value: object, hint: str, text: str) -> None:
    assert one(value, hint) == {"name": "p", "value": {"stringValue": text}, "typeHint": hint}


@pytest.mark.parametrize(
    ("value", "hint"),
    [(5, "DATE"), (datetime(2024, 1, 1), "DATE"), ("x", "NOPE"), (math.nan, "DECIMAL")],
)
def test_mismatched_or_unknown_hints_are_errors(value: object, hint: str) -> None:
    with pytest.raises(ConfigurationError, match="hint"):
        one(value, hint)


def test_param_rejects_unknown_hint_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="unknown type hint 'DATETIME'"):
        Param("x", type_hint="DATETIME")  # type: ignore[arg-type]


def test_null_with_hint_is_a_plain_null() -> None:
    assert one(None, "UUID") == {"name": "p", "value": {"isNull": True}}
    assert sql_parameter("p", Param(None, "DATE")) == {"name": "p", "value": {"isNull": True}}


def test_param_hint_wins_over_the_mapping() -> None:
    params = encode_parameters({"a": Param("1", "DECIMAL")}, type_hints={"a": "UUID"})
    assert params == [{"name": "a", "value": {"stringValue": "1"}, "typeHint": "DECIMAL"}]


def test_encode_parameters_keeps_order_and_applies_type_hints() -> None:
    params = encode_parameters({"id": 7, "uid": str(UID), "n": None}, type_hints={"uid": "UUID"})
    assert params == [
        {"name": "id", "value": {"longValue": 7}},
        {"name": "uid", "value": {"stringValue": str(UID)}, "typeHint": "UUID"},
        {"name": "n", "value": {"isNull": True}},
    ]
    assert encode_parameters(None) == []


def test_type_hints_for_unknown_names_are_an_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown parameters: uidd"):
        encode_parameters({"uid": "x"}, type_hints={"uidd": "UUID"})


@pytest.mark.parametrize("params", [[1, 2], (1,), "abc"])
def test_positional_parameters_are_refused(params: Any) -> None:
    with pytest.raises(ConfigurationError, match=":name"):
        encode_parameters(params)


def test_parameter_names_must_be_strings() -> None:
    with pytest.raises(ConfigurationError, match="names must be str"):
        encode_parameters({1: "x"})  # type: ignore[dict-item]


def test_parameter_sets() -> None:
    sets = encode_parameter_sets([{"a": 1}, {"a": None}, {}])
    assert sets == [
        [{"name": "a", "value": {"longValue": 1}}],
        [{"name": "a", "value": {"isNull": True}}],
        [],
    ]
    with pytest.raises(ConfigurationError, match="list of mappings"):
        encode_parameter_sets({"a": 1})


def test_error_messages_name_the_parameter() -> None:
    with pytest.raises(ConfigurationError, match="parameter 'qty'"):
        encode_parameters({"qty": 2**64})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02 03:04:05", datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02 03:04:05.5", datetime(2024, 1, 2, 3, 4, 5, 500000)),
        ("2024-01-02 03:04:05.05", datetime(2024, 1, 2, 3, 4, 5, 50000)),
        ("2024-01-02 03:04:05.123", datetime(2024, 1, 2, 3, 4, 5, 123000)),
        ("2024-01-02 03:04:05.000001", datetime(2024, 1, 2, 3, 4, 5, 1)),
        ("2024-01-02 03:04:05.1234567", datetime(2024, 1, 2, 3, 4, 5, 123456)),
        ("2024-01-02 03:04:05.5+00:00", datetime(2024, 1, 2, 3, 4, 5, 500000, timezone.utc)),
    ],
)
def test_parse_timestamp_restores_trimmed_fractions(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected
    assert parse_timestamp(text).tzinfo == expected.tzinfo


def test_parse_time_restores_trimmed_fractions() -> None:
    assert parse_time("03:04:05.5") == time(3, 4, 5, 500000)
    assert parse_time("03:04:05") == time(3, 4, 5)


def test_values_modules_import_light() -> None:
    """uuid (with platform) is never imported by us: UUIDs are recognised via sys.modules."""
    code = (
        "import sys, sigv4_dataapi._codec.encode, sigv4_dataapi._codec.decode\n"
        "print(' '.join(m for m in ('uuid', 'platform', 'httpx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary(),
    st.decimals(), st.datetimes(timezones=st.none() | st.timezones()), st.dates(),
    st.times(timezones=st.none() | st.timezones()), st.uuids(), st.complex_numbers(),
    st.lists(st.integers() | st.text() | st.decimals() | st.dates(), max_size=3),
    st.tuples(st.integers()), st.sets(st.integers(), max_size=2),
    st.dictionaries(st.integers() | st.text() | st.tuples(st.integers()), st.floats(), max_size=2),
)  # fmt: skip


@given(odd_values, st.sampled_from([None, "JSON", "UUID", "TIMESTAMP", "DATE", "TIME", "DECIMAL"]))
def test_any_value_encodes_or_says_why(value: object, hint: str | None) -> None:
    """Bad input is a one-line ConfigurationError, never another exception."""
    try:
        parameter = sql_parameter("p", value, hint)
    except ConfigurationError as exc:
        assert "\n" not in str(exc) and "'p'" in str(exc)
        return
    assert set(parameter) <= {"name", "value", "typeHint"} and len(parameter["value"]) == 1
    json.dumps(parameter, allow_nan=False)  # always valid JSON for the request body
