"""The verifier on its own: the reference's captured boto3 signature, SigV4a, each failure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.auth.access import Grant, KeyPair
from sigv4_dataapi._server.auth.verify import ReceivedRequest, authenticate
from sigv4_dataapi._sigv4.sign import SigningSettings, sign_request

# rds-data-api.md §7.3: a request botocore signed with a fixed clock
BODY = (
    b'{"resourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:mydb", "secretArn": '
    b'"arn:aws:secretsmanager:us-east-1:123456789012:secret:mysecret-AbCdEf", "sql": '
    b'"SELECT :id", "parameters": [{"name": "id", "value": {"longValue": 1}}]}'
)
WHEN = datetime(2024, 1, 15, 12, 0, 0, tzinfo=timezone.utc)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SCOPE = "AKIDEXAMPLE/20240115/us-east-1/rds-data/aws4_request"


def _captured(
    signature: str, signed: str, extra: tuple[tuple[str, str], ...] = ()
) -> ReceivedRequest:
    headers = (
        ("Host", "rds-data.us-east-1.amazonaws.com"),
        ("Content-Type", "application/json"),
        ("X-Amz-Date", "20240115T120000Z"),
        *extra,
        ("Authorization", f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders={signed}, "
                          f"Signature={signature}"),
        ("User-Agent", "Boto3/1.44.8"),
    )  # fmt: skip
    return ReceivedRequest("POST", "/Execute", "", headers, BODY)


def test_captured_botocore_signature_verifies() -> None:
    keys = {"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET)}
    request = _captured(
        "f7690cb67b55713221508309cf35db09705c71f36ce2d985288a222982d7f6fd",
        "content-type;host;x-amz-date",
    )
    assert authenticate(request, keys, region="us-east-1", now=WHEN) is keys["AKIDEXAMPLE"]


def test_captured_signature_with_session_token_verifies() -> None:
    keys = {"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET, "EXAMPLESESSIONTOKEN")}
    request = _captured(
        "92e5cbd9c0358f167c2bb373ea70530185c5a4de8ede2a0ffdeb6e5c68a6c4f1",
        "content-type;host;x-amz-date;x-amz-security-token",
        (("X-Amz-Security-Token", "EXAMPLESESSIONTOKEN"),),
    )
    assert authenticate(request, keys, region="us-east-1", now=WHEN + timedelta(minutes=4))


def _signed(settings: SigningSettings | None = None, region: str = "us-east-1") -> ReceivedRequest:
    url = "https://127.0.0.1:8443/Execute"
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1:8443"}
    result = sign_request(
        "POST", url, headers=headers, body=BODY, credentials=Credentials("AKIDEXAMPLE", SECRET),
        region=region, service="rds-data", now=WHEN, settings=settings or SigningSettings(),
    )  # fmt: skip
    pairs = [*headers.items(), *result.headers.items()]
    return ReceivedRequest("POST", "/Execute", "", pairs, BODY)


def test_sigv4a_signature_verifies() -> None:
    keys = {"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET)}
    request = _signed(SigningSettings(algorithm="AWS4-ECDSA-P256-SHA256"), region="*")
    assert authenticate(request, keys, region="us-east-1", now=WHEN)


@pytest.mark.parametrize(
    ("keys", "region", "now", "code", "text"),
    [
        ({}, "us-east-1", WHEN, "UnrecognizedClientException", "security token"),
        ({"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", "other")}, "us-east-1", WHEN,
         "InvalidSignatureException", "does not match"),
        ({"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET, "TOKEN")}, "us-east-1", WHEN,
         "UnrecognizedClientException", "security token"),
        ({"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET)}, "eu-west-1", WHEN,
         "InvalidSignatureException", "valid region"),
        ({"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET)}, "us-east-1",
         WHEN + timedelta(minutes=5, seconds=1), "InvalidSignatureException", "Signature expired"),
    ],
)  # fmt: skip
def test_failures(
    keys: dict[str, KeyPair], region: str, now: datetime, code: str, text: str
) -> None:
    with pytest.raises(ApiError) as caught:
        authenticate(_signed(), keys, region=region, now=now)
    assert (caught.value.code, caught.value.status) == (code, 403)
    assert text in caught.value.message


def test_grants() -> None:
    grant = Grant(("rds-data:Execute*",), ("arn:aws:rds:*:*:cluster:app-?",))
    assert grant.allows("ExecuteStatement", "arn:aws:rds:us-east-1:1:cluster:app-1")
    assert not grant.allows("BeginTransaction", "arn:aws:rds:us-east-1:1:cluster:app-1")
    assert not grant.allows("ExecuteStatement", "arn:aws:rds:us-east-1:1:cluster:app-12")
    key = KeyPair("AKIA", "sekrit-value", "tok3n-value", grants=(grant,))
    with pytest.raises(ApiError) as caught:
        key.authorize("BeginTransaction", "arn:x")
    assert caught.value.code == "AccessDeniedException"
    assert "sekrit" not in repr(key) and "tok3n" not in repr(key)


def test_content_sha256_header_variants() -> None:
    keys = {"AKIDEXAMPLE": KeyPair("AKIDEXAMPLE", SECRET)}
    for settings in (
        SigningSettings(content_sha256_header=True),
        SigningSettings(content_sha256_header=True, unsigned_payload=True),
    ):
        assert authenticate(_signed(settings), keys, region="us-east-1", now=WHEN)
