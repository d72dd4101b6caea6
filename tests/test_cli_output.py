"""The CLI's output: row writers, the answer through the library's decoder, curl lines."""

from __future__ import annotations

import csv
import io
import json
import shlex
from datetime import datetime
from decimal import Decimal

import pytest

from sigv4_dataapi._cli import output as _output
from sigv4_dataapi._cli.commands import _answer, _printed
from sigv4_dataapi._cli.commands._answer import Rows
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError

COLUMNS = ["id", "name", "id_2"]  # unique keys, as _answer gives them
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


def _rows(answer: object, *, convert: bool = False, operation: str = "ExecuteStatement") -> Rows:
    content = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    return _answer.decode_rows(content, operation, convert=convert)


def test_decode_rows_reads_fields_metadata_and_arrays() -> None:
    answer = {
        "columnMetadata": [{"name": "a", "label": "alias"}, {"name": "b"}],
        "records": [
            [{"longValue": 1}, {"arrayValue": {"arrayValues": [{"longValues": [1, None]}]}}],
            [{"isNull": True}, {"blobValue": "aGk="}],
        ],
        "numberOfRecordsUpdated": 0,
    }
    decoded = _rows(answer)
    assert decoded.keys == ("alias", "b")
    assert list(decoded.rows) == [[1, [[1, None]]], [None, b"hi"]]
    assert decoded.summary is None


def test_repeated_column_names_get_the_library_row_keys() -> None:
    """``SELECT a.id, b.id``: no column is lost when rows become objects."""
    answer = {
        "columnMetadata": [{"name": "id"}, {"name": "name"}, {"name": "id"}],
        "records": [[{"longValue": 1}, {"stringValue": "x"}, {"longValue": 2}]],
    }
    decoded = _rows(answer)
    assert decoded.keys == ("id", "name", "id_2")
    out = io.StringIO()
    _output.write_rows("json", decoded.keys, decoded.rows, out)
    assert json.loads(out.getvalue()) == [{"id": 1, "name": "x", "id_2": 2}]


TYPED = {
    "columnMetadata": [
        {"name": "price", "typeName": "numeric", "type": 2},
        {"name": "doc", "typeName": "jsonb", "type": 1111},
        {"name": "at", "typeName": "timestamp", "type": 93},
    ],
    "records": [
        [{"stringValue": "1.50"}, {"stringValue": '{"a": [1]}'},
         {"stringValue": "2024-01-02 03:04:05"}],
    ],
}  # fmt: skip


def test_json_modes_carry_the_library_typed_values() -> None:
    """The column converters of ``_columns`` (via parse_execute_response) apply."""
    decoded = _rows(TYPED, convert=True)
    (row,) = list(decoded.rows)
    assert row[0] == Decimal("1.50")
    assert row[1] == {"a": [1]}
    assert row[2] == datetime(2024, 1, 2, 3, 4, 5)
    out = io.StringIO()
    _output.write_rows("jsonl", decoded.keys or (), iter([row]), out)
    assert json.loads(out.getvalue()) == {
        "price": "1.50", "doc": {"a": [1]}, "at": "2024-01-02T03:04:05",
    }  # fmt: skip


def test_text_modes_show_the_service_text() -> None:
    decoded = _rows(TYPED, convert=False)
    assert list(decoded.rows) == [["1.50", '{"a": [1]}', "2024-01-02 03:04:05"]]


def test_records_without_metadata_get_numbered_keys() -> None:
    decoded = _rows({"records": [[{"longValue": 1}, {"stringValue": "a"}]]})
    assert decoded.keys == ("column_1", "column_2")


def test_decode_rows_of_formatted_records_and_of_updates() -> None:
    formatted = {"formattedRecords": json.dumps([{"x": 1, "y": "z"}])}
    decoded = _rows(formatted)
    assert decoded.keys == ("x", "y")
    assert list(decoded.rows) == [[1, "z"]]
    decoded = _rows(b'{"numberOfRecordsUpdated": 4}')
    assert decoded.keys is None
    assert decoded.summary == "rows updated: 4"


@pytest.mark.parametrize(
    ("operation", "answer", "summary"),
    [
        ("BeginTransaction", {"transactionId": "tx1"}, "transaction id: tx1"),
        ("CommitTransaction", {"transactionStatus": "Transaction Committed"},
         "transaction status: Transaction Committed"),
        ("BatchExecuteStatement", {"updateResults": [{}, {}]}, "parameter sets run: 2"),
        ("ExecuteSql", {"sqlStatementResults": [{}]}, "statements run: 1"),
    ],
)  # fmt: skip
def test_answers_without_rows_are_one_summary(
    operation: str, answer: dict[str, object], summary: str
) -> None:
    decoded = _rows(answer, operation=operation)
    assert (decoded.keys, decoded.summary) == (None, summary)


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>",
        b"[1]",
        b'{"records": {"a": 1}}',
        b'{"records": [[{}]]}',
        b'{"records": [[{"longValue": 1}], []]}',
        b'{"records": [[{"longValue": 1, "stringValue": "a"}]]}',
        b'{"formattedRecords": "not json"}',
        b'{"formattedRecords": "[1]"}',
    ],
)
def test_decode_rows_refuses_a_malformed_answer(answer: bytes) -> None:
    with pytest.raises(ResponseParseError):
        list(_rows(answer).rows)


def test_a_malformed_summary_answer_is_refused() -> None:
    with pytest.raises(ResponseParseError):
        _rows(b"[1]", operation="BeginTransaction")
    with pytest.raises(ResponseParseError):
        _rows(b'{"updateResults": 3}', operation="BatchExecuteStatement")


def test_formatted_records_with_metadata_use_the_objects_keys() -> None:
    text = json.dumps([{"n": 1}])
    decoded = _rows({"formattedRecords": text, "columnMetadata": [{"name": "n"}]})
    assert (decoded.keys, list(decoded.rows)) == (("n",), [[1]])
    empty = _rows({"formattedRecords": "[]", "columnMetadata": [{"name": "n"}]})
    assert (empty.keys, list(empty.rows)) == (("n",), [])


def test_formatted_records_keep_their_columns_aligned() -> None:
    text = json.dumps([{"a": 1, "b": 2}, {"b": 3, "a": 4}])
    decoded = _rows({"formattedRecords": text})
    assert decoded.keys == ("a", "b")
    assert list(decoded.rows) == [[1, 2], [4, 3]]


def test_curl_command_quotes_everything_and_keeps_trust() -> None:
    headers = [("Authorization", "AWS4-HMAC-SHA256 Credential=x, Signature=y")]
    body = b'{"sql": "it\'s"}'
    line = _printed.curl_command("POST", "https://h:1/Execute", headers, body, verify="/ca.pem")
    argv = shlex.split(line)
    assert argv[:5] == ["curl", "-sS", "-X", "POST", "https://h:1/Execute"]
    assert argv[argv.index("--cacert") + 1] == "/ca.pem"
    assert argv[argv.index("--data-binary") + 1] == body.decode()
    assert "Authorization: AWS4-HMAC-SHA256 Credential=x, Signature=y" in argv
    assert "-k" in shlex.split(_printed.curl_command("GET", "https://h/", [], b"", verify=False))


def test_curl_command_refuses_a_binary_body() -> None:
    with pytest.raises(ConfigurationError):
        _printed.curl_command("POST", "https://h/", [], b"\xff\x00", verify=True)


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
