"""Field decoding and encoding, JSON records, Java-style doubles."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.api.fields import (
    ResultOptions,
    decode_field,
    decode_parameter,
    encode_field,
    value_size,
)
from sigv4_dataapi._server.api.jsonformat import format_records, java_double
from sigv4_dataapi._server.backends.base import Column


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ({"isNull": True}, None),
        ({"booleanValue": "true"}, True),
        ({"booleanValue": False}, False),
        ({"longValue": "42"}, 42),
        ({"longValue": 9223372036854775807}, 9223372036854775807),
        ({"doubleValue": "NaN"}, math.nan),
        ({"doubleValue": 2}, 2.0),
        ({"stringValue": "x"}, "x"),
        ({"blobValue": "AAECaGVsbG8="}, b"\x00\x01\x02hello"),
        ({"isNull": None, "longValue": 1}, 1),
    ],
)
def test_decode_field(field: dict[str, Any], value: Any) -> None:
    decoded = decode_field(field, "p")
    if isinstance(value, float) and math.isnan(value):
        assert isinstance(decoded, float) and math.isnan(decoded)
    else:
        assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ({}, "ValidationException"),
        ({"longValue": 1, "stringValue": "x"}, "ValidationException"),
        ({"longValue": 2**63}, "SerializationException"),
        ({"longValue": True}, "SerializationException"),
        ({"blobValue": "not base64!"}, "SerializationException"),
        ({"arrayValue": {"longValues": [1]}}, "BadRequestException"),
        ("scalar", "SerializationException"),
    ],
)
def test_decode_field_rejects(field: Any, code: str) -> None:
    with pytest.raises(ApiError) as caught:
        decode_field(field, "p")
    assert caught.value.code == code


def test_decode_parameter_checks_hints() -> None:
    param = decode_parameter(
        {"name": "t", "value": {"stringValue": "2024-01-02 03:04:05"}, "typeHint": "TIMESTAMP"}, "p"
    )
    assert (param.name, param.value, param.type_hint) == ("t", "2024-01-02 03:04:05", "TIMESTAMP")
    with pytest.raises(ApiError) as caught:
        decode_parameter({"name": "t", "value": {"stringValue": "x"}, "typeHint": "BLOB"}, "p")
    assert caught.value.code == "ValidationException"


@pytest.mark.parametrize(
    ("value", "options", "field"),
    [
        (None, ResultOptions(), {"isNull": True}),
        (True, ResultOptions(), {"booleanValue": True}),
        (7, ResultOptions(), {"longValue": 7}),
        (7, ResultOptions(long_as_string=True), {"stringValue": "7"}),
        (math.inf, ResultOptions(), {"doubleValue": "Infinity"}),
        (Decimal("1E+2"), ResultOptions(), {"stringValue": "100"}),
        (Decimal("12"), ResultOptions(decimal_as_number=True), {"longValue": 12}),
        (Decimal("1.50"), ResultOptions(decimal_as_number=True), {"doubleValue": 1.5}),
        (b"hi", ResultOptions(), {"blobValue": "aGk="}),
        ([1, None, 3], ResultOptions(), {"arrayValue": {"longValues": [1, None, 3]}}),
        ([1.5, 2], ResultOptions(), {"arrayValue": {"doubleValues": [1.5, 2.0]}}),
        ([[True], None], ResultOptions(),
         {"arrayValue": {"arrayValues": [{"booleanValues": [True]}, None]}}),
        (["a", None], ResultOptions(), {"arrayValue": {"stringValues": ["a", None]}}),
    ],
)  # fmt: skip
def test_encode_field(value: Any, options: ResultOptions, field: dict[str, Any]) -> None:
    assert encode_field(value, options) == field


def test_value_size_counts_bytes_of_data() -> None:
    assert value_size("h\u00e9") == 3
    assert value_size(b"abc") == 3
    assert value_size([1, "ab", None]) == 10


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10.0, "10.0"),
        (1e7, "1.0E7"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (-2.5e-10, "-2.5E-10"),
        (0.0, "0.0"),
    ],
)
def test_java_double(value: float, text: str) -> None:
    assert java_double(value) == text


def test_format_records() -> None:
    columns = [Column("a", "a", 4, "int4"), Column("b", "name", 12, "text")]
    rows: list[list[Any]] = [[1, "Jane"], [None, b"\x00"]]
    assert format_records(columns, rows, ResultOptions()) == (
        '[{"a":1,"name":"Jane"},{"a":null,"name":"AA=="}]'
    )
