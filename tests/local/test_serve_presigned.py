"""Presigned (query-string) SigV4 over HTTPS: accepted when right, 403 when expired or wrong.

Two signers: this project's (``signature_location="query"``), and botocore's own
``SigV4QueryAuth``. botocore's ``add_auth`` moves a JSON body into the query
(it was written for query-protocol services), so the botocore requests here run
its steps by hand and keep the body in the body: its canonicalisation, scope,
expiry parameters and signature, the request shape a JSON service needs.
Every refused request is an INSERT; the ``victim`` table must stay empty. On each
engine: SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.sign import SigningSettings, sign_request


def _body(endpoint: Any, sql: str) -> bytes:
    return json.dumps({"sql": sql, **endpoint.arns}).encode()


def _ours(
    endpoint: Any,
    body: bytes,
    *,
    now: datetime | None = None,
    secret: str | None = None,
    **settings: Any,
) -> tuple[str, dict[str, str]]:
    """A URL presigned by this project's signer, and the headers to send with it."""
    url = endpoint.endpoint + "/Execute"
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=headers, body=body,
        credentials=Credentials(endpoint.access_key_id, secret or endpoint.secret_access_key),
        region=endpoint.region, service="rds-data", now=now or datetime.now(timezone.utc),
        settings=SigningSettings(signature_location="query", **settings),
    )  # fmt: skip
    assert "Authorization" not in signed.headers and "X-Amz-Signature=" in signed.url
    return signed.url, headers


def _botocore(
    endpoint: Any, body: bytes, *, now: datetime, expires: int = 300, secret: str | None = None
) -> tuple[str, dict[str, str]]:
    """``SigV4QueryAuth.add_auth`` step by step, with the JSON body left in the body."""
    url = endpoint.endpoint + "/Execute"
    request = AWSRequest("POST", url, headers={"Content-Type": "application/json"})
    credentials = BotoCredentials(endpoint.access_key_id, secret or endpoint.secret_access_key)
    signer = SigV4QueryAuth(credentials, "rds-data", endpoint.region, expires=expires)
    request.context["timestamp"] = now.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)  # the query auth parameters
    request.data = body  # after the step that would have moved it into the query
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return request.url, {"Content-Type": "application/json"}


def _post(endpoint: Any, url: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    with httpx.Client(verify=endpoint.httpx_verify) as client:
        return client.post(url, content=body, headers=headers)


def _refused(response: httpx.Response, code: str, text: str) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    assert text in response.json()["message"]
    assert response.headers["x-amzn-RequestId"]


def test_our_presigned_url_gets_an_answer(engine_endpoint: Any) -> None:
    body = _body(engine_endpoint, "SELECT 41 + 1 AS answer")
    response = _post(engine_endpoint, *_ours(engine_endpoint, body), body)
    assert response.status_code == 200, response.text
    assert response.json()["records"] == [[{"longValue": 42}]]


def test_presigned_with_unsigned_payload(engine_endpoint: Any) -> None:
    body = _body(engine_endpoint, "SELECT 'unsigned'")
    response = _post(engine_endpoint, *_ours(engine_endpoint, body, unsigned_payload=True), body)
    assert response.status_code == 200, response.text
    assert response.json()["records"] == [[{"stringValue": "unsigned"}]]


def test_botocore_sigv4_query_auth_gets_an_answer(engine_endpoint: Any) -> None:
    body = _body(engine_endpoint, "SELECT 7 AS seven")
    url, headers = _botocore(engine_endpoint, body, now=datetime.now(timezone.utc))
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    response = _post(engine_endpoint, url, headers, body)
    assert response.status_code == 200, response.text
    assert response.json()["records"] == [[{"longValue": 7}]]


def test_expired_presigned_urls_are_refused(engine_endpoint: Any, victim: str) -> None:
    body = _body(engine_endpoint, f"INSERT INTO {victim} VALUES (1)")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    for url, headers in (
        _ours(engine_endpoint, body, now=an_hour_ago, expires_in=1800),
        _botocore(engine_endpoint, body, now=an_hour_ago, expires=1800),
    ):
        _refused(_post(engine_endpoint, url, headers, body), "InvalidSignatureException",
                 "Signature expired")  # fmt: skip


def test_presigned_url_lives_its_expires_not_five_minutes(engine_endpoint: Any) -> None:
    body = _body(engine_endpoint, "SELECT 1")
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    url, headers = _ours(engine_endpoint, body, now=an_hour_ago, expires_in=7200)
    response = _post(engine_endpoint, url, headers, body)
    assert response.status_code == 200, response.text


def test_wrong_key_changed_body_or_query_are_refused(engine_endpoint: Any, victim: str) -> None:
    body = _body(engine_endpoint, f"INSERT INTO {victim} VALUES (1)")
    now = datetime.now(timezone.utc)
    wrong_secret = _ours(engine_endpoint, body, secret="not-the-secret")
    url, headers = _botocore(engine_endpoint, body, now=now)
    other_body = _body(engine_endpoint, f"INSERT INTO {victim} VALUES (2)")
    _refused(_post(engine_endpoint, *wrong_secret, body), "InvalidSignatureException",
             "does not match")  # fmt: skip
    _refused(_post(engine_endpoint, url, headers, other_body), "InvalidSignatureException",
             "does not match")  # fmt: skip
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=3000")
    _refused(_post(engine_endpoint, longer, headers, body), "InvalidSignatureException",
             "does not match")  # fmt: skip


def test_malformed_query_signatures(engine_endpoint: Any, victim: str) -> None:
    body = _body(engine_endpoint, f"INSERT INTO {victim} VALUES (1)")
    url, headers = _ours(engine_endpoint, body)
    cases = {
        url.replace("X-Amz-Date=", "X-Amz-Nope="): "requires the X-Amz-Algorithm",
        url.replace("X-Amz-Expires=3600", "X-Amz-Expires=604801"): "X-Amz-Expires must be",
        url.replace("X-Amz-Expires=3600", "X-Amz-Expires=-1"): "X-Amz-Expires must be",
        url.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-MD5"): "Unsupported AWS 'algorithm'",
    }
    for bad_url, text in cases.items():
        assert bad_url != url
        _refused(_post(engine_endpoint, bad_url, headers, body), "IncompleteSignatureException",
                 text)  # fmt: skip
    both = {**headers, "Authorization": "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, "
            "Signature=00"}  # fmt: skip
    _refused(_post(engine_endpoint, url, both, body), "IncompleteSignatureException",
             "Only one auth mechanism")  # fmt: skip


def test_presigned_session_token_and_sigv4a(local_endpoint_factory: Any) -> None:
    """The token travels in the query (signed); SigV4a's region set does too."""
    config = {"keys": [{"access_key_id": "AKIAPRESIGNEXAMPLE01",
                        "secret_access_key": "presignSecretExample/01",
                        "session_token": "PRESIGN-TOKEN-EXAMPLE"}]}  # fmt: skip
    endpoint = local_endpoint_factory(config=config)
    endpoint.access_key_id = "AKIAPRESIGNEXAMPLE01"
    endpoint.secret_access_key = "presignSecretExample/01"
    body = _body(endpoint, "SELECT 3")
    url = endpoint.endpoint + "/Execute"
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    for settings, token in (
        (SigningSettings(signature_location="query"), "PRESIGN-TOKEN-EXAMPLE"),
        (SigningSettings(signature_location="query", algorithm="AWS4-ECDSA-P256-SHA256"),
         "PRESIGN-TOKEN-EXAMPLE"),
        (SigningSettings(signature_location="query"), "WRONG-TOKEN"),
    ):  # fmt: skip
        credentials = Credentials(endpoint.access_key_id, endpoint.secret_access_key, token)
        signed = sign_request(
            "POST", url, headers=headers, body=body, credentials=credentials,
            region=endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
            settings=settings,
        )  # fmt: skip
        assert "X-Amz-Security-Token=" in signed.url
        response = _post(endpoint, signed.url, headers, body)
        if token == "WRONG-TOKEN":
            _refused(response, "UnrecognizedClientException", "security token")
        else:
            assert response.status_code == 200, response.text
            assert response.json()["records"] == [[{"longValue": 3}]]
