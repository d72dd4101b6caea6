"""MariaDB/MySQL end to end: boto3's rds-data client -> serve -> this backend."""

from __future__ import annotations

from typing import Any

import pytest
from _backends import (
    MYSQL_URL,
    assert_error_texts_per_flavour,
    assert_statement_timeout_stops,
    e2e_fixtures,
)

pytestmark = pytest.mark.mysql


endpoints, rds, arns = e2e_fixtures(MYSQL_URL, "mysql")


def _param(name: str, value: dict[str, Any], hint: str | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "value": value}
    if hint:
        param["typeHint"] = hint
    return param


def test_e2e_generated_fields(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v TEXT)", **arns
    )
    inserted = rds.execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameters=[{"name": "v", "value": {"stringValue": "a"}}],
        **arns,
    )
    assert inserted["generatedFields"] == [{"longValue": 1}]
    assert inserted["numberOfRecordsUpdated"] == 1
    batch = rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameterSets=[[{"name": "v", "value": {"stringValue": s}}] for s in "bc"],
        **arns,
    )
    assert batch["updateResults"] == [
        {"generatedFields": [{"longValue": 2}]},
        {"generatedFields": [{"longValue": 3}]},
    ]


def test_e2e_values_and_metadata(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (at DATETIME(6), flag BIT(1), price DECIMAL(8,2),"
        " name VARCHAR(200) NOT NULL, n INT UNSIGNED)",
        **arns,
    )
    parameters = [
        _param("at", {"stringValue": "2024-01-02 03:04:05.5"}, "TIMESTAMP"),
        _param("flag", {"booleanValue": True}),
        _param("price", {"stringValue": "12.30"}, "DECIMAL"),
        _param("name", {"stringValue": "h\u00e9"}),
        _param("n", {"longValue": 7}),
    ]
    rds.execute_statement(
        sql=f"INSERT INTO {table} VALUES (:at, :flag, :price, :name, :n)",
        parameters=parameters,
        **arns,
    )
    reply = rds.execute_statement(sql=f"SELECT * FROM {table}", includeResultMetadata=True, **arns)
    assert reply["records"] == [
        [
            {"stringValue": "2024-01-02 03:04:05.5"},
            {"booleanValue": True},
            {"stringValue": "12.30"},
            {"stringValue": "h\u00e9"},
            {"longValue": 7},
        ]
    ]
    meta = reply["columnMetadata"]
    assert [(c["typeName"], c["type"]) for c in meta] == [
        ("DATETIME", 93), ("BIT", -7), ("DECIMAL", 3), ("VARCHAR", 12),
        ("INT UNSIGNED", 4)]  # fmt: skip
    name = meta[3]
    assert (name["precision"], name["nullable"], name["tableName"]) == (200, 0, table)


def test_e2e_error_texts_per_flavour(endpoints: dict[str, Any]) -> None:
    sql = "SELECT * FROM no_such_table_xyz"
    text = "Table 'test.no_such_table_xyz' doesn't exist"
    expected = {
        "v2": ("DatabaseErrorException", f"{text}; Error code: 1146; SQLState: 42S02"),
        "v1": ("BadRequestException", f"Database error code: 1146. Message: {text}"),
    }
    assert_error_texts_per_flavour(endpoints, sql, expected)


def test_e2e_statement_timeout_kills_the_query(rds: Any, arns: dict[str, str]) -> None:
    """Unkilled, SLEEP would return a row after 30 s: the error proves the KILL QUERY."""
    assert_statement_timeout_stops(rds, arns, "SELECT SLEEP(30)")


def test_e2e_transaction_rollback(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (id INT) ENGINE=InnoDB", **arns)
    tx = rds.begin_transaction(**arns)["transactionId"]
    rds.execute_statement(sql=f"INSERT INTO {table} VALUES (1)", transactionId=tx, **arns)
    assert rds.rollback_transaction(transactionId=tx, **arns)["transactionStatus"] == (
        "Rollback Complete"
    )
    count = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"]
    assert count == [[{"longValue": 0}]]
