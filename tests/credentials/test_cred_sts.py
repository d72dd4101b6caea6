"""STS through our own signer, checked against botocore's SigV4 as an oracle,
and the XML parsing of answers and errors."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from cred_fakes import RoutingTransport, ScriptedServer, sts_answer

from sigv4_dataapi._credentials.providers import resolve_credentials
from sigv4_dataapi._credentials.providers._sts import parse_credentials, parse_error
from sigv4_dataapi._errors import CredentialProviderError

NOW = datetime(2029, 12, 31, 23, 0, tzinfo=timezone.utc)
ANSWER = sts_answer("AssumeRole", "ASIAFAKEASSUMED00001", expiration="2030-01-01T01:00:00Z")


def _home(tmp_path: Path, token: str | None) -> dict[str, str]:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text(
        "[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111122223333:role/demo-role\n"
        "source_profile = src\nrole_session_name = demo-session\nexternal_id = a b/c~d\n"
    )
    lines = [
        "[src]",
        "aws_access_key_id = AKIAFAKESOURCE000001",
        "aws_secret_access_key = fakeSourceSecret/abc+def",
    ]
    if token:
        lines.append(f"aws_session_token = {token}")
    (aws / "credentials").write_text("\n".join(lines) + "\n")
    return {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.mark.parametrize("token", [None, "FAKEsourceSESSIONtoken=="])
def test_assume_role_signature_matches_botocore(tmp_path: Path, token: str | None) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    script = [{"request": {"method": "POST", "path": "/"}, "response": {"body": ANSWER}}]
    with ScriptedServer(script) as server:
        transport = RoutingTransport({"sts.eu-west-1.amazonaws.com": server.url})
        source = resolve_credentials(
            env=_home(tmp_path, token), transport=transport, clock=lambda: NOW
        )
        assert source.get().access_key_id == "ASIAFAKEASSUMED00001"
        server.assert_played()
    seen = server.seen[0]
    authorization = seen.headers["authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert seen.headers["x-amz-date"] == "20291231T230000Z"
    assert signed == sorted(
        ["content-type", "host", "x-amz-date"] + (["x-amz-security-token"] if token else [])
    )
    request = AWSRequest(
        method="POST",
        url="https://sts.eu-west-1.amazonaws.com/",
        headers={name: seen.headers[name] for name in signed},
        data=seen.body,
    )
    request.context["timestamp"] = seen.headers["x-amz-date"]
    oracle = SigV4Auth(
        BotoCredentials("AKIAFAKESOURCE000001", "fakeSourceSecret/abc+def", token),
        "sts",
        "eu-west-1",
    )
    expected = oracle.signature(
        oracle.string_to_sign(request, oracle.canonical_request(request)), request
    )
    assert authorization.endswith(f"Signature={expected}")
    assert b"ExternalId=a%20b%2Fc~d" in seen.body


def test_parse_credentials_ignores_namespaces_and_order() -> None:
    xml = ANSWER.replace(
        "<AssumeRoleResponse>",
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    )
    creds = parse_credentials(xml.encode(), "AssumeRole", "assume-role")
    assert creds.session_token == "t"
    assert creds.expiration == datetime(2030, 1, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("body", [b"", b"<x", b"<AssumeRoleResponse/>", b"\xff\xfe"])
def test_parse_credentials_refuses_garbage(body: bytes) -> None:
    with pytest.raises(CredentialProviderError) as info:
        parse_credentials(body, "AssumeRole", "assume-role")
    assert info.value.provider == "assume-role"


def test_parse_error_reads_code_message_request_id() -> None:
    error = parse_error(
        b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredTokenException</Code>"
        b"<Message>expired</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
    assert str(error) == "ExpiredTokenException: expired (request id r-1)"
    assert str(parse_error(b"not xml")) == "(no error document)"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from sigv4_dataapi._server.http.tls import ensure_certificates

    return ensure_certificates(tmp_path_factory.mktemp("tls"), now=datetime.now(timezone.utc))


@pytest.mark.parametrize("where", ["profile", "AWS_CA_BUNDLE", "none", "missing"])
def test_sts_over_https_honours_ca_bundle(tmp_path: Path, tls_files: Any, where: str) -> None:
    """``ca_bundle``/``AWS_CA_BUNDLE`` is the trust store of the chain's AWS calls; without
    it a private CA is refused (and retried, then reported), a missing file is a
    configuration error."""
    from sigv4_dataapi._errors import ConfigurationError
    from sigv4_dataapi._server.http.tls import server_context

    env = _home(tmp_path, None)
    ca = str(tls_files.ca_file)
    if where == "profile":
        with (tmp_path / ".aws" / "config").open("a") as config:
            config.write(f"ca_bundle = {ca}\n")
    elif where == "AWS_CA_BUNDLE":
        env["AWS_CA_BUNDLE"] = ca
    elif where == "missing":
        env["AWS_CA_BUNDLE"] = str(tmp_path / "no-such-ca.pem")
    trusted = where in ("profile", "AWS_CA_BUNDLE")
    script = [{"request": {"method": "POST", "path": "/"}, "response": {"body": ANSWER}}]
    sleeps: list[float] = []
    with ScriptedServer(script if trusted else [], tls=server_context(tls_files)) as server:
        env["AWS_ENDPOINT_URL_STS"] = server.url.replace("127.0.0.1", "localhost")
        source = resolve_credentials(env=env, clock=lambda: NOW, sleep=sleeps.append)
        if trusted:
            assert source.get().access_key_id == "ASIAFAKEASSUMED00001"
            server.assert_played()
        elif where == "none":
            with pytest.raises(
                CredentialProviderError, match="STS AssumeRole failed: ConnectError"
            ):
                source.get()
            assert sleeps == [0.5, 1.0]
        else:
            with pytest.raises(ConfigurationError, match="cannot load ca_bundle"):
                source.get()
