"""The CLI's output writers and the pure pieces of its commands (no network)."""

from __future__ import annotations

import csv
import io
import json
import shlex
from decimal import Decimal

import pytest

from sigv4_dataapi import _output
from sigv4_dataapi._cli import UsageError
from sigv4_dataapi._commands import request, send, sql
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError

COLUMNS = ["id", "name", "id"]
ROWS = [
    [1, "a\nb", Decimal("1.50")],
    [None, "zz", b"\x00\x01"],
    [3, "é", float("nan")],
]


def _write(mode: str, columns: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    count = _output.write_rows(mode, columns, iter(rows), out)
    assert count == len(rows)
    return out.getvalue()


def test_json_keeps_every_column_and_loses_no_precision() -> None:
    data = json.loads(_write("json", COLUMNS, ROWS))
    assert data[0] == {"id": 1, "name": "a\nb", "id_2": "1.50"}
    assert data[1] == {"id": None, "name": "zz", "id_2": "AAE="}
    assert data[2] == {"id": 3, "name": "é", "id_2": "NaN"}


def test_empty_json_is_an_empty_array() -> None:
    assert json.loads(_write("json", ["x"], [])) == []


def test_jsonl_is_one_object_per_line() -> None:
    lines = _write("jsonl", COLUMNS, ROWS).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, None, 3]


def test_csv_round_trips_through_the_csv_module() -> None:
    parsed = list(csv.reader(io.StringIO(_write("csv", COLUMNS, ROWS))))
    assert parsed[0] == COLUMNS
    assert parsed[1] == ["1", "a\nb", "1.50"]
    assert parsed[2] == ["", "zz", "AAE="]


def test_table_aligns_numbers_right_and_shows_null() -> None:
    text = _write("table", ["n", "word"], [[1, "x"], [None, "longer"], [123, None]])
    assert text.splitlines() == [
        "  n   |  word",
        "------+--------",
        "    1 | x",
        " NULL | longer",
        "  123 | NULL",
        "(3 rows)",
    ]


def test_table_keeps_one_line_per_row() -> None:
    text = _write("table", ["s"], [["a\nb\tc"]])
    assert "a\\nb\\tc" in text.splitlines()[2]


def test_rows_are_written_as_they_come() -> None:
    """A generator is consumed row by row: nothing is materialised before writing."""
    out = io.StringIO()
    seen: list[int] = []

    def rows() -> object:
        for i in range(3):
            # by the time row i is produced, row i-1 is already on the stream
            assert out.getvalue().count('"i"') == i
            seen.append(i)
            yield [i]

    _output.write_rows("jsonl", ["i"], rows(), out)  # type: ignore[arg-type]
    assert seen == [0, 1, 2]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown row output mode"):
        _output.write_rows("xml", ["a"], [], io.StringIO())


def test_decode_rows_reads_fields_metadata_and_arrays() -> None:
    answer = {
        "columnMetadata": [{"name": "a", "label": "alias"}, {"name": "b"}],
        "records": [
            [{"longValue": 1}, {"arrayValue": {"arrayValues": [{"longValues": [1, None]}]}}],
            [{"isNull": True}, {"blobValue": "aGk="}],
        ],
        "numberOfRecordsUpdated": 0,
    }
    columns, rows, summary = _output.decode_rows(json.dumps(answer).encode())
    assert columns == ["alias", "b"]
    assert list(rows) == [[1, [[1, None]]], [None, b"hi"]]
    assert summary is None


def test_decode_rows_of_formatted_records_and_of_updates() -> None:
    formatted = {"formattedRecords": json.dumps([{"x": 1, "y": "z"}])}
    columns, rows, _ = _output.decode_rows(json.dumps(formatted).encode())
    assert columns == ["x", "y"]
    assert list(rows) == [[1, "z"]]
    columns, _, summary = _output.decode_rows(b'{"numberOfRecordsUpdated": 4}')
    assert columns is None
    assert summary == "rows updated: 4"


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>",
        b"[1]",
        b'{"records": {"a": 1}}',
        b'{"records": [[1]]}',
        b'{"formattedRecords": "not json"}',
        b'{"formattedRecords": "[1]"}',
    ],
)
def test_decode_rows_refuses_a_malformed_answer(answer: bytes) -> None:
    with pytest.raises(ResponseParseError):
        _, rows, _ = _output.decode_rows(answer)
        list(rows)


def test_formatted_records_keep_their_columns_aligned() -> None:
    text = json.dumps([{"a": 1, "b": 2}, {"b": 3, "a": 4}])
    columns, rows, _ = _output.decode_rows(json.dumps({"formattedRecords": text}).encode())
    assert columns == ["a", "b"]
    assert list(rows) == [[1, 2], [4, 3]]


def test_curl_command_quotes_everything_and_keeps_trust() -> None:
    headers = [("Authorization", "AWS4-HMAC-SHA256 Credential=x, Signature=y")]
    body = b'{"sql": "it\'s"}'
    line = _output.curl_command("POST", "https://h:1/Execute", headers, body, verify="/ca.pem")
    argv = shlex.split(line)
    assert argv[:5] == ["curl", "-sS", "-X", "POST", "https://h:1/Execute"]
    assert argv[argv.index("--cacert") + 1] == "/ca.pem"
    assert argv[argv.index("--data-binary") + 1] == body.decode()
    assert "Authorization: AWS4-HMAC-SHA256 Credential=x, Signature=y" in argv
    assert "-k" in shlex.split(_output.curl_command("GET", "https://h/", [], b"", verify=False))


def test_curl_command_refuses_a_binary_body() -> None:
    with pytest.raises(ConfigurationError):
        _output.curl_command("POST", "https://h/", [], b"\xff\x00", verify=True)


def test_sink_writes_bytes_to_a_file(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "out.bin"
    sink = _output.Sink(io.StringIO(), str(target))
    sink.write_bytes(b"\x00raw")
    sink.text().write("é")
    sink.close()
    assert target.read_bytes() == b"\x00raw" + "é".encode()


def test_sink_to_a_missing_directory_is_one_clear_error(tmp_path: object) -> None:
    sink = _output.Sink(io.StringIO(), f"{tmp_path}/no/such/dir/out")
    with pytest.raises(ConfigurationError, match="cannot write"):
        sink.write_bytes(b"x")


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
