"""``parse_execute_response`` and friends: every Field kind, every column type, every error."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import pytest

from sigv4_dataapi._codec.decode import (
    RecordDecoder,
    load_fields,
    parse_batch_execute_response,
    parse_execute_response,
)
from sigv4_dataapi._codec.execute_sql import parse_execute_sql_response
from sigv4_dataapi._codec.result import ColumnMetadata, Result
from sigv4_dataapi._errors import ResponseParseError


def body(**members: Any) -> bytes:
    return json.dumps(members).encode()


def column(type_name: str, code: int = 12, label: str = "c", **extra: Any) -> dict[str, Any]:
    return {"name": label, "label": label, "typeName": type_name, "type": code, **extra}


def one_column(
    type_name: str, fields: list[dict[str, Any]], code: int = 12, **kw: Any
) -> list[Any]:
    """Decode ``fields`` as the values of one column of type ``type_name``."""
    result = parse_execute_response(
        body(columnMetadata=[column(type_name, code)], records=[[f] for f in fields]), **kw
    )
    return [row[0] for row in result.records]


# -- Field kinds (no metadata needed) ---------------------------------------------------


def test_every_field_kind() -> None:
    fields = [
        {"isNull": True},
        {"booleanValue": True},
        {"longValue": 9223372036854775807},
        {"doubleValue": 1.5},
        {"stringValue": "h\u00e9llo"},
        {"blobValue": "AAECaGVsbG8="},
        {"arrayValue": {"longValues": [1, None, 3]}},
    ]
    result = parse_execute_response(body(records=[fields], numberOfRecordsUpdated=0))
    assert result.records == [
        [None, True, 9223372036854775807, 1.5, "héllo", b"\x00\x01\x02hello", [1, None, 3]]
    ]
    assert result.columns == ()
    assert result.number_of_records_updated == 0


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        ({"stringValues": ["a", None, ""]}, ["a", None, ""]),
        ({"booleanValues": [True, None, False]}, [True, None, False]),
        ({"doubleValues": [0.5, None, "NaN", "Infinity"]}, [0.5, None, math.nan, math.inf]),
        ({"longValues": []}, []),
        (
            {"arrayValues": [{"longValues": [1, 2]}, {"arrayValues": [{"stringValues": [None]}]}]},
            [[1, 2], [[None]]],
        ),
    ],
)
def test_array_values_nested_with_nulls(array: dict[str, Any], expected: list[Any]) -> None:
    [value] = parse_execute_response(body(records=[[{"arrayValue": array}]])).records[0]
    assert repr(value) == repr(expected)  # repr: nan != nan


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("NaN", math.nan), ("Infinity", math.inf), ("-Infinity", -math.inf), (2, 2.0)],
)
def test_double_value_non_finite_and_integral(raw: object, expected: float) -> None:
    [[value]] = parse_execute_response(body(records=[[{"doubleValue": raw}]])).records
    assert type(value) is float and repr(value) == repr(expected)


def test_generated_fields_are_decoded() -> None:
    result = parse_execute_response(
        body(numberOfRecordsUpdated=1, generatedFields=[{"longValue": 7}, {"blobValue": "aGk="}])
    )
    assert result.generated_fields == [7, b"hi"]
    assert result.number_of_records_updated == 1
    assert result.records == [] and result.rows == []


def test_null_member_next_to_the_value_is_ignored_as_botocore_does() -> None:
    [[value]] = parse_execute_response(body(records=[[{"isNull": None, "longValue": 1}]])).records
    assert value == 1


# -- column types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "code", "text", "expected"),
    [
        ("numeric", 2, "12.50", Decimal("12.50")),
        ("DECIMAL", 3, "-0.000001", Decimal("-0.000001")),
        ("DECIMAL UNSIGNED", 3, "7", Decimal("7")),
        ("numeric", 2, "NaN", Decimal("NaN")),
        ("date", 91, "2024-02-29", date(2024, 2, 29)),
        ("DATE", 91, "2024-02-29", date(2024, 2, 29)),
        ("time", 92, "03:04:05", time(3, 4, 5)),
        ("time", 92, "03:04:05.5", time(3, 4, 5, 500000)),
        ("timestamp", 93, "2024-01-02 03:04:05", datetime(2024, 1, 2, 3, 4, 5)),
        ("timestamp", 93, "2024-01-02 03:04:05.5", datetime(2024, 1, 2, 3, 4, 5, 500000)),
        ("timestamp", 93, "2024-01-02 03:04:05.05", datetime(2024, 1, 2, 3, 4, 5, 50000)),
        ("timestamp", 93, "2024-01-02 03:04:05.000001", datetime(2024, 1, 2, 3, 4, 5, 1)),
        ("DATETIME", 93, "2024-01-02 03:04:05.12", datetime(2024, 1, 2, 3, 4, 5, 120000)),
        ("TIMESTAMP", 93, "2024-01-02 03:04:05.1", datetime(2024, 1, 2, 3, 4, 5, 100000)),
        ("TIME", 92, "23:59:59.000010", time(23, 59, 59, 10)),
        ("timetz", 92, "03:04:05.25", time(3, 4, 5, 250000)),
        ("json", 1111, '{"a": [1, null]}', {"a": [1, None]}),
        ("jsonb", 1111, "[]", []),
        ("JSON", -1, '"text"', "text"),
        ("int8", -5, "9223372036854775808", 9223372036854775808),  # longReturnType STRING
        ("BIGINT UNSIGNED", -5, "18446744073709551615", 18446744073709551615),
        (
            "uuid",
            1111,
            "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        ),
        ("varchar", 12, "2024-01-02", "2024-01-02"),  # never sniffed
        ("text", 12, "12.5", "12.5"),
    ],
)
def test_string_values_take_their_column_type(
    type_name: str, code: int, text: str, expected: Any
) -> None:
    [value] = one_column(type_name, [{"stringValue": text}], code)
    assert type(value) is type(expected)
    assert value == expected or (value != value and expected != expected)


def test_timestamptz_is_aware_utc_with_fraction_restored() -> None:
    values = one_column(
        "timestamptz",
        [
            {"stringValue": "2024-01-02 03:04:05.5"},
            {"isNull": True},
            {"stringValue": "2024-01-02 03:04:05"},
        ],
        93,
    )
    assert values == [
        datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc),
        None,
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    ]
    assert values[0].tzinfo is timezone.utc


def test_timestamptz_with_an_offset_is_converted_to_utc() -> None:
    [value] = one_column("timestamptz", [{"stringValue": "2024-01-02 03:04:05+02:00"}])
    assert value == datetime(2024, 1, 2, 1, 4, 5, tzinfo=timezone.utc)
    assert value.utcoffset() == timezone.utc.utcoffset(None)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (2, "1.5", Decimal("1.5")),
        (91, "2024-01-02", date(2024, 1, 2)),
        (93, "2024-01-02 00:00:00.25", datetime(2024, 1, 2, 0, 0, 0, 250000)),
        (2014, "2024-01-02 00:00:00", datetime(2024, 1, 2, tzinfo=timezone.utc)),
        (12, "1.5", "1.5"),
    ],
)
def test_unknown_type_names_fall_back_to_the_jdbc_code(code: int, text: str, expected: Any) -> None:
    assert one_column("mydomain", [{"stringValue": text}], code) == [expected]


def test_decimal_as_double_or_long_stays_a_number() -> None:
    values = one_column("numeric", [{"isNull": True}, {"longValue": 3}, {"doubleValue": 1.1}], 2)
    assert values == [None, 3, 1.1]
    assert [type(v) for v in values] == [type(None), int, float]


def test_a_column_is_judged_by_its_first_non_null_value() -> None:
    """resultSetOptions hold for the whole result: a column is all text or all numbers."""
    texts = one_column("numeric", [{"isNull": True}, {"stringValue": "2"}, {"longValue": 3}], 2)
    assert texts == [None, Decimal("2"), 3]
    numbers = one_column("int8", [{"longValue": 3}, {"stringValue": "4"}], -5)
    assert numbers == [3, "4"]  # never seen from the service; kept, not converted


@pytest.mark.parametrize(
    ("type_name", "text"),
    [
        ("date", "0000-00-00"),  # MySQL's zero date
        ("date", "0044-03-15 BC"),
        ("time", "24:00:00"),
        ("timestamp", "294277-01-01 00:00:00"),
        ("numeric", "not a number"),
        ("jsonb", "{bad json"),
    ],
)
def test_unrepresentable_values_stay_strings(type_name: str, text: str) -> None:
    values = one_column(type_name, [{"stringValue": text}, {"isNull": True}])
    assert values == [text, None]


@pytest.mark.parametrize(
    ("type_name", "texts", "expected"),
    [
        ("numeric", ["0", "1.50"], [Decimal("0"), Decimal("1.50")]),
        ("int8", ["0", "-7"], [0, -7]),  # longReturnType: STRING
        ("date", ["2000-01-01", "2024-02-29"], [date(2000, 1, 1), date(2024, 2, 29)]),
        ("time", ["00:00:00", "12:30:00.5"], [time(0, 0), time(12, 30, 0, 500000)]),
        (
            "timestamp",
            ["2000-01-01 00:00:00", "2024-01-02 03:04:05.25"],
            [datetime(2000, 1, 1), datetime(2024, 1, 2, 3, 4, 5, 250000)],
        ),
        (
            "timestamptz",
            ["2000-01-01 00:00:00", "2024-01-02 03:04:05.000001"],
            [
                datetime(2000, 1, 1, tzinfo=timezone.utc),
                datetime(2024, 1, 2, 3, 4, 5, 1, tzinfo=timezone.utc),
            ],
        ),
    ],
)
def test_nulls_anywhere_in_a_column_stay_nulls_and_only_nulls(
    type_name: str, texts: list[str], expected: list[Any]
) -> None:
    """NULLs are parsed from a stand-in text in C and put back: a real value equal to
    the stand-in (``0``, ``2000-01-01``, midnight) must stay a value, a NULL a NULL."""
    null = {"isNull": True}
    fields = [null, {"stringValue": texts[0]}, null, {"stringValue": texts[1]}, null]
    values = one_column(type_name, fields)
    assert values == [None, expected[0], None, expected[1], None]
    assert [type(v) for v in values[1::2]] == [type(e) for e in expected]


def test_a_column_with_nulls_and_one_bad_value_converts_the_rest() -> None:
    fields = [{"isNull": True}, {"stringValue": "2024-01-02 03:04:05"}, {"stringValue": "x"}]
    assert one_column("timestamptz", fields) == [
        None,
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "x",
    ]
    assert one_column("numeric", [fields[0], {"stringValue": "bad"}]) == [None, "bad"]


def test_one_bad_value_does_not_spoil_its_column() -> None:
    values = one_column("date", [{"stringValue": "2024-01-02"}, {"stringValue": "0000-00-00"}])
    assert values == [date(2024, 1, 2), "0000-00-00"]


def test_json_column_with_nulls_and_every_document_kind() -> None:
    docs = ['{"a": 1}', "null", "[1, 2]", '"s"', "3.5", "true"]
    fields = [{"stringValue": d} for d in docs] + [{"isNull": True}]
    assert one_column("jsonb", fields) == [{"a": 1}, None, [1, 2], "s", 3.5, True, None]


def test_json_documents_that_would_merge_when_joined_are_kept_apart() -> None:
    fields = [{"stringValue": "[1"}, {"stringValue": "2]"}]
    assert one_column("json", fields) == ["[1", "2]"]


def test_array_columns_convert_their_elements() -> None:
    arrays = [
        {"arrayValue": {"stringValues": ["1.50", None]}},
        {"isNull": True},
        {"arrayValue": {"arrayValues": [{"stringValues": ["2"]}]}},
    ]
    assert one_column("_numeric", arrays, 2003) == [[Decimal("1.50"), None], None, [[Decimal("2")]]]
    dates = one_column("_date", [{"arrayValue": {"stringValues": ["2024-01-02", "bad"]}}], 2003)
    assert dates == [[date(2024, 1, 2), "bad"]]


@pytest.mark.parametrize(
    "type_name", ["_numeric", "numeric[]", "NUMERIC(10,2)[]", "_numeric(10,2)"]
)
def test_array_type_name_spellings(type_name: str) -> None:
    fields = [{"arrayValue": {"stringValues": ["1.5"]}}]
    assert one_column(type_name, fields, 2003) == [[Decimal("1.5")]]


@pytest.mark.parametrize(
    "type_name", ["numeric(10,2)", "DECIMAL(10,2) UNSIGNED", "decimal unsigned zerofill"]
)
def test_scalar_type_name_spellings(type_name: str) -> None:
    assert one_column(type_name, [{"stringValue": "1.5"}], 0) == [Decimal("1.5")]


def test_array_column_by_jdbc_code_and_base_type() -> None:
    meta = column("", 2003, arrayBaseColumnType=91)
    result = parse_execute_response(
        body(columnMetadata=[meta], records=[[{"arrayValue": {"stringValues": ["2024-01-02"]}}]])
    )
    assert result.records == [[[date(2024, 1, 2)]]]


def test_convert_false_keeps_the_service_values() -> None:
    meta = [column("numeric", 2, "n"), column("timestamptz", 93, "t"), column("jsonb", 1111, "j")]
    record = [
        {"stringValue": "1.50"},
        {"stringValue": "2024-01-02 03:04:05.5"},
        {"stringValue": "{}"},
    ]
    raw = parse_execute_response(body(columnMetadata=meta, records=[record]), convert=False)
    assert raw.records == [["1.50", "2024-01-02 03:04:05.5", "{}"]]
    assert raw.rows == [{"n": "1.50", "t": "2024-01-02 03:04:05.5", "j": "{}"}]


def test_many_rows_mixed_columns_convert_in_place() -> None:
    meta = [column("int4", 4, "i"), column("numeric", 2, "n"), column("text", 12, "s")]
    records = [
        [{"longValue": i}, {"stringValue": f"{i}.5"}, {"stringValue": str(i)}] for i in range(50)
    ]
    result = parse_execute_response(body(columnMetadata=meta, records=records))
    assert result.records == [[i, Decimal(f"{i}.5"), str(i)] for i in range(50)]


# -- formatRecordsAs JSON (F8) ----------------------------------------------------------


def test_formatted_records_become_rows() -> None:
    text = json.dumps([{"id": 1, "name": "Jane", "d": "1.5"}, {"id": 2, "name": None, "d": "2"}])
    result = parse_execute_response(body(formattedRecords=text, numberOfRecordsUpdated=0))
    assert result.rows == [{"id": 1, "name": "Jane", "d": "1.5"}, {"id": 2, "name": None, "d": "2"}]
    assert result.records == [[1, "Jane", "1.5"], [2, None, "2"]]
    assert result.formatted_records == text
    assert result.row_keys == ("id", "name", "d")


def test_formatted_records_repeating_a_label_keep_every_value() -> None:
    """The service refuses duplicate labels with JSON format (F8); if a row repeats
    one anyway, no value is dropped: the ``.rows`` rule names them ``a``, ``a_2``."""
    text = '[{"a": 1, "a": 2, "a_2": 3, "doc": {"k": 1, "k": 2}}, {"a": 4, "a": 5}]'
    result = parse_execute_response(body(formattedRecords=text))
    assert result.rows == [
        {"a": 1, "a_3": 2, "a_2": 3, "doc": {"k": 2}},  # a document inside keeps JSON's rule
        {"a": 4, "a_2": 5},
    ]


def test_formatted_records_empty_array() -> None:
    result = parse_execute_response(body(formattedRecords="[]"))
    assert result.rows == [] and result.records == [] and len(result) == 0


@pytest.mark.parametrize("text", ["[{", "{}", "[1]", 5])
def test_malformed_formatted_records(text: object) -> None:
    with pytest.raises(ResponseParseError, match="formattedRecords"):
        parse_execute_response(body(formattedRecords=text))


# -- malformed bodies -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>Bad Gateway</html>", "not the Data API's JSON"),
        (b'{"records": [[{"longValue": 1}]', "not the Data API's JSON"),  # truncated
        (b"", "not the Data API's JSON"),
        (b"\xff\xfe\x00", "not the Data API's JSON"),
        (b"[]", "JSON list, not an object"),
        (b'{"records": [[{}]]}', "no member"),
        (b'{"records": [[{"arrayValue": {}}]]}', "no member"),
        (b'{"records": [[{"longValue": 1, "stringValue": "x"}]]}', "exactly one member"),
        (b'{"records": [[{"isNull": true, "longValue": 1}]]}', "exactly one member"),
        (b'{"records": [[{"arrayValue": {"longValues": [], "stringValues": []}}]]}', "exactly one"),
        (b'{"records": [[{"futureValue": 1}]]}', "unknown member 'futureValue'"),
        (b'{"records": [[{"a": 1, "b": 2}]]}', r"exactly one member, got \['a', 'b'\]"),
        (b'{"columnMetadata": [{"name": "a", "typeName": "int4"}],'
         b' "records": [[{"x": {"y": 1, "z": 2}}]]}', "unknown member 'x'"),
        (b'{"columnMetadata": [{"name": "a", "typeName": "int4"}],'
         b' "records": [[{"arrayValue": {"arrayValues": [{"p": 1, "q": 2}]}}]]}', "exactly one"),
        (b'{"generatedFields": [{"a": 1, "b": 2}]}', "exactly one member"),
        (b'{"records": [[{"blobValue": "abc"}]]}', "not the Data API's JSON"),
        (b'{"records": [[{"isNull": false}]]}', "isNull must be true"),
        (b'{"records": [[{"doubleValue": "1.5"}]]}', "doubleValue must be a number"),
        (b'{"records": {"a": 1}}', "records must be a list"),
        (b'{"records": [{"longValue": 1}]}', "list of lists"),
        (b'{"records": [[{"longValue": 1}], []]}', "differ in length"),
        (b'{"numberOfRecordsUpdated": "1"}', "numberOfRecordsUpdated"),
        (b'{"columnMetadata": {"name": "a"}}', "columnMetadata"),
        (b'{"columnMetadata": [1]}', "columnMetadata"),
        (b"[" * 100000, "nests too deeply|not the Data API"),
    ],
)
def test_malformed_bodies_are_response_parse_errors(raw: bytes, message: str) -> None:
    with pytest.raises(ResponseParseError, match=message):
        parse_execute_response(raw)


DEEP = "[" * 5000 + "]" * 5000  # 3.13's json decodes this; 3.10-3.12 raise RecursionError
TOO_DEEP = "[" * 100_000 + "]" * 100_000  # deeper than any interpreter's json accepts


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth + isinstance(value, list)


def test_deep_nesting_anywhere_is_a_parse_error_or_kept_text() -> None:
    """Whether ``json`` takes 5,000 levels depends on the interpreter: either outcome is
    fine as long as it is a decoded value or the service's text, never a crash."""
    for text in (DEEP, TOO_DEEP):
        with pytest.raises(ResponseParseError, match="formattedRecords"):
            parse_execute_response(body(formattedRecords=text))
    assert one_column("jsonb", [{"stringValue": TOO_DEEP}]) == [TOO_DEEP]  # the service's text
    [kept] = one_column("jsonb", [{"stringValue": DEEP}])
    assert kept == DEEP or _depth(kept) == 5000


def _nested_array_body(depth: int) -> bytes:
    deep_array = '{"arrayValues": [' * depth + '{"stringValues": ["1"]}' + "]}" * depth
    meta = json.dumps([column("_numeric", 2003)])
    return f'{{"columnMetadata": {meta}, "records": [[{{"arrayValue": {deep_array}}}]]}}'.encode()


def test_deep_arrays_decode_or_are_a_parse_error() -> None:
    """900 levels: 3.13 decodes them, older interpreters hit the recursion limit."""
    with pytest.raises(ResponseParseError, match="nests too deeply"):
        parse_execute_response(_nested_array_body(50_000))
    try:
        [[value]] = parse_execute_response(_nested_array_body(900)).records
    except ResponseParseError as exc:
        assert "nests too deeply" in str(exc)
    else:
        assert _depth(value) == 901
        for _ in range(901):
            [value] = value
        assert value == Decimal("1")


def test_record_width_must_match_the_metadata() -> None:
    raw = body(columnMetadata=[column("int4", 4)], records=[[{"longValue": 1}, {"longValue": 2}]])
    with pytest.raises(ResponseParseError, match="a record has 2 fields but there are 1 columns"):
        parse_execute_response(raw)


def test_empty_objects_outside_records_are_fine() -> None:
    result = parse_execute_response(b'{"columnMetadata": [{}], "records": [[{"longValue": 1}]]}')
    assert result.columns == (ColumnMetadata(),)
    assert result.rows == [{"column_1": 1}]
    assert parse_execute_response(b"{}").records == []


def test_str_body_is_accepted() -> None:
    assert parse_execute_response('{"records": [[{"stringValue": "é"}]]}').records == [["é"]]


# -- BatchExecuteStatement --------------------------------------------------------------


def test_batch_update_results() -> None:
    raw = (
        b'{"updateResults": [{"generatedFields": [{"longValue": 7}]}, {"generatedFields": []}, {}]}'
    )
    batch = parse_batch_execute_response(raw)
    assert len(batch) == 3
    assert batch.generated_fields == [(7,), (), ()]
    assert parse_batch_execute_response(b"{}").update_results == ()


@pytest.mark.parametrize(
    "raw",
    [b'{"updateResults": [1]}', b'{"updateResults": [{"generatedFields": [{}]}]}', b"nope"],
)
def test_batch_malformed(raw: bytes) -> None:
    with pytest.raises(ResponseParseError):
        parse_batch_execute_response(raw)


# -- legacy ExecuteSql ------------------------------------------------------------------


def test_execute_sql_legacy_values() -> None:
    frame = {
        "resultSetMetadata": {
            "columnCount": 3,
            "columnMetadata": [
                column("int8", -5, "x"),
                column("numeric", 2, "n"),
                column("", 0, "s"),
            ],
        },
        "records": [
            {
                "values": [
                    {"bigIntValue": 1},
                    {"stringValue": "1.5"},
                    {"structValue": {"attributes": [{"intValue": 2}, {"isNull": True}]}},
                ]
            },
            {
                "values": [
                    {"isNull": True},
                    {"isNull": True},
                    {"arrayValues": [{"blobValue": "aGk="}, {"realValue": 0.5}]},
                ]
            },
        ],
    }
    raw = body(
        sqlStatementResults=[
            {"numberOfRecordsUpdated": 0, "resultFrame": frame},
            {"numberOfRecordsUpdated": 3},
        ]
    )
    first, second = parse_execute_sql_response(raw)
    assert first.rows == [
        {"x": 1, "n": Decimal("1.5"), "s": [2, None]},
        {"x": None, "n": None, "s": [b"hi", 0.5]},
    ]
    assert second.number_of_records_updated == 3 and second.records == []


@pytest.mark.parametrize("depth", [10, 300, 450, 490, 900])
def test_execute_sql_deep_values_decode_or_fail_cleanly(depth: int) -> None:
    value = '{"arrayValues": [' * depth + '{"intValue": 1}' + "]}" * depth
    raw = LEGACY % b'{"values": [%s]}' % value.encode()
    try:
        [result] = parse_execute_sql_response(raw)
    except ResponseParseError as exc:
        assert "too deeply" in str(exc) or "recursion" in str(exc)
    else:
        [[decoded]] = result.records
        for _ in range(depth):
            [decoded] = decoded
        assert decoded == 1


LEGACY = b'{"sqlStatementResults": [{"resultFrame": {"records": [%s]}}]}'


@pytest.mark.parametrize(
    "raw",
    [
        b"<html>",
        b"[]",
        b'{"sqlStatementResults": [1]}',
        LEGACY % b'{"values": [{}]}',
        LEGACY % b'{"values": [{"bitValue": true, "intValue": 1}]}',
        LEGACY % b"5",
        LEGACY % b'{"values": [{"blobValue": "a"}]}',
        LEGACY % b'{"values": [{"structValue": 1}]}',
    ],
)
def test_execute_sql_malformed(raw: bytes) -> None:
    with pytest.raises(ResponseParseError):
        parse_execute_sql_response(raw)


def test_one_record_decoder_serves_every_page() -> None:
    """A streaming cursor decodes FETCH pages with converters chosen once."""
    meta = (ColumnMetadata(label="n", type_name="numeric", type=2),)
    decoder = RecordDecoder(meta)
    pages = []
    for texts in (["1.5", "2"], [], ["3"]):
        raw, _ = load_fields(body(records=[[{"stringValue": t}] for t in texts]))
        pages.append(decoder.decode(raw["records"]))
    result = Result.from_pages(pages, columns=meta)
    assert result.rows == [{"n": Decimal("1.5")}, {"n": Decimal("2")}, {"n": Decimal("3")}]


# -- what is kept between calls (small results) -------------------------------------------


@pytest.mark.parametrize(
    ("member", "bad"), [("isSigned", 1), ("nullable", True), ("type", 4.0), ("precision", False)]
)
def test_a_known_column_set_does_not_admit_an_equal_member_of_another_type(
    member: str, bad: object
) -> None:
    """``True == 1 == 1.0``: a cached valid column must not answer for a malformed one."""
    good = {"name": "k", "label": "k", "typeName": "int4", "type": 4, "isSigned": True,
            "nullable": 1, "precision": 0}  # fmt: skip
    records = [[{"longValue": 1}]]
    assert parse_execute_response(body(columnMetadata=[good], records=records)).records == [[1]]
    with pytest.raises(ResponseParseError, match=f"columnMetadata {member} must be"):
        parse_execute_response(body(columnMetadata=[{**good, member: bad}], records=records))


def test_results_of_one_statement_share_columns_not_records() -> None:
    raw = body(columnMetadata=[column("numeric", 2)], records=[[{"stringValue": "1.5"}]])
    first, second = parse_execute_response(raw), parse_execute_response(raw)
    assert first.columns is second.columns
    first.records[0][0] = "changed"
    assert second.records == [[Decimal("1.5")]]
    assert parse_execute_response(raw, convert=False).records == [["1.5"]]


def test_a_suspect_object_is_counted_for_its_own_parse_only() -> None:
    """The hook's count lives in the thread and restarts with each body."""
    assert load_fields(b'{"records": [[{"futureValue": 1}]], "a": 1}')[1] is True
    assert load_fields(b'{"records": [[{"longValue": 1}]], "a": 1}')[1] is False


def test_threads_parsing_at_once_keep_their_own_suspects() -> None:
    import threading

    bad = b'{"numberOfRecordsUpdated": 0, "records": [[{"futureValue": 1}]]}'
    good = body(records=[[{"longValue": i} for i in range(3)] for _ in range(2000)], a=1)
    outcomes: list[object] = []

    def run(raw: bytes) -> None:
        for _ in range(30):
            try:
                outcomes.append(len(parse_execute_response(raw).records))
            except ResponseParseError as exc:
                outcomes.append(str(exc))

    threads = [threading.Thread(target=run, args=(raw,)) for raw in (bad, good, bad, good)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == sorted(
        ["a Field has an unknown member 'futureValue'"] * 60 + ["2000"] * 60
    )


def test_a_body_as_json_loads_reads_it() -> None:
    """BOMs and whitespace as ``json.loads`` takes them (the decoders are built once)."""
    assert (
        parse_execute_response(
            b'\xef\xbb\xbf {"numberOfRecordsUpdated": 2}\n'
        ).number_of_records_updated
        == 2
    )
    with pytest.raises(ResponseParseError, match="Expecting value"):
        parse_execute_response(b"\xef\xbb\xbf\xef\xbb\xbf{}")
    with pytest.raises(ResponseParseError, match="Unexpected UTF-8 BOM"):
        parse_execute_response("\ufeff{}")
    with pytest.raises(ResponseParseError, match="Extra data"):
        parse_execute_response(b'{"records": []} {}')
