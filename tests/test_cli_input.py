"""The pure input pieces of the commands (no network): request files, ``--set``,
``-p`` parameters, ``-H`` headers. Each bad input is a UsageError (exit 2)."""

from __future__ import annotations

import pytest

from sigv4_dataapi._cli.commands import request, send, sql
from sigv4_dataapi._cli.main import UsageError

# -- send: the request file ---------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "operation"),
    [
        ({"resourceArn", "secretArn", "sql"}, "ExecuteStatement"),
        ({"resourceArn", "secretArn", "sql", "parameterSets"}, "BatchExecuteStatement"),
        ({"resourceArn", "secretArn", "database"}, "BeginTransaction"),
        ({"dbClusterOrInstanceArn", "awsSecretStoreArn", "sqlStatements"}, "ExecuteSql"),
    ],
)
def test_operation_is_inferred_from_the_keys(keys: set[str], operation: str) -> None:
    assert send.infer_operation(dict.fromkeys(keys, "x")) == operation


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"resourceArn": "a", "secretArn": "s", "transactionId": "t"}, "commit-transaction"),
        ({"hello": 1}, "cannot infer the operation"),
        ({}, "cannot infer the operation"),
    ],
)
def test_operation_that_cannot_be_inferred_is_a_usage_error(doc: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        send.infer_operation(doc)


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(UsageError, match=r"f\.json: invalid JSON at line 2 column 8"):
        send.parse_document(b'{"a": 1,\n  "b": }', "f.json")


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"", "empty"), (b"  \n", "empty"), (b"[1]", "JSON object"), (b"\xff{}", "not UTF-8")],
)
def test_bad_request_files_are_usage_errors(raw: bytes, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        send.parse_document(raw, "f")


def test_set_fills_strings_and_json_values() -> None:
    doc = {"resourceArn": "RESOURCE-ARN", "sql": "x"}
    result = send.apply_sets(doc, ["resourceArn=arn:aws:rds:x", "parameters:=[]", "db=a=b"])
    assert result == {"resourceArn": "arn:aws:rds:x", "sql": "x", "parameters": [], "db": "a=b"}
    assert doc["resourceArn"] == "RESOURCE-ARN"  # the input is not mutated


@pytest.mark.parametrize("item", ["novalue", "=x", ":=1", "k:={bad"])
def test_bad_set_is_a_usage_error(item: str) -> None:
    with pytest.raises(UsageError):
        send.apply_sets({}, [item])


# -- sql: parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id=42", {"name": "id", "value": {"longValue": 42}}),
        ("x=-1.5", {"name": "x", "value": {"doubleValue": -1.5}}),
        ("b=true", {"name": "b", "value": {"booleanValue": True}}),
        ("s=hello world", {"name": "s", "value": {"stringValue": "hello world"}}),
        ("s=42:string", {"name": "s", "value": {"stringValue": "42"}}),
        ("n=anything:null", {"name": "n", "value": {"isNull": True}}),
        ("t=12:30:00", {"name": "t", "value": {"stringValue": "12:30:00"}}),
        (
            "t=12:30:00:TIME",
            {"name": "t", "value": {"stringValue": "12:30:00"}, "typeHint": "TIME"},
        ),
        (
            "ts=2024-01-02 03:04:05:timestamp",
            {
                "name": "ts",
                "value": {"stringValue": "2024-01-02 03:04:05"},
                "typeHint": "TIMESTAMP",
            },
        ),
        ("d=1.10:DECIMAL", {"name": "d", "value": {"stringValue": "1.10"}, "typeHint": "DECIMAL"}),
        (":k=aGk=:blob", {"name": "k", "value": {"blobValue": "aGk="}}),
        (
            "big=99999999999999999999",
            {"name": "big", "value": {"stringValue": "99999999999999999999"}},
        ),
        ("e=", {"name": "e", "value": {"stringValue": ""}}),
        ("zip=007", {"name": "zip", "value": {"stringValue": "007"}}),
        ("v=1.", {"name": "v", "value": {"stringValue": "1."}}),
        ("v=1e400", {"name": "v", "value": {"stringValue": "1e400"}}),
        ("v=+5", {"name": "v", "value": {"stringValue": "+5"}}),
        ("v=007:long", {"name": "v", "value": {"longValue": 7}}),
        ("v=2.5e3", {"name": "v", "value": {"doubleValue": 2500.0}}),
    ],
)
def test_parameters_become_sql_parameters(text: str, expected: dict) -> None:
    assert sql.parse_param(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("novalue", "NAME=VALUE"),
        ("1x=2", "NAME=VALUE"),
        ("n=abc:long", "64-bit integer"),
        ("n=99999999999999999999:long", "64-bit integer"),
        ("n=abc:double", "not a number"),
        ("n=yes:bool", "true or false"),
        ("n=@@:blob", "base64"),
    ],
)
def test_bad_parameters_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        sql.parse_param(text)


# -- request: headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Accept: application/json", ("Accept", "application/json")),
        ("X-Amz-Target:Foo.Bar", ("X-Amz-Target", "Foo.Bar")),  # awscurl#86: no space
        ("X-Empty:", ("X-Empty", "")),
    ],
)
def test_headers_are_parsed_with_or_without_the_space(text: str, pair: tuple[str, str]) -> None:
    assert request.parse_header(text) == pair


@pytest.mark.parametrize("text", ["NoColon", "Bad Name: x", "X: a\r\nInjected: 1", ": x"])
def test_bad_headers_are_refused(text: str) -> None:
    with pytest.raises(UsageError):
        request.parse_header(text)
