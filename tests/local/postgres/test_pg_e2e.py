"""PostgreSQL end to end: boto3's rds-data client -> serve -> this backend."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from _backends import (
    PG_URL,
    assert_error_texts_per_flavour,
    assert_statement_timeout_stops,
    e2e_fixtures,
)
from botocore.exceptions import ClientError

pytestmark = pytest.mark.postgres


endpoints, rds, arns = e2e_fixtures(PG_URL, "postgres")


def test_e2e_arrays_and_timestamptz_on_the_wire(rds: Any, arns: dict[str, str]) -> None:
    reply = rds.execute_statement(
        sql="SELECT ARRAY[1, NULL, 3] AS a, ARRAY['x', NULL] AS t, ARRAY[true] AS b,"
        " '2024-01-02 03:04:05.250+02'::timestamptz AS ts",
        includeResultMetadata=True,
        **arns,
    )
    assert reply["records"] == [
        [
            {"arrayValue": {"longValues": [1, None, 3]}},
            {"arrayValue": {"stringValues": ["x", None]}},
            {"arrayValue": {"booleanValues": [True]}},
            {"stringValue": "2024-01-02 01:04:05.25"},
        ]
    ]
    meta = reply["columnMetadata"]
    assert [(c["typeName"], c["type"]) for c in meta] == [
        ("_int4", 2003), ("_text", 2003), ("_bool", 2003), ("timestamptz", 93)]  # fmt: skip
    assert meta[0]["arrayBaseColumnType"] == 4


def test_e2e_hints_into_typed_columns(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (u uuid, j jsonb, ts timestamptz, d date, t time,"
        " n numeric(30,10))",
        **arns,
    )
    values = {
        "u": ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "UUID"),
        "j": ('{"k": [1, 2]}', "JSON"),
        "ts": ("2024-01-02 03:04:05.123", "TIMESTAMP"),
        "d": ("2024-02-29", "DATE"),
        "t": ("23:59:59.5", "TIME"),
        "n": ("12345678901234567890.0123456789", "DECIMAL"),
    }
    parameters = [
        {"name": name, "value": {"stringValue": text}, "typeHint": hint}
        for name, (text, hint) in values.items()
    ]
    inserted = rds.execute_statement(
        sql=f"INSERT INTO {table} VALUES (:u, :j, :ts, :d, :t, :n)", parameters=parameters, **arns
    )
    assert inserted["numberOfRecordsUpdated"] == 1
    assert inserted.get("generatedFields", []) == []  # F11: none on PostgreSQL
    reply = rds.execute_statement(sql=f"SELECT * FROM {table}", includeResultMetadata=True, **arns)
    assert reply["records"] == [[{"stringValue": text} for text, _ in values.values()]]
    assert [c["typeName"] for c in reply["columnMetadata"]] == [
        "uuid", "jsonb", "timestamptz", "date", "time", "numeric"]  # fmt: skip


def test_e2e_unhinted_uuid_fails_like_the_service(
    rds: Any, arns: dict[str, str], table: str
) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (u uuid)", **arns)
    sql = f"INSERT INTO {table} VALUES (:u)"
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(
            sql=sql,
            parameters=[{"name": "u", "value": {"stringValue": str(uuid.uuid4())}}],
            **arns,
        )
    assert caught.value.response["Error"]["Code"] == "DatabaseErrorException"
    message = caught.value.response["Error"]["Message"]
    assert message.startswith('ERROR: column "u" is of type uuid but expression is of type')
    assert "; Hint: You will need to rewrite or cast the expression.; " in message
    assert message.endswith(f"; Position: {sql.index(':u') + 1}; SQLState: 42804")


def test_e2e_error_texts_per_flavour(endpoints: dict[str, Any]) -> None:
    sql = "SELECT * FROM no_such_table_xyz"
    expected = {
        "v2": ("DatabaseErrorException",
               'ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01'),
        "v1": ("BadRequestException",
               'ERROR: relation "no_such_table_xyz" does not exist\n  Position: 15'),
    }  # fmt: skip
    assert_error_texts_per_flavour(endpoints, sql, expected)


def test_e2e_unsupported_type_message(rds: Any, arns: dict[str, str]) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1::money", **arns)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "UnsupportedResultException",
        "The result contains the unsupported data type money.",
    )


def test_e2e_statement_timeout_cancels_the_query(rds: Any, arns: dict[str, str]) -> None:
    """Uncancelled, pg_sleep would return a row after 30 s: the error proves the cancel."""
    assert_statement_timeout_stops(rds, arns, "SELECT pg_sleep(30)")


def test_e2e_batch_in_a_transaction(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (id serial, v text)", **arns)
    tx = rds.begin_transaction(**arns)["transactionId"]
    reply = rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameterSets=[[{"name": "v", "value": {"stringValue": s}}] for s in "ab"],
        transactionId=tx,
        **arns,
    )
    assert reply["updateResults"] == [{"generatedFields": []}, {"generatedFields": []}]
    status = rds.rollback_transaction(transactionId=tx, **arns)["transactionStatus"]
    assert status == "Rollback Complete"
    count = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"]
    assert count == [[{"longValue": 0}]]
