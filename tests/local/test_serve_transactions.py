"""Transactions and batches, driven by boto3's own rds-data client over TLS.

Commit and rollback with their status strings, isolation from other calls, unknown
ids, ``updateResults``, all-or-nothing batches. Parametrised over engines by
``engine_endpoint``: SQLite always, PostgreSQL and MariaDB when present.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _param(name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "value": value}


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def test_transaction_commit_and_rollback(engine_endpoint: Any, rds: Any, table: str) -> None:
    arns = engine_endpoint.arns
    committed = rds.begin_transaction(**arns)["transactionId"]
    assert 0 < len(committed) <= 192
    rds.execute_statement(
        sql=f"INSERT INTO {table} (n) VALUES (1)", transactionId=committed, **arns
    )
    assert rds.commit_transaction(transactionId=committed, **arns)["transactionStatus"] == (
        "Transaction Committed"
    )
    rolled = rds.begin_transaction(**arns)["transactionId"]
    rds.execute_statement(sql=f"INSERT INTO {table} (n) VALUES (2)", transactionId=rolled, **arns)
    assert rds.rollback_transaction(transactionId=rolled, **arns)["transactionStatus"] == (
        "Rollback Complete"
    )
    reply = rds.execute_statement(sql=f"SELECT n FROM {table}", **arns)
    assert reply["records"] == [[{"longValue": 1}]]
    with pytest.raises(ClientError) as caught:
        rds.commit_transaction(transactionId=committed, **arns)
    assert _code(caught.value) == "TransactionNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_uncommitted_rows_are_invisible_to_other_calls(
    engine_endpoint: Any, rds: Any, table: str
) -> None:
    arns = engine_endpoint.arns
    tx = rds.begin_transaction(**arns)["transactionId"]
    rds.execute_statement(sql=f"INSERT INTO {table} (n) VALUES (5)", transactionId=tx, **arns)
    inside = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", transactionId=tx, **arns)
    assert inside["records"] == [[{"longValue": 1}]]
    rds.rollback_transaction(transactionId=tx, **arns)
    after = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)
    assert after["records"] == [[{"longValue": 0}]]


def test_unknown_transaction_id(engine_endpoint: Any, rds: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", transactionId="AQAnope", **engine_endpoint.arns)
    assert _code(caught.value) == "TransactionNotFoundException"
    assert "AQAnope" in caught.value.response["Error"]["Message"]


def test_batch_execute(engine_endpoint: Any, rds: Any, table: str) -> None:
    arns = engine_endpoint.arns
    reply = rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (n, s) VALUES (:n, :s)",
        parameterSets=[
            [_param("n", {"longValue": i}), _param("s", {"stringValue": f"row {i}"})]
            for i in range(3)
        ],
        **arns,
    )
    assert len(reply["updateResults"]) == 3
    rows = rds.execute_statement(sql=f"SELECT n, s FROM {table} ORDER BY n", **arns)["records"]
    assert rows == [[{"longValue": i}, {"stringValue": f"row {i}"}] for i in range(3)]


def test_failed_batch_outside_a_transaction_changes_nothing(
    engine_endpoint: Any, rds: Any, table: str
) -> None:
    arns = engine_endpoint.arns
    with pytest.raises(ClientError) as caught:
        rds.batch_execute_statement(
            sql=f"INSERT INTO {table} (id, n) VALUES (:id, 1)",
            parameterSets=[[_param("id", {"longValue": 1})], [_param("id", {"longValue": 1})]],
            **arns,
        )
    assert _code(caught.value) == "DatabaseErrorException"
    assert rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"] == [
        [{"longValue": 0}]
    ]


def test_batch_inside_a_transaction(engine_endpoint: Any, rds: Any, table: str) -> None:
    arns = engine_endpoint.arns
    tx = rds.begin_transaction(**arns)["transactionId"]
    rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (n) VALUES (:n)",
        parameterSets=[[_param("n", {"longValue": 1})], [_param("n", {"longValue": 2})]],
        transactionId=tx,
        **arns,
    )
    rds.rollback_transaction(transactionId=tx, **arns)
    assert rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"] == [
        [{"longValue": 0}]
    ]
