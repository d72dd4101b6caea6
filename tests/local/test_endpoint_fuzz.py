"""Property-based fuzz (hypothesis) of the HTTP head parser and of request validation.

The promises: any bytes give a parsed head or a 4xx ``BadHead``; any JSON body,
for any operation, gives a result or a 4xx ``ApiError``: never another
exception (which the endpoint would answer with a 500).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigv4_dataapi._server import server_settings as _settings
from sigv4_dataapi._server.api import ops as _ops
from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.api.requests import MAX_DEPTH, parse_body
from sigv4_dataapi._server.auth import access as _access
from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.http.head import BadHead, content_length, read_head

TOKEN = st.text(
    st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&'*+.^`|~"
    ),
    min_size=1,
    max_size=20,
)
VALUE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40).map(
    lambda v: v.strip(" \t")
)


@given(st.binary(max_size=200), st.binary(max_size=2000))
@settings(max_examples=400)
def test_any_bytes_give_a_head_or_a_4xx(line: bytes, rest: bytes) -> None:
    try:
        head = read_head(line, io.BytesIO(rest))
    except BadHead as bad:
        assert 400 <= bad.status < 500 and bad.reason
        return
    assert head.method and head.target and head.version in ("HTTP/1.0", "HTTP/1.1")
    try:
        assert content_length(head) >= 0
    except BadHead as bad:
        assert bad.status == 400


@given(st.lists(st.tuples(TOKEN, VALUE), max_size=30), st.binary(max_size=50))
def test_well_formed_heads_parse_exactly(headers: list[tuple[str, str]], body: bytes) -> None:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("latin-1")
    stream = io.BytesIO(lines + b"\r\n" + body)
    request_line = b"POST /Execute HTTP/1.1\r\n"
    head = read_head(request_line, stream)
    assert list(head.headers) == headers  # order and repeats kept, as SigV4 needs
    assert head.size == len(request_line) + len(lines) + 2
    assert stream.read() == body  # not one byte of the body consumed


@given(st.lists(st.text(max_size=6), min_size=1, max_size=3))
def test_content_length_is_digits_and_agrees(values: list[str]) -> None:
    from sigv4_dataapi._server.http.head import RequestHead

    head = RequestHead("POST", "/", "HTTP/1.1", [("Content-Length", v) for v in values], 0)
    usable = len(set(values)) == 1 and values[0].isascii() and values[0].isdigit()
    if usable:
        assert content_length(head) == int(values[0])
    else:
        with pytest.raises(BadHead):
            content_length(head)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
MEMBERS = [
    "sql",
    "database",
    "schema",
    "transactionId",
    "parameters",
    "includeResultMetadata",
    "continueAfterTimeout",
    "resultSetOptions",
    "formatRecordsAs",
    "parameterSets",
    "sqlStatements",
    "resourceArn",
    "secretArn",
]
PARAMETER = st.fixed_dictionaries(
    {
        "name": st.one_of(st.text(max_size=5), JSON),
        "value": st.one_of(
            JSON,
            st.dictionaries(
                st.sampled_from(
                    [
                        "isNull",
                        "booleanValue",
                        "longValue",
                        "doubleValue",
                        "stringValue",
                        "blobValue",
                        "arrayValue",
                        "arrayValues",
                        "longValues",
                    ]
                ),
                JSON,
                max_size=2,
            ),
        ),
    },
    optional={"typeHint": st.one_of(st.sampled_from(["DATE", "UUID", "JSON", "DECIMAL"]), JSON)},
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_ops.DataApi]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "db"
    api = _ops.DataApi(
        _settings.ServeSettings(), _access.AccessConfig(), f"sqlite://{path}", opener=open_backend
    )
    yield api
    api.close()


@given(
    operation=st.sampled_from(sorted(_ops.OPERATIONS.values())),
    members=st.dictionaries(st.sampled_from(MEMBERS), JSON, max_size=5),
    parameters=st.none() | st.lists(PARAMETER, max_size=3),
    sql=st.sampled_from(["SELECT 1", "SELECT :a", "SELECT ?", ""]) | st.text(max_size=30),
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_body_gives_a_result_or_a_4xx(
    api: _ops.DataApi, operation: str, members: dict[str, Any], parameters: Any, sql: str
) -> None:
    region = api.settings.region
    body: dict[str, Any] = {
        "resourceArn": _settings.example_resource_arn(region),
        "secretArn": _settings.example_secret_arn(region),
        "sql": sql,
        "parameters": parameters,
        "parameterSets": [parameters] if parameters is not None else None,
        **members,
    }
    data = parse_body(json.dumps(body).encode())  # through the same parser as the wire
    try:
        result = api.call(operation, data)
    except ApiError as error:
        assert 400 <= error.status < 500, error
        return
    assert isinstance(result, dict)
    if "transactionId" in result:  # do not leave it open
        api.call("RollbackTransaction", {**data, "transactionId": result["transactionId"]})


@given(st.binary(max_size=300))
def test_any_body_bytes_give_an_object_or_a_400(raw: bytes) -> None:
    try:
        assert isinstance(parse_body(raw), dict)
    except ApiError as error:
        assert error.status == 400


@given(st.integers(min_value=MAX_DEPTH + 1, max_value=5000), st.sampled_from("[{"))
def test_deep_nesting_is_a_validation_error(depth: int, kind: str) -> None:
    body = (
        b'{"a":[' * depth + b"]}" * depth
        if kind == "{"
        else b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    )
    with pytest.raises(ApiError, match="nests deeper") as caught:
        parse_body(body)
    assert caught.value.code == "ValidationException"


@given(st.text(max_size=10), st.integers(min_value=0xD800, max_value=0xDFFF), st.text(max_size=10))
def test_lone_surrogates_are_a_validation_error(before: str, surrogate: int, after: str) -> None:
    text = json.dumps(before)[1:-1] + f"\\u{surrogate:04x}" + json.dumps(after)[1:-1]
    # lone whatever surrounds it: hypothesis text has no surrogates, and json.dumps
    # writes astral characters as a complete (high, low) pair
    with pytest.raises(ApiError) as caught:
        parse_body(f'{{"sql":"{text}"}}'.encode())
    assert caught.value.code == "ValidationException"
