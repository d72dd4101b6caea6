"""``sigv4-dataapi request``: any signed HTTP request, checked against botocore."""

from __future__ import annotations

import json
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import (
    AKID,
    SECRET,
    TOKEN,
    Stub,
    aws_env,
    botocore_signature,
    run_cli,
    serve_stub,
    signature_of,
)

from sigv4_dataapi._cli.main import ExitStatus

NEEDS_CURL = pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on PATH")


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


def test_get_is_signed_and_the_body_printed(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, {"hello": "world"})
    result = run_cli(
        ["request", "--service", "execute-api", stub.url + "/a/b?z=1&a=%2F"], aws_env(tmp_path)
    )
    assert result.status == ExitStatus.OK, result.err
    assert json.loads(result.out) == {"hello": "world"}
    rec = stub.last
    assert (rec.method, rec.target, rec.body) == ("GET", "/a/b?z=1&a=%2F", b"")
    assert rec.header("X-Amz-Security-Token") == TOKEN
    assert f"Credential={AKID}/" in (rec.header("Authorization") or "")
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="execute-api")


def test_data_from_a_file_is_sent_exactly_with_signed_headers(stub: Stub, tmp_path: Path) -> None:
    body = b'{"b": "\xc3\xa9"}\n\n'  # trailing newlines kept (curl's -d would strip them)
    (tmp_path / "body.json").write_bytes(body)
    argv = [
        "request", "-X", "put", "-H", "X-Custom:  yes ", "-H", "Content-Type: text/plain",
        "-d", f"@{tmp_path / 'body.json'}", "--service", "es", "--region", "eu-west-1",
        stub.url + "/idx",
    ]  # fmt: skip
    result = run_cli(argv, aws_env(tmp_path))
    assert result.status == 0, result.err
    rec = stub.last
    assert (rec.method, rec.body) == ("PUT", body)
    assert rec.header("Content-Type") == "text/plain"
    assert "x-custom" in (rec.header("Authorization") or "")
    assert signature_of(rec) == botocore_signature(rec, region="eu-west-1", service="es")


def test_data_from_stdin_defaults_to_post_json(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["request", "-d", "@-", "--service", "sts", stub.url + "/"],
        aws_env(tmp_path, token=False),
        stdin=b"Action=GetCallerIdentity",
    )
    assert result.status == 0, result.err
    rec = stub.last
    assert (rec.method, rec.body) == ("POST", b"Action=GetCallerIdentity")
    assert rec.header("Content-Type") == "application/json"
    assert rec.header("X-Amz-Security-Token") is None
    expected = botocore_signature(rec, region="us-east-1", service="sts", token=None)
    assert signature_of(rec) == expected


def test_include_and_output_file(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, b"payload", x_extra="1")
    target = tmp_path / "out.txt"
    result = run_cli(
        ["request", "-i", "-o", str(target), "--service", "s3", stub.url + "/k"], aws_env(tmp_path)
    )
    assert result.status == 0, result.err
    assert result.out == ""
    text = target.read_bytes().decode()
    assert text.startswith("HTTP/1.1 200 OK\r\n")
    assert "x-extra: 1\r\n" in text
    assert text.endswith("\r\n\r\npayload")


def test_service_error_is_one_line_and_exit_4(stub: Stub, tmp_path: Path) -> None:
    error = {"__type": "com.amazon#AccessDeniedException", "message": "not allowed"}
    stub.reply(403, error, x_amzn_RequestId="rid-42")
    result = run_cli(["request", "--service", "rds-data", stub.url + "/x"], aws_env(tmp_path))
    assert result.status == ExitStatus.SERVICE
    assert json.loads(result.out) == error  # curl shows the error body
    assert result.err.count("\n") == 1
    assert "AccessDeniedException" in result.err
    assert "not allowed" in result.err
    assert "rid-42" in result.err


def test_fail_writes_no_body_on_error(stub: Stub, tmp_path: Path) -> None:
    stub.reply(500, b"<Error><Code>InternalFailure</Code><Message>boom</Message></Error>")
    result = run_cli(["request", "--fail", "--service", "sts", stub.url + "/"], aws_env(tmp_path))
    assert result.status == ExitStatus.AMBIGUOUS  # a 5xx: the request may have been carried out
    assert result.out == ""
    assert "InternalFailure" in result.err
    assert "boom" in result.err


def test_dry_run_prints_the_signed_request_and_sends_nothing(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["request", "--dry-run", "-d", "x=1", "--service", "sts", stub.url + "/p?q=1"],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    assert stub.requests == []
    lines = result.out.splitlines()
    assert lines[0] == "POST /p?q=1 HTTP/1.1"
    assert f"Host: {stub.url.split('//')[1]}" in lines
    assert f"X-Amz-Security-Token: {TOKEN}" in lines
    assert lines[-1] == "x=1"
    assert "session token" in result.err
    assert SECRET not in result.out + result.err


@NEEDS_CURL
def test_print_curl_then_running_it_works(stub: Stub, tmp_path: Path) -> None:
    stub.reply(200, {"via": "curl"})
    result = run_cli(
        ["request", "--print-curl", "-d", '{"it\'s": "quoted"}', "--service", "execute-api",
         stub.url + "/c"],
        aws_env(tmp_path),
    )  # fmt: skip
    assert result.status == 0, result.err
    assert stub.requests == []
    assert SECRET not in result.out + result.err
    assert "session token" in result.err
    ran = subprocess.run(shlex.split(result.out), capture_output=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"via": "curl"}
    rec = stub.last
    assert rec.body == b'{"it\'s": "quoted"}'
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="execute-api")


def test_verbose_shows_the_signing_steps_and_redacts(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["request", "-v", "--service", "execute-api", stub.url + "/v"], aws_env(tmp_path)
    )
    assert result.status == 0, result.err
    assert "* canonical request:" in result.err
    assert "* string to sign:" in result.err
    assert "AWS4-HMAC-SHA256" in result.err
    assert "> GET /v" in result.err
    assert "< HTTP/1.1 200 OK" in result.err
    assert "x-amz-security-token: <redacted>" in result.err.lower()
    assert TOKEN not in result.err + result.out
    assert SECRET not in result.err + result.out


def test_sigv4a_signs_with_a_region_set(stub: Stub, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    result = run_cli(
        ["request", "--sigv4a", "--region-set", "us-east-1,us-west-2", "--service", "s3",
         stub.url + "/bucket/key"],
        aws_env(tmp_path),
    )  # fmt: skip
    assert result.status == 0, result.err
    rec = stub.last
    assert (rec.header("Authorization") or "").startswith(
        f"AWS4-ECDSA-P256-SHA256 Credential={AKID}/"
    )
    assert rec.header("X-Amz-Region-Set") == "us-east-1,us-west-2"
    assert "x-amz-region-set" in (rec.header("Authorization") or "")


def test_sigv4a_signature_verifies_over_what_was_sent(stub: Stub, tmp_path: Path) -> None:
    """botocore's canonical request of the recorded bytes, our P-256 key: it verifies."""
    pytest.importorskip("cryptography")
    import hashlib

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._sigv4 import v4a as _sigv4a

    argv = ["request", "--sigv4a", "-d", "x=1", "--service", "execute-api", stub.url + "/p?b=2"]
    assert run_cli(argv, aws_env(tmp_path)).status == 0
    rec = stub.last
    auth_header = rec.header("Authorization") or ""
    signed = auth_header.split("SignedHeaders=")[1].split(",")[0].split(";")
    request = AWSRequest(
        method=rec.method,
        url=f"http://{rec.header('Host')}{rec.target}",
        data=rec.body,
        headers={name: rec.header(name) or "" for name in signed},
    )
    canonical = SigV4Auth(BotoCredentials(AKID, SECRET, TOKEN), "x", "x").canonical_request(request)
    amz_date = rec.header("X-Amz-Date") or ""
    string_to_sign = "\n".join(
        [
            "AWS4-ECDSA-P256-SHA256",
            amz_date,
            f"{amz_date[:8]}/execute-api/aws4_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _sigv4a.derive_private_key(Credentials(AKID, SECRET, TOKEN)).public_key()
    signature = auth_header.rsplit("Signature=", 1)[1]
    assert rec.header("X-Amz-Region-Set") == "*"
    assert _sigv4a.verify_signature(key, signature, string_to_sign)
    assert not _sigv4a.verify_signature(key, signature, string_to_sign + "x")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("argv", "env_extra", "status", "message"),
    [
        (["--service", "s3", "ftp://x/"], {}, ExitStatus.USAGE, "http:// or https://"),
        (["--service", "s3", "-H", "bad", "http://x/"], {}, ExitStatus.USAGE, "Name: value"),
        (["--service", "s3", "-d", "@/no/such/file", "http://x/"], {}, ExitStatus.USAGE,
         "not found"),
        (["--service", "s3", "--region-set", "*", "http://x/"], {}, ExitStatus.USAGE, "--sigv4a"),
        (["http://x/"], {}, ExitStatus.USAGE, "--service"),
        (["--service", "s3", "http://x/"], {"AWS_REGION": ""}, ExitStatus.USAGE, "region"),
        (["--service", "s3", "http://x/"], {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
         ExitStatus.CREDENTIALS, "credentials"),
    ],
)  # fmt: skip
def test_failures_are_one_line_with_a_documented_status(
    tmp_path: Path, argv: list[str], env_extra: dict[str, str], status: int, message: str
) -> None:
    env = {k: v for k, v in aws_env(tmp_path, **env_extra).items() if v}
    result = run_cli(["request", *argv], env)
    assert result.status == status, result.err
    assert result.out == ""
    assert result.err.count("\n") == 1, result.err
    assert message in result.err
    assert "Traceback" not in result.err


def test_unreachable_endpoint_is_a_transport_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    result = run_cli(["request", "--service", "sts", url], aws_env(tmp_path))
    assert result.status == ExitStatus.TRANSPORT
    assert "cannot connect" in result.err
    assert result.err.count("\n") == 1


def test_traceback_only_on_request(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    result = run_cli(["--traceback", "request", "--service", "sts", url], aws_env(tmp_path))
    assert result.status == ExitStatus.TRANSPORT
    assert "Traceback" in result.err


def test_no_verify_ssl_warns(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["request", "--no-verify-ssl", "--service", "sts", stub.url + "/"], aws_env(tmp_path)
    )
    assert result.status == 0
    assert "not verified" in result.err


def test_profile_flag_picks_the_profile_credentials(stub: Stub, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n")
    env = aws_env(tmp_path, AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    result = run_cli(["request", "--profile", "other", "--service", "sts", stub.url + "/"], env)
    assert result.status == 0, result.err
    assert "Credential=AKIDOTHER/" in (stub.last.header("Authorization") or "")
    missing = run_cli(["request", "--profile", "nope", "--service", "sts", stub.url + "/"], env)
    assert missing.status in (ExitStatus.CREDENTIALS, ExitStatus.USAGE)
    assert missing.err.count("\n") == 1


def test_an_error_without_a_body_still_says_what_happened(stub: Stub, tmp_path: Path) -> None:
    stub.reply(403, b"")
    result = run_cli(["request", "--service", "s3", stub.url + "/k"], aws_env(tmp_path))
    assert result.status == ExitStatus.SERVICE
    assert "403" in result.err
    assert "Forbidden" in result.err


def test_request_goes_through_a_proxy_from_the_environment(stub: Stub, tmp_path: Path) -> None:
    env = aws_env(tmp_path, HTTP_PROXY=stub.url)
    result = run_cli(["request", "--service", "sts", "http://sts.invalid/?a=1"], env)
    assert result.status == 0, result.err
    assert stub.last.target == "http://sts.invalid/?a=1"
    assert stub.last.header("Host") == "sts.invalid"
