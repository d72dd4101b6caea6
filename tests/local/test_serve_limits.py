"""The service's limits, and the v1/v2 flavours' different answers to them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from sigv4_dataapi._sigv4.sign import sign_request

MIB = 1024 * 1024


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response: dict[str, Any] = caught.value.response
    assert response["ResponseMetadata"]["RequestId"]
    return response


@pytest.fixture(scope="module")
def v1(local_endpoint_module_factory: Any) -> Any:
    return local_endpoint_module_factory(flavor="v1")


def test_result_over_one_mib(engine_endpoint: Any, rds: Any, dialect: Any) -> None:
    sql = dialect.rows(20, dialect.repeat(60_000))  # 20 rows of 60 KB: 1.2 MB in all
    response = _error(rds.execute_statement, sql=sql, **engine_endpoint.arns)
    assert response["Error"]["Code"] == "UnsupportedResultException"
    assert response["Error"]["Message"] == "The result exceeds the size limit 1 MB."
    sql = dialect.rows(16, dialect.repeat(60_000))
    fits = rds.execute_statement(sql=sql, **engine_endpoint.arns)
    assert len(fits["records"]) == 16


def test_row_over_64_kb(engine_endpoint: Any, rds: Any, dialect: Any) -> None:
    response = _error(
        rds.execute_statement, sql=dialect.rows(1, dialect.repeat(70_000)), **engine_endpoint.arns
    )
    assert response["Error"]["Code"] == "UnsupportedResultException"
    assert "Packet for query is too large" in response["Error"]["Message"]


def test_result_over_one_mib_aborts_the_transaction(local_endpoint: Any) -> None:
    rds = local_endpoint.rds
    tx = rds.begin_transaction(**local_endpoint.arns)["transactionId"]
    sql = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20) " \
          "SELECT zeroblob(60000) FROM c"  # fmt: skip
    _error(rds.execute_statement, sql=sql, transactionId=tx, **local_endpoint.arns)
    response = _error(rds.commit_transaction, transactionId=tx, **local_endpoint.arns)
    assert response["Error"]["Code"] == "TransactionNotFoundException"


def test_sql_length_limit(local_endpoint: Any) -> None:
    rds = local_endpoint.rds
    head = "SELECT 1 AS x "
    exactly = head + "-" * (65536 - len(head))  # a trailing comment pads it to 65,536 characters
    assert rds.execute_statement(sql=exactly, **local_endpoint.arns)["records"] == [
        [{"longValue": 1}]
    ]
    response = _error(rds.execute_statement, sql=exactly + "-", **local_endpoint.arns)
    assert response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 65536" in response["Error"]["Message"]


def test_request_over_four_mib(local_endpoint: Any) -> None:
    rds = local_endpoint.rds
    big = {"name": "p", "value": {"stringValue": "x" * (4 * MIB)}}
    response = _error(
        rds.execute_statement, sql="SELECT :p", parameters=[big], **local_endpoint.arns
    )
    assert response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert rds.execute_statement(sql="SELECT 2", **local_endpoint.arns)["records"] == [
        [{"longValue": 2}]
    ]


def test_string_booleans_and_any_key_order_are_accepted(local_endpoint: Any) -> None:
    """Hand-written request files carry ``"includeResultMetadata": "true"``."""
    body = {
        "includeResultMetadata": "true",
        "formatRecordsAs": "NONE",
        "sql": "show tables;",
        "database": "main",
        **local_endpoint.arns,
    }
    response = _post(local_endpoint, "/Execute", body)
    assert response.status_code == 200
    assert response.json()["columnMetadata"][0]["label"] == "Tables_in_main"


def _post(endpoint: Any, path: str, body: dict[str, Any]) -> httpx.Response:
    from datetime import datetime, timezone

    url = endpoint.endpoint + path
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=headers, body=data, credentials=endpoint.credentials(),
        region=endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
    )  # fmt: skip
    with httpx.Client(verify=endpoint.httpx_verify) as client:
        return client.post(url, content=data, headers={**headers, **signed.headers})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "SerializationException"),
        (
            b'{"sql": 5, "resourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:local",'
            b' "secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:local"}',
            "SerializationException",
        ),
        (b'{"sql": "SELECT 1"}', "ValidationException"),
    ],
)
def test_malformed_bodies(local_endpoint: Any, body: bytes, code: str) -> None:
    from datetime import datetime, timezone

    url = local_endpoint.endpoint + "/Execute"
    headers = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=headers, body=body, credentials=local_endpoint.credentials(),
        region=local_endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
    )  # fmt: skip
    with httpx.Client(verify=local_endpoint.httpx_verify) as client:
        response = client.post(url, content=body, headers={**headers, **signed.headers})
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert response.json()["message"]


def test_invalid_enum_values(local_endpoint: Any) -> None:
    rds = local_endpoint.rds
    response = _error(
        rds.execute_statement, sql="SELECT 1", formatRecordsAs="XML", **local_endpoint.arns
    )
    assert response["Error"]["Code"] == "ValidationException"
    assert "[NONE, JSON]" in response["Error"]["Message"]


def test_unknown_path_after_authentication(local_endpoint: Any) -> None:
    response = _post(local_endpoint, "/Nope", {})
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"


# -- flavour v1 -----------------------------------------------------------------------------


def test_v1_sql_error_is_bad_request(v1: Any) -> None:
    response = _error(v1.rds.execute_statement, sql="SELEKT 1", **v1.arns)
    assert response["Error"]["Code"] == "BadRequestException"
    assert response["Error"]["Message"].startswith("Database error code: ")


def test_v1_result_over_one_mib(v1: Any) -> None:
    sql = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20) " \
          "SELECT zeroblob(60000) FROM c"  # fmt: skip
    response = _error(v1.rds.execute_statement, sql=sql, **v1.arns)
    assert response["Error"]["Code"] == "BadRequestException"
    assert response["Error"]["Message"] == (
        "Database returned more than the allowed response size limit"
    )


def test_v1_ignores_schema_and_lets_the_engine_judge_multistatements(v1: Any) -> None:
    rds = v1.rds
    assert rds.execute_statement(sql="SELECT 1", schema="x", **v1.arns)["records"] == [
        [{"longValue": 1}]
    ]
    response = _error(rds.execute_statement, sql="SELECT 1; SELECT 2", **v1.arns)
    assert response["Error"]["Code"] == "BadRequestException"


def test_v1_unknown_transaction(v1: Any) -> None:
    rds = v1.rds
    response = _error(rds.execute_statement, sql="SELECT 1", transactionId="AQAgone", **v1.arns)
    assert response["Error"]["Code"] == "BadRequestException"
    assert response["Error"]["Message"] == (
        "Transaction AQAgone is not found. Transaction may be expired"
    )
    response = _error(rds.commit_transaction, transactionId="AQAgone", **v1.arns)
    assert response["Error"]["Code"] == "NotFoundException"


def test_v1_execute_sql(v1: Any) -> None:
    rds = v1.rds
    reply = rds.execute_sql(
        dbClusterOrInstanceArn=v1.resource_arn, awsSecretStoreArn=v1.secret_arn,
        sqlStatements="SELECT 1 AS a, 'x' AS b; SELECT NULL AS c",
    )  # fmt: skip
    first, second = reply["sqlStatementResults"]
    assert first["resultFrame"]["records"] == [
        {"values": [{"bigIntValue": 1}, {"stringValue": "x"}]}
    ]
    assert first["resultFrame"]["resultSetMetadata"]["columnCount"] == 2
    assert second["resultFrame"]["records"] == [{"values": [{"isNull": True}]}]


def test_v2_refuses_execute_sql(local_endpoint: Any) -> None:
    rds = local_endpoint.rds
    response = _error(
        rds.execute_sql, dbClusterOrInstanceArn=local_endpoint.resource_arn,
        awsSecretStoreArn=local_endpoint.secret_arn, sqlStatements="SELECT 1",
    )  # fmt: skip
    assert response["Error"]["Code"] == "BadRequestException"


@pytest.mark.postgres
def test_v1_postgresql_multistatement_answers_the_first(
    local_endpoint_factory: Any, postgres_url: str
) -> None:
    endpoint = local_endpoint_factory(flavor="v1", database_url=postgres_url, engine="postgres")
    rds = endpoint.rds
    table = "v1_multi_" + endpoint.state_dir.name.replace("-", "_")
    reply = rds.execute_statement(
        sql=f"CREATE TABLE {table} (x int); INSERT INTO {table} VALUES (1); SELECT 2 AS two",
        **endpoint.arns,
    )
    assert "records" not in reply  # the first statement's (empty) answer
    try:
        count = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **endpoint.arns)
        assert count["records"] == [[{"longValue": 1}]]  # every statement ran
    finally:
        rds.execute_statement(sql=f"DROP TABLE {table}", **endpoint.arns)


@pytest.mark.parametrize(
    ("flavor", "code", "status"),
    [("v2", "DatabaseUnavailableException", 504), ("v1", "BadRequestException", 400)],
)
def test_unreachable_database(
    local_endpoint_factory: Any, flavor: str, code: str, status: int
) -> None:
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is not installed")
    endpoint = local_endpoint_factory(
        flavor=flavor, database_url="postgresql://postgres@127.0.0.1:1/test", engine="postgres"
    )  # port 1: nothing listens there
    response = _error(endpoint.rds.execute_statement, sql="SELECT 1", **endpoint.arns)
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    if flavor == "v1":
        assert response["Error"]["Message"].startswith("Communications link failure")
