"""Whatever comes back, the decoders answer with a Result or a ResponseParseError.

A proxy's HTML page, a truncated body or a shape nobody planned for must never
escape as a ``KeyError``/``TypeError`` traceback; the bodies here are random
JSON placed where the service's members go, plus random bytes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sigv4_dataapi._codec import decode as _decode
from sigv4_dataapi._codec import jsontext
from sigv4_dataapi._codec.decode import parse_batch_execute_response, parse_execute_response
from sigv4_dataapi._codec.execute_sql import parse_execute_sql_response
from sigv4_dataapi._codec.result import Result
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError

MEMBERS = ["isNull", "booleanValue", "longValue", "doubleValue", "stringValue", "blobValue",
           "arrayValue", "longValues", "stringValues", "doubleValues", "arrayValues",
           "values", "attributes", "structValue", "bigIntValue", "typeName", "type", "label",
           "records", "columnMetadata", "generatedFields", "formattedRecords",
           "numberOfRecordsUpdated", "updateResults", "sqlStatementResults", "resultFrame",
           "resultSetMetadata"]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["AAEC", "NaN", "2024-01-02", "1.5", "{}", "[1", "numeric", "_date"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(MEMBERS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=25,
)
type_names = st.sampled_from(
    ["numeric", "timestamptz", "date", "time", "jsonb", "int8", "_numeric", ""]
)
columns = st.lists(
    st.fixed_dictionaries({"label": st.text(max_size=3), "typeName": type_names,
                           "type": st.sampled_from([0, 2, 91, 93, 2003, 2014])}),
    max_size=3,
)  # fmt: skip
loose_columns = st.lists(
    st.dictionaries(
        st.sampled_from(["name", "label", "typeName", "type", "arrayBaseColumnType", "isSigned"]),
        scalars,
    ),
    max_size=3,
)
fields = st.dictionaries(st.sampled_from(MEMBERS[:11]), json_values, min_size=1, max_size=1)
responses = st.fixed_dictionaries(
    {},
    optional={
        "columnMetadata": columns | loose_columns | json_values,
        "records": st.lists(st.lists(fields | json_values, max_size=3), max_size=4) | json_values,
        "numberOfRecordsUpdated": st.integers() | json_values,
        "generatedFields": st.lists(fields, max_size=3) | json_values,
        "formattedRecords": st.text(max_size=10) | json_values,
        "updateResults": json_values,
        "sqlStatementResults": json_values,
    },
)

PARSERS = [
    lambda b: parse_execute_response(b),
    lambda b: parse_execute_response(b, convert=False),
    parse_batch_execute_response,
    parse_execute_sql_response,
]


def check(body: bytes) -> None:
    for parse in PARSERS:
        try:
            result = parse(body)
        except ResponseParseError:
            continue
        if isinstance(result, Result):
            _ = result.records
            with contextlib.suppress(ConfigurationError):  # rows without metadata: usage error
                _ = result.rows


@settings(max_examples=100, deadline=None)
@given(responses)
def test_random_shapes_never_crash(response: dict[str, Any]) -> None:
    check(json.dumps(response).encode())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_never_crash(body: bytes) -> None:
    check(body)


@settings(max_examples=100, deadline=None)
@given(responses, st.data())
def test_truncated_bodies_never_crash(response: dict[str, Any], data: st.DataObject) -> None:
    body = json.dumps(response).encode()
    check(body[: data.draw(st.integers(0, len(body)))])


def outcome(body: bytes | str) -> object:
    """What ``parse_execute_response`` makes of ``body``: its values, or its error's text."""
    try:
        result = parse_execute_response(body)
    except ResponseParseError as exc:
        return ("error", str(exc))
    return (result.records, result.columns, result.number_of_records_updated,
            result.generated_fields, result.formatted_records)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(responses, st.data())
def test_small_and_large_body_hooks_agree(response: dict[str, Any], data: st.DataObject) -> None:
    """A body is parsed by one of two hooks by its size; they must not differ in anything."""
    body = json.dumps(response).encode()
    body = body[: data.draw(st.integers(0, len(body)))] if data.draw(st.booleans()) else body
    with patch.object(_decode, "SMALL_BODY", 1 << 62):
        small = outcome(body)
    with patch.object(_decode, "SMALL_BODY", 0):
        large = outcome(body)
    assert small == large


def json_outcome(load: Callable[[Any], Any], text: Any) -> object:
    try:
        return ("value", load(text))
    except (ValueError, TypeError, RecursionError) as exc:
        return (type(exc), str(exc))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=24),
        st.text(alphabet=' \t\n\r{}[]":,0123456789.eE+-truefalsn\ufeff\\u', max_size=24),
        st.builds(
            lambda v, a, b: f"{a}{json.dumps(v)}{b}",
            json_values,
            st.sampled_from(["", " ", "\ufeff", "\n"]),
            st.sampled_from(["", " ", "x", "]", "\n\t", "{}"]),
        ),
    )
)
@example(b"\xef\xbb\xbf\xef\xbb\xbf{}")  # two BOMs: the second is text, not a BOM
@example("\ufeff{}")
@example(" {} ")
def test_jsontext_loads_is_json_loads(text: str | bytes) -> None:
    """Same values and same errors (type and message) as ``json.loads``, for any input."""
    assert json_outcome(jsontext.loads, text) == json_outcome(json.loads, text)
    if isinstance(text, str):
        assert json_outcome(jsontext.loads, text.encode("utf-16")) == json_outcome(
            json.loads, text.encode("utf-16")
        )
