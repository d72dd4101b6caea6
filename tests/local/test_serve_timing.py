"""Time-driven behaviour: pause/resume, transaction expiry, statement timeouts, concurrency.

Each test starts its own endpoint with shortened timings (``--pause-after``,
``--transaction-idle-timeout``...), so the waits stay around a second.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

# ~1.5 M rows/s: a statement that runs for a few seconds on SQLite
SLOW = (
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "
    "SELECT count(*) FROM c"
)


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_pause_and_resume_v2(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--pause-after", "1", "--resume-seconds", "1")
    rds = endpoint.boto3_client()
    assert rds.execute_statement(sql="SELECT 1", **endpoint.arns)["records"]
    time.sleep(1.3)
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", **endpoint.arns)
    error = caught.value.response["Error"]
    assert error["Code"] == "DatabaseResumingException"
    assert "is resuming after being auto-paused" in error["Message"]
    assert _code(rds.begin_transaction, **endpoint.arns) == "DatabaseResumingException"
    time.sleep(1.1)
    assert rds.execute_statement(sql="SELECT 2", **endpoint.arns)["records"] == [
        [{"longValue": 2}]
    ]


def test_start_paused_v1_communications_link_failure(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory(
        "--start-paused", "--resume-seconds", "0.5", flavor="v1"
    )
    rds = endpoint.boto3_client()
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", **endpoint.arns)
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith("Communications link failure")
    time.sleep(0.7)
    assert rds.execute_statement(sql="SELECT 1", **endpoint.arns)["records"]


def test_auth_failure_does_not_wake_a_paused_cluster(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--start-paused", "--resume-seconds", "0.3")
    import boto3

    bad = boto3.session.Session().client(
        "rds-data", endpoint_url=endpoint.endpoint, verify=endpoint.verify,
        region_name=endpoint.region, aws_access_key_id=endpoint.access_key_id,
        aws_secret_access_key="wrong",
    )  # fmt: skip
    assert _code(bad.execute_statement, sql="SELECT 1", **endpoint.arns) == (
        "InvalidSignatureException"
    )
    time.sleep(0.5)
    rds = endpoint.boto3_client()
    assert _code(rds.execute_statement, sql="SELECT 1", **endpoint.arns) == (
        "DatabaseResumingException"
    )


def test_transaction_expires_when_idle(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--transaction-idle-timeout", "1")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    time.sleep(0.6)
    rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)  # a use resets it
    time.sleep(0.6)
    rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    time.sleep(1.6)
    assert _code(rds.execute_statement, sql="SELECT 1", transactionId=tx, **endpoint.arns) == (
        "TransactionNotFoundException"
    )


def test_transaction_expires_after_its_total_age(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--transaction-max-age", "1.5")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    for _ in range(3):
        time.sleep(0.4)
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    time.sleep(0.6)
    assert _code(rds.commit_transaction, transactionId=tx, **endpoint.arns) == (
        "TransactionNotFoundException"
    )


def test_expired_transaction_is_rolled_back(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--transaction-idle-timeout", "0.5")
    rds = endpoint.boto3_client()
    rds.execute_statement(sql="CREATE TABLE kept (x INTEGER)", **endpoint.arns)
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    rds.execute_statement(sql="INSERT INTO kept VALUES (1)", transactionId=tx, **endpoint.arns)
    time.sleep(1.8)  # the housekeeping thread expires it without any call
    rds.execute_statement(sql="INSERT INTO kept VALUES (2)", **endpoint.arns)  # no lock left
    rows = rds.execute_statement(sql="SELECT x FROM kept", **endpoint.arns)["records"]
    assert rows == [[{"longValue": 2}]]


def test_statement_timeout_cancels(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--statement-timeout", "0.5")
    rds = endpoint.boto3_client()
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql=SLOW.format(n=100_000_000), **endpoint.arns)
    assert time.monotonic() - started < 10
    response = caught.value.response
    assert response["Error"]["Code"] == "StatementTimeoutException"
    assert isinstance(response["dbConnectionId"], int)
    assert rds.execute_statement(sql="SELECT 1", **endpoint.arns)["records"]


def test_continue_after_timeout_keeps_running(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--statement-timeout", "0.3")
    rds = endpoint.boto3_client()
    rds.execute_statement(sql="CREATE TABLE done (n INTEGER)", **endpoint.arns)
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    slow_insert = "INSERT INTO done " + SLOW.format(n=1_500_000)
    assert _code(
        rds.execute_statement, sql=slow_insert, transactionId=tx, continueAfterTimeout=True,
        **endpoint.arns,
    ) == "StatementTimeoutException"  # fmt: skip
    with pytest.raises(ClientError) as caught:  # v2: the transaction is still busy
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    assert caught.value.response["Error"]["Message"] == "Transaction is still running a query"
    deadline = time.monotonic() + 30
    while True:
        try:
            rds.commit_transaction(transactionId=tx, **endpoint.arns)
            break
        except ClientError:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    rows = rds.execute_statement(sql="SELECT n FROM done", **endpoint.arns)["records"]
    assert rows == [[{"longValue": 1_500_000}]]


def test_v1_queues_concurrent_calls_on_a_transaction(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory(flavor="v1")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    results: list[Any] = []
    slow = threading.Thread(
        target=lambda: results.append(
            rds.execute_statement(sql=SLOW.format(n=1_000_000), transactionId=tx, **endpoint.arns)
        )
    )
    slow.start()
    time.sleep(0.2)
    other = endpoint.boto3_client()
    quick = other.execute_statement(sql="SELECT 7", transactionId=tx, **endpoint.arns)
    slow.join()
    assert quick["records"] == [[{"longValue": 7}]]
    assert results[0]["records"] == [[{"longValue": 1_000_000}]]
    rds.commit_transaction(transactionId=tx, **endpoint.arns)


def test_slow_statement_does_not_block_other_connections(local_endpoint: Any) -> None:
    rds = local_endpoint.boto3_client()
    slow = threading.Thread(
        target=lambda: rds.execute_statement(sql=SLOW.format(n=6_000_000), **local_endpoint.arns)
    )
    slow.start()
    time.sleep(0.1)
    other = local_endpoint.boto3_client()
    started = time.monotonic()
    for _ in range(5):
        other.execute_statement(sql="SELECT 1", **local_endpoint.arns)
    quick = time.monotonic() - started
    slow.join()
    assert quick < 2.0  # the slow one takes about 4 s


def test_many_async_clients_at_once(local_endpoint: Any) -> None:
    """40 simultaneous connections (httpx async, our signer): every answer is its own."""
    import asyncio
    import json
    from datetime import datetime, timezone

    import httpx

    from sigv4_dataapi._sigv4 import sign_request

    url = local_endpoint.endpoint + "/Execute"
    base = {"Content-Type": "application/json", "Host": url.split("/")[2]}

    async def one(client: httpx.AsyncClient, index: int) -> Any:
        body = json.dumps({"sql": f"SELECT {index} AS i", **local_endpoint.arns}).encode()
        signed = sign_request(
            "POST", url, headers=base, body=body, credentials=local_endpoint.credentials(),
            region=local_endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
        )  # fmt: skip
        response = await client.post(url, content=body, headers={**base, **signed.headers})
        return response.json()["records"][0][0]["longValue"]

    async def main() -> list[Any]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(verify=local_endpoint.httpx_verify, limits=limits) as client:
            return await asyncio.gather(*(one(client, i) for i in range(120)))

    assert asyncio.run(main()) == list(range(120))
