"""``sigv4-dataapi send FILE``: byte for byte, to the right path, through the transport."""

from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import (
    ARN,
    ARTICLE,
    SECRET,
    SECRET_ARN,
    TOKEN,
    Stub,
    aws_env,
    botocore_signature,
    request_file,
    run_cli,
    serve_stub,
    signature_of,
)

from sigv4_dataapi._cli.main import ExitStatus, main

NEEDS_CURL = pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on PATH")


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


ROWS_ANSWER = {
    "columnMetadata": [{"name": "Tables_in_test", "typeName": "VARCHAR"}],
    "records": [[{"stringValue": "assessments"}], [{"stringValue": "people"}]],
    "numberOfRecordsUpdated": 0,
}


def test_the_file_is_posted_byte_for_byte_and_answered_raw(stub: Stub, tmp_path: Path) -> None:
    answer = json.dumps(ROWS_ANSWER).encode()
    stub.reply(200, answer)
    result = run_cli(
        ["send", request_file(tmp_path), "--endpoint-url", stub.url], aws_env(tmp_path)
    )
    assert result.status == ExitStatus.OK, result.err
    assert result.out == answer.decode()  # the service's JSON as is
    rec = stub.last
    assert (rec.method, rec.target, rec.body) == ("POST", "/Execute", ARTICLE)
    assert rec.header("Content-Type") == "application/json"
    signed = (rec.header("Authorization") or "").split("SignedHeaders=")[1].split(",")[0]
    assert signed == "content-type;host;x-amz-date;x-amz-security-token"
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="rds-data")


def test_stdin_and_set_reserialise_the_body(stub: Stub, tmp_path: Path) -> None:
    template = b'{"resourceArn": "RESOURCE-ARN", "secretArn": "SECRET-ARN", "sql": "SELECT 1"}'
    result = run_cli(
        ["send", "-", "--set", f"resourceArn={ARN}", "--set", f"secretArn={SECRET_ARN}",
         "--set", "includeResultMetadata:=true", "--endpoint-url", stub.url],
        aws_env(tmp_path), stdin=template,
    )  # fmt: skip
    assert result.status == 0, result.err
    assert json.loads(stub.last.body) == {
        "resourceArn": ARN,
        "secretArn": SECRET_ARN,
        "sql": "SELECT 1",
        "includeResultMetadata": True,
    }
    assert stub.last.target == "/Execute"


@pytest.mark.parametrize(
    ("body", "argv", "path"),
    [
        ({"resourceArn": ARN, "secretArn": SECRET_ARN, "transactionId": "t"},
         ["--operation", "commit-transaction"], "/CommitTransaction"),
        ({"resourceArn": ARN, "secretArn": SECRET_ARN, "transactionId": "t"},
         ["--operation", "rollback-transaction"], "/RollbackTransaction"),
        ({"resourceArn": ARN, "secretArn": SECRET_ARN, "database": "d"}, [], "/BeginTransaction"),
        ({"resourceArn": ARN, "secretArn": SECRET_ARN, "sql": "x", "parameterSets": []}, [],
         "/BatchExecute"),
        ({"dbClusterOrInstanceArn": ARN, "awsSecretStoreArn": SECRET_ARN, "sqlStatements": "x"},
         [], "/ExecuteSql"),
    ],
)  # fmt: skip
def test_each_operation_goes_to_its_path(
    stub: Stub, tmp_path: Path, body: dict, argv: list[str], path: str
) -> None:
    result = run_cli(
        [
            "send",
            request_file(tmp_path, json.dumps(body).encode()),
            *argv,
            "--endpoint-url",
            stub.url,
        ],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert stub.last.target == path


def test_the_region_comes_from_the_arn_when_nothing_else_names_one(
    stub: Stub, tmp_path: Path
) -> None:
    body = ARTICLE.replace(b"us-east-1", b"eu-west-3")
    env = aws_env(tmp_path)
    del env["AWS_REGION"]
    result = run_cli(["send", request_file(tmp_path, body), "--endpoint-url", stub.url], env)
    assert result.status == 0, result.err
    assert "/eu-west-3/rds-data/aws4_request" in (stub.last.header("Authorization") or "")


@pytest.mark.parametrize("mode", ["table", "json", "jsonl", "csv"])
def test_row_modes_decode_the_answer(stub: Stub, tmp_path: Path, mode: str) -> None:
    stub.reply(200, ROWS_ANSWER)
    result = run_cli(
        ["send", request_file(tmp_path), "--output", mode, "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert "assessments" in result.out
    if mode == "json":
        assert json.loads(result.out) == [
            {"Tables_in_test": "assessments"},
            {"Tables_in_test": "people"},
        ]
    if mode == "table":
        assert result.out.splitlines()[-1] == "(2 rows)"


def test_include_and_outputrequest_file(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, {"transactionId": "tx"})
    target = tmp_path / "answer.json"
    body = json.dumps({"resourceArn": ARN, "secretArn": SECRET_ARN}).encode()
    result = run_cli(
        ["send", request_file(tmp_path, body), "-i", "-o", str(target), "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert result.out == ""
    text = target.read_bytes().decode()
    assert text.startswith("HTTP/1.1 200 OK\r\n")
    assert "x-amzn-requestid: req-1234" in text.lower()
    assert text.endswith('{"transactionId": "tx"}')


def test_service_error_is_one_line_exit_4_and_raw_body(stub: Stub, tmp_path: Path) -> None:
    error = {"message": 'ERROR: relation "nope" does not exist; SQLState: 42P01'}
    stub.reply(400, error, x_amzn_ErrorType="DatabaseErrorException:http://internal/",
               x_amzn_RequestId="rid-77")  # fmt: skip
    result = run_cli(
        ["send", request_file(tmp_path), "--endpoint-url", stub.url], aws_env(tmp_path)
    )
    assert result.status == ExitStatus.SERVICE
    assert json.loads(result.out) == error
    assert result.err.count("\n") == 1
    for part in ("DatabaseErrorException", "relation", "rid-77"):
        assert part in result.err
    stub.reply(400, error, x_amzn_ErrorType="DatabaseErrorException")
    failed = run_cli(
        ["send", request_file(tmp_path), "--fail", "--endpoint-url", stub.url], aws_env(tmp_path)
    )
    assert failed.status == ExitStatus.SERVICE
    assert failed.out == ""


def test_a_resuming_database_is_waited_out_on_stderr(stub: Stub, tmp_path: Path) -> None:
    stub.reply(400, {"message": "resuming"}, x_amzn_ErrorType="DatabaseResumingException")
    stub.reply(200, {"numberOfRecordsUpdated": 0})
    result = run_cli(
        ["send", request_file(tmp_path), "--endpoint-url", stub.url], aws_env(tmp_path)
    )
    assert result.status == 0, result.err
    assert len(stub.requests) == 2
    lines = result.err.splitlines()
    assert lines[0].startswith("sigv4-dataapi: waiting for the database to resume (attempt 1, ")
    assert lines[-1] == "sigv4-dataapi: the database is up"


def test_resume_timeout_gives_up_with_the_service_error(stub: Stub, tmp_path: Path) -> None:
    for _ in range(5):
        stub.reply(400, {"message": "still resuming"}, x_amzn_ErrorType="DatabaseResumingException")
    result = run_cli(
        ["send", request_file(tmp_path), "--resume-timeout", "0.01", "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert result.status == ExitStatus.SERVICE
    assert "DatabaseResumingException" in result.err.splitlines()[-1]


@NEEDS_CURL
def test_print_curl_runs_and_is_accepted(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, ROWS_ANSWER)
    result = run_cli(
        ["send", request_file(tmp_path), "--print-curl", "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert stub.requests == []
    assert SECRET not in result.out + result.err
    assert "session token" in result.err
    ran = subprocess.run(shlex.split(result.out), capture_output=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert b"assessments" in ran.stdout
    rec = stub.last
    assert (rec.target, rec.body) == ("/Execute", ARTICLE)
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="rds-data")


def test_dry_run_prints_the_request(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["send", request_file(tmp_path), "--dry-run", "--endpoint-url", stub.url], aws_env(tmp_path)
    )
    assert result.status == 0, result.err
    assert stub.requests == []
    assert result.out.startswith("POST /Execute HTTP/1.1\n")
    assert result.out.endswith(ARTICLE.decode())


@pytest.mark.parametrize("token", [True, False])
@pytest.mark.parametrize("flag", ["--print-curl", "--dry-run"])
def test_printed_requests_say_how_long_they_work_and_what_they_carry(
    stub: Stub, tmp_path: Path, flag: str, token: bool
) -> None:
    env = aws_env(tmp_path, token=token)
    result = run_cli(["send", request_file(tmp_path), flag, "--endpoint-url", stub.url], env)
    assert result.status == 0, result.err
    assert "valid for about 5 minutes" in result.err
    assert ("session token" in result.err) is token
    assert (TOKEN in result.out) is token
    assert SECRET not in result.out + result.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_wait_is_one_live_line_and_rows_a_table(
    stub: Stub, tmp_path: Path
) -> None:
    stub.reply(400, {"message": "resuming"}, x_amzn_ErrorType="DatabaseResumingException")
    stub.reply(200, ROWS_ANSWER)
    out, err = _Terminal(), _Terminal()
    env = aws_env(tmp_path, DATA_API_RESOURCE_ARN=ARN, DATA_API_SECRET_ARN=SECRET_ARN)
    status = main(
        ["sql", "show tables", "--endpoint-url", stub.url],
        env=env, stdin=io.BytesIO(), stdout=out, stderr=err,
    )  # fmt: skip
    assert status == 0, err.getvalue()
    assert out.getvalue().splitlines()[-1] == "(2 rows)"  # table is the terminal's default
    live = err.getvalue()
    assert live.startswith("\r\x1b[Kwaiting for the database to resume (attempt 1, ")
    assert live.endswith("\r\x1b[Ksigv4-dataapi: the database is up\n")
    assert live.count("\n") == 1  # the progress rewrote one line instead of adding lines


def test_a_proxy_from_the_environment_is_used(stub: Stub, tmp_path: Path) -> None:
    env = aws_env(tmp_path, HTTP_PROXY=stub.url)
    result = run_cli(["send", request_file(tmp_path), "--endpoint-url", "http://rds.invalid"], env)
    assert result.status == 0, result.err
    assert stub.last.target == "http://rds.invalid/Execute"  # the absolute form: a proxy


def test_idempotent_allows_retrying_what_may_have_run(stub: Stub, tmp_path: Path) -> None:
    error = {"message": "internal"}
    stub.reply(500, error, x_amzn_ErrorType="InternalServerErrorException")
    once = run_cli(["send", request_file(tmp_path), "--endpoint-url", stub.url], aws_env(tmp_path))
    assert once.status != 0
    assert len(stub.requests) == 1  # may have run: not replayed
    stub.reply(500, error, x_amzn_ErrorType="InternalServerErrorException")
    stub.reply(200, ROWS_ANSWER)
    again = run_cli(
        ["send", request_file(tmp_path), "--idempotent", "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert again.status == 0, again.err
    assert len(stub.requests) == 3


def test_region_flag_beats_the_environment(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["send", request_file(tmp_path), "--region", "ap-south-1", "--endpoint-url", stub.url],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert "/ap-south-1/rds-data/aws4_request" in (stub.last.header("Authorization") or "")
