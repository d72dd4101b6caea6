"""``sigv4-dataapi sql``: the body it builds, where ARNs come from, how rows print."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import (
    Stub,
    aws_env,
    botocore_signature,
    run_cli,
    serve_stub,
    signature_of,
)

from sigv4_dataapi._cli.main import ExitStatus


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


ARN = "arn:aws:rds:us-east-1:123456789012:cluster:demo"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf"
ANSWER = {
    "columnMetadata": [
        {"name": "id", "label": "id", "typeName": "INTEGER"},
        {"name": "name", "label": "name", "typeName": "TEXT"},
    ],
    "records": [
        [{"longValue": 1}, {"stringValue": "Ada"}],
        [{"longValue": 22}, {"isNull": True}],
    ],
    "numberOfRecordsUpdated": 0,
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return aws_env(tmp_path, DATA_API_RESOURCE_ARN=ARN, DATA_API_SECRET_ARN=SECRET_ARN, **extra)


def test_statement_with_typed_parameters(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, ANSWER)
    result = run_cli(
        ["sql", "SELECT * FROM t WHERE id = :id AND d > :d", "-p", "id=1",
         "-p", "d=2024-01-02:DATE", "--database", "app", "--endpoint-url", stub.url],
        _env(tmp_path),
    )  # fmt: skip
    assert result.status == 0, result.err
    rec = stub.last
    assert rec.target == "/Execute"
    assert json.loads(rec.body) == {
        "resourceArn": ARN,
        "secretArn": SECRET_ARN,
        "sql": "SELECT * FROM t WHERE id = :id AND d > :d",
        "database": "app",
        "parameters": [
            {"name": "id", "value": {"longValue": 1}},
            {"name": "d", "value": {"stringValue": "2024-01-02"}, "typeHint": "DATE"},
        ],
        "includeResultMetadata": True,
    }
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="rds-data")
    # not a terminal: JSON by default
    assert json.loads(result.out) == [{"id": 1, "name": "Ada"}, {"id": 22, "name": None}]


def test_table_output(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, ANSWER)
    result = run_cli(
        ["sql", "SELECT 1", "--output", "table", "--endpoint-url", stub.url], _env(tmp_path)
    )
    assert result.status == 0, result.err
    assert result.out.splitlines() == [
        " id | name",
        "----+------",
        "  1 | Ada",
        " 22 | NULL",
        "(2 rows)",
    ]


def test_raw_output_is_the_answer_as_is(stub: Stub, tmp_path: Path) -> None:
    answer = json.dumps(ANSWER, indent=1).encode()
    stub.reply(200, answer)
    result = run_cli(
        ["sql", "SELECT 1", "--output", "raw", "--endpoint-url", stub.url], _env(tmp_path)
    )
    assert result.out == answer.decode()


def test_a_statement_without_rows_says_what_it_did(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, {"numberOfRecordsUpdated": 3, "generatedFields": []})
    result = run_cli(
        ["sql", "DELETE FROM t", "--output", "table", "--endpoint-url", stub.url], _env(tmp_path)
    )
    assert result.status == 0, result.err
    assert result.out == ""
    assert "rows updated: 3" in result.err


def test_sql_from_stdin_and_transaction_flags(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["sql", "-", "--transaction-id", "tx-9", "--continue-after-timeout",
         "--endpoint-url", stub.url],
        _env(tmp_path), stdin=b"CREATE TABLE x (a int)",
    )  # fmt: skip
    assert result.status == 0, result.err
    body = json.loads(stub.last.body)
    assert body["sql"] == "CREATE TABLE x (a int)"
    assert body["transactionId"] == "tx-9"
    assert body["continueAfterTimeout"] is True


def test_arns_from_flags_beat_the_environment(stub: Stub, tmp_path: Path) -> None:
    other = ARN.replace("demo", "other")
    result = run_cli(
        ["sql", "SELECT 1", "--resource-arn", other, "--endpoint-url", stub.url], _env(tmp_path)
    )
    assert result.status == 0, result.err
    assert json.loads(stub.last.body)["resourceArn"] == other


def test_arns_and_database_from_the_profile(stub: Stub, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\nregion = eu-west-1\n"
        f"data_api_resource_arn = {ARN}\ndata_api_secret_arn = {SECRET_ARN}\n"
        "data_api_database = fromprofile\n"
        "aws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
    )
    env = aws_env(tmp_path, AWS_CONFIG_FILE=str(config))
    del env["AWS_REGION"]
    result = run_cli(["sql", "SELECT 1", "--profile", "dev", "--endpoint-url", stub.url], env)
    assert result.status == 0, result.err
    body = json.loads(stub.last.body)
    assert (body["resourceArn"], body["secretArn"], body["database"]) == (
        ARN, SECRET_ARN, "fromprofile",
    )  # fmt: skip
    assert "/eu-west-1/rds-data/" in (stub.last.header("Authorization") or "")


@pytest.mark.parametrize(
    ("argv", "env_drop", "message"),
    [
        (["SELECT 1"], "DATA_API_RESOURCE_ARN", "--resource-arn"),
        (["SELECT 1"], "DATA_API_SECRET_ARN", "--secret-arn"),
        (["  "], None, "empty"),
        (["-"], None, "not UTF-8"),
        (["SELECT :x", "-p", "x"], None, "NAME=VALUE"),
        (["SELECT :x", "-p", "x=abc:long"], None, "64-bit integer"),
        (["SELECT 1", "--output", "xml"], None, "invalid choice"),
    ],
)
def test_bad_input_is_a_usage_error_and_sends_nothing(
    stub: Stub, tmp_path: Path, argv: list[str], env_drop: str | None, message: str
) -> None:
    env = _env(tmp_path)
    if env_drop:
        del env[env_drop]
    result = run_cli(["sql", *argv, "--endpoint-url", stub.url], env, stdin=b"SELECT '\xff'")
    assert result.status == ExitStatus.USAGE
    assert message in result.err
    assert result.err.count("\n") == 1
    assert stub.requests == []


def test_sql_error_in_table_mode_prints_no_body(stub: Stub, tmp_path: Path) -> None:
    stub.reply(400, {"message": "syntax error; SQLState: 42601"},
               x_amzn_ErrorType="DatabaseErrorException")  # fmt: skip
    result = run_cli(
        ["sql", "SELEKT", "--output", "table", "--endpoint-url", stub.url], _env(tmp_path)
    )
    assert result.status == ExitStatus.SERVICE
    assert result.out == ""
    assert "DatabaseErrorException" in result.err
    assert "42601" in result.err


def test_without_rows_json_mode_prints_the_answer(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, {"numberOfRecordsUpdated": 2, "generatedFields": [{"longValue": 7}]})
    result = run_cli(
        ["sql", "UPDATE t SET a = 1", "--output", "jsonl", "--endpoint-url", stub.url],
        _env(tmp_path),
    )
    assert result.status == 0, result.err
    assert json.loads(result.out) == {
        "numberOfRecordsUpdated": 2,
        "generatedFields": [{"longValue": 7}],
    }


def test_rows_to_an_output_file(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, ANSWER)
    target = tmp_path / "rows.csv"
    result = run_cli(
        ["sql", "SELECT 1", "--output", "csv", "-o", str(target), "--endpoint-url", stub.url],
        _env(tmp_path),
    )
    assert result.status == 0, result.err
    assert result.out == ""
    assert target.read_bytes() == b"id,name\n1,Ada\n22,\n"
