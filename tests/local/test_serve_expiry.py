"""Transactions expire after ``--transaction-idle-timeout`` idle or ``--transaction-max-age``.

Robust on a loaded machine: the margins between "still alive" and "expired" are
seconds wide, waits past a deadline are lower bounds (a longer sleep changes
nothing), and nothing asserts how fast a call is. Each test runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from _waits import error_code, poll


@pytest.mark.slow
def test_transaction_expires_when_idle(engine_factory: Any) -> None:
    endpoint = engine_factory("--transaction-idle-timeout", "3")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    for _ in range(4):  # 2 s in all, each gap far below 3 s: every use resets the clock
        time.sleep(0.5)
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    time.sleep(3.5)  # idle for longer than the timeout
    assert error_code(rds.execute_statement, sql="SELECT 1", transactionId=tx,
                      **endpoint.arns) == "TransactionNotFoundException"  # fmt: skip


@pytest.mark.slow
def test_transaction_expires_after_its_total_age(engine_factory: Any) -> None:
    endpoint = engine_factory("--transaction-max-age", "4")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    begun = time.monotonic()  # the server's clock started no later than this
    for _ in range(3):  # used all along: only the total age can end it
        time.sleep(0.2)
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    time.sleep(max(0.0, begun + 4.5 - time.monotonic()))
    assert error_code(rds.commit_transaction, transactionId=tx, **endpoint.arns) == (
        "TransactionNotFoundException"
    )


def test_expired_transaction_is_rolled_back(engine_factory: Any) -> None:
    """The housekeeping thread expires it without any call, and its lock goes with it."""
    endpoint = engine_factory("--transaction-idle-timeout", "0.5")
    rds = endpoint.boto3_client()
    kept = f"kept_{uuid.uuid4().hex[:10]}"
    rds.execute_statement(sql=f"CREATE TABLE {kept} (x INTEGER)", **endpoint.arns)
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    rds.execute_statement(sql=f"INSERT INTO {kept} VALUES (1)", transactionId=tx, **endpoint.arns)
    time.sleep(1.6)  # past the idle timeout and one housekeeping round
    insert = f"INSERT INTO {kept} VALUES (2)"  # SQLite: waits on the write lock until the rollback
    poll(lambda: error_code(rds.execute_statement, sql=insert, **endpoint.arns) == "",
         "the expired transaction's write lock to go")  # fmt: skip
    rows = rds.execute_statement(sql=f"SELECT x FROM {kept}", **endpoint.arns)["records"]
    rds.execute_statement(sql=f"DROP TABLE {kept}", **endpoint.arns)
    assert rows == [[{"longValue": 2}]]
    assert error_code(rds.commit_transaction, transactionId=tx, **endpoint.arns) == (
        "TransactionNotFoundException"
    )
