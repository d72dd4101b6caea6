"""``Result``: rows keyed by label, duplicate labels kept, lazy views, batch results,
and result values back in the service's forms (``wire_value``/``wire_text``)."""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._codec.encode import LONG_MAX, LONG_MIN, encode_field
from sigv4_dataapi._codec.result import (
    BatchResult,
    ColumnMetadata,
    Result,
    UpdateResult,
    row_keys,
    wire_text,
    wire_value,
)
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError


def cols(*labels: str) -> tuple[ColumnMetadata, ...]:
    return tuple(ColumnMetadata(name=f"n{i}", label=label) for i, label in enumerate(labels))


def test_rows_are_keyed_by_label_not_name() -> None:
    columns = (ColumnMetadata(name="id", label="user_id"), ColumnMetadata(name="x", label="x"))
    result = Result([[1, "a"], [2, "b"]], columns=columns)
    assert result.rows == [{"user_id": 1, "x": "a"}, {"user_id": 2, "x": "b"}]
    assert result.rows is result.rows  # built once


@pytest.mark.parametrize(
    ("labels", "keys"),
    [
        (("id", "id"), ("id", "id_2")),
        (("id", "id", "id"), ("id", "id_2", "id_3")),
        (("id", "id_2", "id"), ("id", "id_2", "id_3")),
        (("a", "a", "a_2"), ("a", "a_3", "a_2")),
        (("count(*)", "count(*)"), ("count(*)", "count(*)_2")),
    ],
)
def test_duplicate_labels_get_the_first_free_suffix(
    labels: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    assert row_keys(cols(*labels)) == keys
    result = Result([list(range(len(labels)))], columns=cols(*labels))
    assert list(result.rows[0].values()) == list(range(len(labels)))  # nothing lost


def test_label_falls_back_to_name_then_position() -> None:
    columns = (ColumnMetadata(name="n"), ColumnMetadata(), ColumnMetadata(label="l"))
    assert row_keys(columns) == ("n", "column_2", "l")


def test_rows_without_metadata_are_a_clear_error_but_records_work() -> None:
    result = Result([[1, 2]])
    assert result.records == [[1, 2]]
    with pytest.raises(ConfigurationError, match="includeResultMetadata"):
        _ = result.rows
    assert Result([]).rows == []


def test_json_rows_give_records_and_keys() -> None:
    result = Result(None, json_rows=[{"a": 1, "b": None}], formatted_records='[{"a":1,"b":null}]')
    assert result.records == [[1, None]]
    assert result.row_keys == ("a", "b")
    assert Result(None, json_rows=[]).row_keys == ()


def test_from_pages_joins_record_pages() -> None:
    result = Result.from_pages(iter([[[1]], [], [[2], [3]]]), columns=cols("x"))
    assert result.rows == [{"x": 1}, {"x": 2}, {"x": 3}]
    assert len(result) == 3


def test_repr_shows_shape_not_values() -> None:
    result = Result([["secret-ish value"]], columns=cols("c"), number_of_records_updated=4)
    assert repr(result) == "<Result records=1 columns=['c'] updated=4>"


def test_defaults() -> None:
    result = Result()
    assert (result.records, result.columns, result.generated_fields) == ([], (), [])
    assert result.number_of_records_updated == 0 and result.formatted_records is None


def test_column_metadata_from_json_ignores_null_and_unknown_members() -> None:
    meta = ColumnMetadata.from_json(
        {"name": "a", "typeName": "int4", "type": 4, "precision": None, "isSigned": True, "new": 1}
    )
    assert meta == ColumnMetadata(name="a", type_name="int4", type=4, is_signed=True)
    with pytest.raises(AttributeError):
        meta.name = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    "member", [{"typeName": 5}, {"label": 5}, {"type": "4"}, {"isSigned": 1}, {"precision": True}]
)
def test_column_metadata_of_the_wrong_json_type_is_a_parse_error(member: dict[str, object]) -> None:
    with pytest.raises(ResponseParseError, match=f"columnMetadata {next(iter(member))} must be"):
        ColumnMetadata.from_json(member)


def test_batch_result() -> None:
    batch = BatchResult((UpdateResult((1,)), UpdateResult()))
    assert len(batch) == 2
    assert batch.generated_fields == [(1,), ()]


# -- wire_value / wire_text: result values back in the service's forms --------------------

UID = uuid.UUID("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")


@pytest.mark.parametrize(
    ("value", "wired", "text"),
    [
        (None, None, "null"),
        (True, True, "true"),
        (7, 7, "7"),
        (1.5, 1.5, "1.5"),
        (math.nan, "NaN", "NaN"),
        (-math.inf, "-Infinity", "-Infinity"),
        ("h\u00e9", "h\u00e9", "h\u00e9"),
        (b"\x00\x01\x02hello", "AAECaGVsbG8=", "AAECaGVsbG8="),
        (Decimal("1E+3"), "1000", "1000"),
        (datetime(2024, 1, 2, 3, 4, 5, 500000), "2024-01-02 03:04:05.500000", None),
        (datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
         "2024-01-02 03:04:05", None),
        (date(2024, 2, 29), "2024-02-29", None),
        (time(3, 4, 5), "03:04:05", None),
        (UID, str(UID), None),
        ([1, None, [b"\xff"]], [1, None, ["/w=="]], '[1,null,["/w=="]]'),
        ({"a": Decimal("2.50"), 1: math.inf}, {"a": "2.50", "1": "Infinity"},
         '{"a":"2.50","1":"Infinity"}'),
    ],
)  # fmt: skip
def test_wire_value_and_text(value: object, wired: object, text: str | None) -> None:
    assert wire_value(value) == wired and type(wire_value(value)) is type(wired)
    assert wire_text(value) == (wired if text is None else text)
    json.dumps(wire_value(value), allow_nan=False)  # always JSON-ready


scalars = st.one_of(
    st.booleans(), st.integers(LONG_MIN, LONG_MAX), st.floats(), st.text(), st.binary(),
    st.decimals(), st.datetimes(timezones=st.none() | st.timezones()), st.dates(),
    st.times(), st.uuids(),
)  # fmt: skip


@given(scalars)
def test_wire_value_is_what_the_field_member_carries(value: object) -> None:
    """The CLI's text of a value and the parameter we would send for it never drift."""
    field, _ = encode_field(value)
    [member] = field.values()
    assert wire_value(value) == member
