"""Statement timeouts, ``continueAfterTimeout``, and concurrency (threads and async clients).

Robust on a loaded machine: nothing asserts how fast anything is. "A slow
statement does not block the others" is proved by order, not by speed: the slow
statement is seen running (its v2 transaction answers "still running a query"),
the other calls complete, and it is seen still running afterwards. Statements
meant to outlive a test run for hours; the endpoint's shutdown cancels them.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from _waits import error_code, poll
from botocore.exceptions import ClientError

from sigv4_dataapi._sigv4.httpx_auth import SigV4Auth
from sigv4_dataapi._sigv4.sign import sign_request

# ~3-4 M rows/s on SQLite unloaded: n=10**10 runs for hours, n=4*10**6 for about a second
COUNT = (
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "
    "SELECT count(*) FROM c"
)
ENDLESS = COUNT.format(n=10**10)
BUSY = "Transaction is still running a query"


def _busy(rds: Any, endpoint: Any, tx: str) -> bool:
    """True while a statement runs on ``tx`` (v2 refuses a second call at once)."""
    try:
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    except ClientError as exc:
        return bool(exc.response["Error"]["Message"] == BUSY)
    return False


def test_statement_timeout_cancels(local_endpoint_factory: Any) -> None:
    """The statement would run for hours: its error, not a result, proves it was cancelled."""
    endpoint = local_endpoint_factory("--statement-timeout", "0.5")
    rds = endpoint.boto3_client(read_timeout=120)
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql=ENDLESS, **endpoint.arns)
    response = caught.value.response
    assert response["Error"]["Code"] == "StatementTimeoutException"
    assert response["Error"]["Message"] == "The statement timed out after 0.5 seconds."
    assert isinstance(response["dbConnectionId"], int)
    assert rds.execute_statement(sql="SELECT 1", **endpoint.arns)["records"]


def test_continue_after_timeout_keeps_running(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--statement-timeout", "0.3")
    rds = endpoint.boto3_client()
    rds.execute_statement(sql="CREATE TABLE done (n INTEGER)", **endpoint.arns)
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    rows = 6_000_000  # seconds: long enough to be seen running after the timeout
    assert error_code(
        rds.execute_statement, sql="INSERT INTO done " + COUNT.format(n=rows), transactionId=tx,
        continueAfterTimeout=True, **endpoint.arns,
    ) == "StatementTimeoutException"  # fmt: skip
    assert _busy(rds, endpoint, tx)  # v2: the transaction is still running it
    poll(lambda: error_code(rds.commit_transaction, transactionId=tx, **endpoint.arns) == "",
         "the statement to finish so the commit goes through")  # fmt: skip
    counted = rds.execute_statement(sql="SELECT n FROM done", **endpoint.arns)["records"]
    assert counted == [[{"longValue": rows}]]


def test_v1_queues_a_call_behind_a_running_statement(local_endpoint_factory: Any) -> None:
    """The queued SELECT sees every row the running INSERT wrote: it waited for it."""
    endpoint = local_endpoint_factory("--statement-timeout", "0.3", flavor="v1")
    rds = endpoint.boto3_client(read_timeout=300)
    rds.execute_statement(sql="CREATE TABLE queued (n INTEGER)", **endpoint.arns)
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    insert = "INSERT INTO queued SELECT i FROM (" + COUNT.replace("count(*)", "i") + ")"
    rows = 3_000_000
    assert error_code(
        rds.execute_statement, sql=insert.format(n=rows), transactionId=tx,
        continueAfterTimeout=True, **endpoint.arns,
    ) == "StatementTimeoutException"  # fmt: skip
    seen = rds.execute_statement(sql="SELECT count(*) FROM queued", transactionId=tx,
                                 **endpoint.arns)  # fmt: skip
    assert seen["records"] == [[{"longValue": rows}]]
    rds.commit_transaction(transactionId=tx, **endpoint.arns)


def test_slow_statement_does_not_block_other_connections(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--statement-timeout", "3600")
    slow, probe, other = (endpoint.boto3_client(read_timeout=3600) for _ in range(3))
    tx = slow.begin_transaction(**endpoint.arns)["transactionId"]
    ended: list[BaseException] = []

    def endless() -> None:
        try:
            slow.execute_statement(sql=ENDLESS, transactionId=tx, **endpoint.arns)
        except Exception as exc:  # it ends only with the endpoint
            ended.append(exc)

    caller = threading.Thread(target=endless, daemon=True)
    caller.start()
    poll(lambda: _busy(probe, endpoint, tx), "the slow statement to be running")
    for i in range(5):
        answer = other.execute_statement(sql=f"SELECT {i}", **endpoint.arns)
        assert answer["records"] == [[{"longValue": i}]]
    assert _busy(probe, endpoint, tx)  # the others got their answers while it ran
    assert endpoint.stop() == 0  # cancels it; the slow call ends here, not in a later test
    caller.join(timeout=60)
    assert ended and not caller.is_alive()


def _signed_post(endpoint: Any, **fields: Any) -> tuple[str, bytes, dict[str, str]]:
    """URL, body and signed headers of an ExecuteStatement call with ``fields``."""
    url = endpoint.endpoint + "/Execute"
    body = json.dumps({**fields, **endpoint.arns}).encode()
    base = {"Content-Type": "application/json", "Host": url.split("/")[2]}
    signed = sign_request(
        "POST", url, headers=base, body=body, credentials=endpoint.credentials(),
        region=endpoint.region, service="rds-data", now=datetime.now(timezone.utc),
    )  # fmt: skip
    return url, body, {**base, **signed.headers}


async def _execute(client: httpx.AsyncClient, endpoint: Any, **fields: Any) -> Any:
    url, body, headers = _signed_post(endpoint, **fields)
    response = await client.post(url, content=body, headers=headers)
    return response.json()


def test_many_async_clients_at_once(local_endpoint: Any) -> None:
    """120 calls over 40 simultaneous connections (httpx async + the project's SigV4Auth)."""
    auth = SigV4Auth(local_endpoint.credentials(), region=local_endpoint.region,
                     service="rds-data")  # fmt: skip
    url = local_endpoint.endpoint + "/Execute"

    async def one(client: httpx.AsyncClient, i: int) -> Any:
        reply = await client.post(url, json={"sql": f"SELECT {i} AS i", **local_endpoint.arns})
        return reply.json()["records"][0][0]["longValue"]

    async def main() -> list[Any]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(
            verify=local_endpoint.httpx_verify, limits=limits, auth=auth
        ) as client:
            return await asyncio.gather(*(one(client, i) for i in range(120)))

    assert asyncio.run(main()) == list(range(120))


def test_async_clients_are_not_blocked_by_a_slow_statement(local_endpoint_factory: Any) -> None:
    """An async client's endless call is in flight; 30 other async calls all get answers."""
    endpoint = local_endpoint_factory("--statement-timeout", "3600")
    probe = endpoint.boto3_client()
    tx = probe.begin_transaction(**endpoint.arns)["transactionId"]

    def running() -> bool:
        return _busy(probe, endpoint, tx)

    async def main() -> list[Any]:
        timeout = httpx.Timeout(60.0, read=3600.0)
        async with httpx.AsyncClient(verify=endpoint.httpx_verify, timeout=timeout) as client:
            slow = asyncio.ensure_future(_execute(client, endpoint, sql=ENDLESS, transactionId=tx))
            await asyncio.to_thread(poll, running, "the slow statement to be running")
            replies = await asyncio.gather(
                *(_execute(client, endpoint, sql=f"SELECT {i}") for i in range(30))
            )
            assert await asyncio.to_thread(running) and not slow.done()
            slow.cancel()
        return [reply["records"][0][0]["longValue"] for reply in replies]

    assert asyncio.run(main()) == list(range(30))
