"""Authentication and authorisation: each failure is a 403 with its x-amzn-ErrorType, no SQL runs.

The "no SQL runs" proof: every rejected request is an INSERT into a table that
a correctly signed request then finds empty. On each engine (SQLite, PostgreSQL,
MariaDB) through ``engine_endpoint``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.sign import sign_request

APP_CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:app"
OTHER_CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:other"
APP_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN"


@pytest.fixture(scope="module")
def guarded(local_endpoint_module_factory: Any) -> Any:
    """An endpoint with a config file: a token key limited to ExecuteStatement on app."""
    config = {
        "keys": [
            {
                "access_key_id": "AKIATOKENEXAMPLE0001",
                "secret_access_key": "tokenSecretExample/0001",
                "session_token": TOKEN,
                "principal": "arn:aws:iam::123456789012:user/limited",
                "allow": [{"actions": ["rds-data:ExecuteStatement"], "resources": [APP_CLUSTER]}],
            }
        ],
        "clusters": [
            {"arn": APP_CLUSTER, "database_url": "sqlite:///:memory:"},
            {"arn": OTHER_CLUSTER, "database_url": "sqlite:///:memory:"},
        ],
        "secrets": [{"arn": APP_SECRET, "user": "app"}],
    }
    return local_endpoint_module_factory(config=config)


def _client(endpoint: Any, **overrides: Any) -> Any:
    import boto3
    from botocore.config import Config

    options = {
        "endpoint_url": endpoint.endpoint,
        "verify": endpoint.verify,
        "region_name": endpoint.region,
        "aws_access_key_id": endpoint.access_key_id,
        "aws_secret_access_key": endpoint.secret_access_key,
        "config": Config(retries={"max_attempts": 1}),
        **overrides,
    }
    return boto3.session.Session().client("rds-data", **options)


def _insert(endpoint: Any, client: Any, table: str) -> ClientError:
    with pytest.raises(ClientError) as caught:
        client.execute_statement(sql=f"INSERT INTO {table} VALUES (1)", **endpoint.arns)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert caught.value.response["ResponseMetadata"]["RequestId"]
    return caught.value


def test_unknown_access_key(engine_endpoint: Any, victim: str) -> None:
    client = _client(engine_endpoint, aws_access_key_id="AKIAUNKNOWNEXAMPLE00")
    error = _insert(engine_endpoint, client, victim).response["Error"]
    assert error["Code"] == "UnrecognizedClientException"
    assert error["Message"] == "The security token included in the request is invalid."


def test_wrong_secret_key(engine_endpoint: Any, victim: str) -> None:
    client = _client(engine_endpoint, aws_secret_access_key="not-the-secret")
    error = _insert(engine_endpoint, client, victim).response["Error"]
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith("The request signature we calculated does not match")


def test_scope_for_another_region(engine_endpoint: Any, victim: str) -> None:
    client = _client(engine_endpoint, region_name="eu-west-1")
    error = _insert(engine_endpoint, client, victim).response["Error"]
    assert error["Code"] == "InvalidSignatureException"
    assert "scoped to a valid region" in error["Message"]


def _raw(
    endpoint: Any,
    body: dict[str, Any],
    *,
    now: datetime | None = None,
    service: str = "rds-data",
    credentials: Credentials | None = None,
    drop: tuple[str, ...] = (),
    override: dict[str, str] | None = None,
) -> httpx.Response:
    """POST /Execute signed by our signer, with one thing made wrong."""
    url = f"{endpoint.endpoint}/Execute"
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=headers, body=data,
        credentials=credentials or endpoint.credentials(), region=endpoint.region,
        service=service, now=now or datetime.now(timezone.utc),
    )  # fmt: skip
    sent = {**headers, **signed.headers, **(override or {})}
    sent = {k: v for k, v in sent.items() if k.lower() not in drop}
    with httpx.Client(verify=endpoint.httpx_verify) as client:
        return client.post(url, content=data, headers=sent)


def _insert_body(endpoint: Any, table: str) -> dict[str, Any]:
    return {"sql": f"INSERT INTO {table} VALUES (1)", **endpoint.arns}


def _check(response: httpx.Response, code: str, text: str) -> None:
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert text in response.json()["message"]
    assert response.headers["x-amzn-RequestId"]


def test_scope_for_another_service(engine_endpoint: Any, victim: str) -> None:
    response = _raw(engine_endpoint, _insert_body(engine_endpoint, victim), service="rds")
    _check(response, "InvalidSignatureException", "scoped to correct service: 'rds-data'")


@pytest.mark.parametrize("minutes", [-6, 6])
def test_request_time_more_than_five_minutes_off(
    engine_endpoint: Any, victim: str, minutes: int
) -> None:
    when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    response = _raw(engine_endpoint, _insert_body(engine_endpoint, victim), now=when)
    expected = "Signature expired" if minutes < 0 else "Signature not yet current"
    _check(response, "InvalidSignatureException", expected)


def test_request_time_within_five_minutes_is_fine(engine_endpoint: Any) -> None:
    when = datetime.now(timezone.utc) - timedelta(minutes=4)
    response = _raw(engine_endpoint, {"sql": "SELECT 1", **engine_endpoint.arns}, now=when)
    assert response.status_code == 200
    assert response.json()["records"] == [[{"longValue": 1}]]


def test_missing_authorization(engine_endpoint: Any, victim: str) -> None:
    response = _raw(engine_endpoint, _insert_body(engine_endpoint, victim), drop=("authorization",))
    _check(response, "MissingAuthenticationTokenException", "Missing Authentication Token")


def test_malformed_authorization(engine_endpoint: Any, victim: str) -> None:
    response = _raw(
        engine_endpoint, _insert_body(engine_endpoint, victim),
        override={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE"},
    )  # fmt: skip
    _check(response, "IncompleteSignatureException", "requires 'Signature' parameter")


def test_body_changed_after_signing(engine_endpoint: Any, victim: str) -> None:
    url = f"{engine_endpoint.endpoint}/Execute"
    signed_body = json.dumps({"sql": "SELECT 1", **engine_endpoint.arns}).encode()
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=headers, body=signed_body, credentials=engine_endpoint.credentials(),
        region=engine_endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
    )  # fmt: skip
    tampered = json.dumps(_insert_body(engine_endpoint, victim)).encode()
    with httpx.Client(verify=engine_endpoint.httpx_verify) as client:
        response = client.post(url, content=tampered, headers={**headers, **signed.headers})
    _check(response, "InvalidSignatureException", "signature we calculated does not match")


def _token_client(endpoint: Any, token: str | None) -> Any:
    return _client(
        endpoint,
        aws_access_key_id="AKIATOKENEXAMPLE0001",
        aws_secret_access_key="tokenSecretExample/0001",
        aws_session_token=token,
    )


def test_session_token_right_and_wrong(guarded: Any) -> None:
    arns = {"resourceArn": APP_CLUSTER, "secretArn": APP_SECRET}
    ok = _token_client(guarded, TOKEN).execute_statement(sql="SELECT 1", **arns)
    assert ok["records"] == [[{"longValue": 1}]]
    for token in ("wrong-token", None):
        with pytest.raises(ClientError) as caught:
            _token_client(guarded, token).execute_statement(sql="SELECT 1", **arns)
        assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_action_not_allowed(guarded: Any) -> None:
    client = _token_client(guarded, TOKEN)
    with pytest.raises(ClientError) as caught:
        client.begin_transaction(resourceArn=APP_CLUSTER, secretArn=APP_SECRET)
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "not authorized to perform: rds-data:BeginTransaction" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_resource_not_allowed_runs_no_sql(guarded: Any) -> None:
    client = _token_client(guarded, TOKEN)
    dev = _client(guarded)
    other = {"resourceArn": OTHER_CLUSTER, "secretArn": APP_SECRET}
    dev.execute_statement(sql="CREATE TABLE guarded_victim (x INTEGER)", **other)
    with pytest.raises(ClientError) as caught:
        client.execute_statement(sql="INSERT INTO guarded_victim VALUES (1)", **other)
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    count = dev.execute_statement(sql="SELECT count(*) FROM guarded_victim", **other)
    assert count["records"] == [[{"longValue": 0}]]


def test_clusters_have_their_own_databases(guarded: Any) -> None:
    dev = _client(guarded)
    dev.execute_statement(
        sql="CREATE TABLE only_in_app (x INTEGER)", resourceArn=APP_CLUSTER, secretArn=APP_SECRET
    )
    with pytest.raises(ClientError) as caught:
        dev.execute_statement(
            sql="SELECT * FROM only_in_app", resourceArn=OTHER_CLUSTER, secretArn=APP_SECRET
        )
    assert caught.value.response["Error"]["Code"] == "DatabaseErrorException"


def test_unknown_cluster_and_secret_with_a_config(guarded: Any) -> None:
    dev = _client(guarded)
    with pytest.raises(ClientError) as caught:
        dev.execute_statement(
            sql="SELECT 1", resourceArn="arn:aws:rds:us-east-1:123456789012:cluster:nope",
            secretArn=APP_SECRET,
        )  # fmt: skip
    assert caught.value.response["Error"]["Code"] == "HttpEndpointNotEnabledException"
    with pytest.raises(ClientError) as caught:
        dev.execute_statement(
            sql="SELECT 1", resourceArn=APP_CLUSTER,
            secretArn="arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf",
        )  # fmt: skip
    assert caught.value.response["Error"]["Code"] == "SecretsErrorException"
