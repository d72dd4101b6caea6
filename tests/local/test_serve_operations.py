"""Every operation and every Field kind, driven by boto3's own rds-data client over TLS.

Parametrised over engines by ``engine_endpoint``: SQLite always, PostgreSQL and
MariaDB when their servers (and backend modules) are present.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _param(name: str, value: dict[str, Any], hint: str | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "value": value}
    if hint:
        param["typeHint"] = hint
    return param


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def test_select_literal_over_tls_has_request_id(engine_endpoint: Any, rds: Any) -> None:
    reply = rds.execute_statement(sql="SELECT 1", **engine_endpoint.arns)
    assert reply["records"] == [[{"longValue": 1}]]
    assert reply["numberOfRecordsUpdated"] == 0
    assert "columnMetadata" not in reply
    assert len(reply["ResponseMetadata"]["RequestId"]) == 36
    assert reply["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"


def test_every_field_kind_round_trips(engine_endpoint: Any, rds: Any, table: str) -> None:
    blob = b"\x00\x01\xffbinary"
    parameters = [
        _param("n", {"longValue": -(2**63)}),
        _param("s", {"stringValue": 'h\u00e9llo "x" \u2603'}),
        _param("b", {"blobValue": blob}),
        _param("d", {"doubleValue": 1.5}),
    ]
    insert = rds.execute_statement(
        sql=f"INSERT INTO {table} (n, s, b, d) VALUES (:n, :s, :b, :d)",
        parameters=parameters,
        **engine_endpoint.arns,
    )
    assert insert["numberOfRecordsUpdated"] == 1
    rds.execute_statement(
        sql=f"INSERT INTO {table} (n, s, b, d) VALUES (:n, :s, :b, :d)",
        parameters=[_param(p, {"isNull": True}) for p in "nsbd"],
        **engine_endpoint.arns,
    )
    reply = rds.execute_statement(
        sql=f"SELECT n, s, b, d FROM {table} ORDER BY id", **engine_endpoint.arns
    )
    assert reply["records"] == [
        [{"longValue": -(2**63)}, {"stringValue": 'h\u00e9llo "x" \u2603'},
         {"blobValue": blob}, {"doubleValue": 1.5}],
        [{"isNull": True}] * 4,
    ]  # fmt: skip


def test_boolean_parameter(engine_endpoint: Any, rds: Any) -> None:
    reply = rds.execute_statement(
        sql="SELECT :t AS t, :f AS f",
        parameters=[_param("t", {"booleanValue": True}), _param("f", {"booleanValue": False})],
        **engine_endpoint.arns,
    )
    row = reply["records"][0]
    if engine_endpoint.engine == "sqlite":  # SQLite stores booleans as integers
        assert row == [{"longValue": 1}, {"longValue": 0}]
    else:
        assert [next(iter(f.values())) for f in row] in ([True, False], [1, 0])


@pytest.mark.parametrize(
    ("hint", "text"),
    [
        ("DECIMAL", "12.345"),
        ("JSON", '{"a": [1, 2]}'),
        ("UUID", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("TIMESTAMP", "2024-01-02 03:04:05.123"),
        ("DATE", "2024-01-02"),
        ("TIME", "03:04:05"),
    ],
)
def test_type_hints(engine_endpoint: Any, rds: Any, hint: str, text: str) -> None:
    reply = rds.execute_statement(
        sql="SELECT :v AS v",
        parameters=[_param("v", {"stringValue": text}, hint)],
        **engine_endpoint.arns,
    )
    (value,) = reply["records"][0]
    if hint == "JSON":
        assert json.loads(value["stringValue"]) == json.loads(text)
    else:
        assert value == {"stringValue": text}


@pytest.mark.parametrize(
    ("hint", "text"),
    [("TIMESTAMP", "2024-01-02T03:04:05Z"), ("DATE", "02/01/2024"), ("TIME", "3pm")],
)
def test_type_hint_format_is_checked(engine_endpoint: Any, rds: Any, hint: str, text: str) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(
            sql="SELECT :v",
            parameters=[_param("v", {"stringValue": text}, hint)],
            **engine_endpoint.arns,
        )
    assert _code(caught.value) == "BadRequestException"
    assert "format must be" in caught.value.response["Error"]["Message"]


def test_column_metadata_only_when_asked(engine_endpoint: Any, rds: Any, table: str) -> None:
    reply = rds.execute_statement(
        sql=f"SELECT n AS total, s FROM {table}", includeResultMetadata=True,
        **engine_endpoint.arns,
    )  # fmt: skip
    assert reply["records"] == []
    labels = [(c["name"], c["label"]) for c in reply["columnMetadata"]]
    assert [label for _, label in labels] == ["total", "s"]
    assert all(isinstance(c["type"], int) and c["typeName"] for c in reply["columnMetadata"])


def test_format_records_as_json(engine_endpoint: Any, rds: Any, table: str) -> None:
    rds.execute_statement(
        sql=f"INSERT INTO {table} (n, s, b, d) VALUES (7, 'Jane', NULL, 2.5)",
        **engine_endpoint.arns,
    )
    reply = rds.execute_statement(
        sql=f"SELECT n, s AS name, b, d FROM {table}", formatRecordsAs="JSON",
        includeResultMetadata=True, **engine_endpoint.arns,
    )  # fmt: skip
    assert "records" not in reply and "columnMetadata" not in reply
    assert json.loads(reply["formattedRecords"]) == [{"n": 7, "name": "Jane", "b": None, "d": 2.5}]
    as_string = rds.execute_statement(
        sql=f"SELECT n FROM {table}", formatRecordsAs="JSON",
        resultSetOptions={"longReturnType": "STRING"}, **engine_endpoint.arns,
    )  # fmt: skip
    assert json.loads(as_string["formattedRecords"]) == [{"n": "7"}]


def test_long_return_type_string(engine_endpoint: Any, rds: Any) -> None:
    reply = rds.execute_statement(
        sql="SELECT 9007199254740993 AS big",
        resultSetOptions={"longReturnType": "STRING", "decimalReturnType": "STRING"},
        **engine_endpoint.arns,
    )
    assert reply["records"] == [[{"stringValue": "9007199254740993"}]]



def test_sql_error_is_database_error_exception(engine_endpoint: Any, rds: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT * FROM no_such_table_xyz", **engine_endpoint.arns)
    assert _code(caught.value) == "DatabaseErrorException"
    assert "no_such_table_xyz" in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["RequestId"]


def test_array_parameters_are_rejected(engine_endpoint: Any, rds: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(
            sql="SELECT :a",
            parameters=[_param("a", {"arrayValue": {"longValues": [1, 2]}})],
            **engine_endpoint.arns,
        )
    assert _code(caught.value) == "BadRequestException"
    assert "Array parameters are not supported" in caught.value.response["Error"]["Message"]


def test_multistatement_sql_is_rejected_on_v2(engine_endpoint: Any, rds: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1; SELECT 2", **engine_endpoint.arns)
    assert _code(caught.value) == "ValidationException"
    assert caught.value.response["Error"]["Message"] == "Multistatements aren't supported."
    single = rds.execute_statement(sql="SELECT 'a;b' AS x;", **engine_endpoint.arns)
    assert single["records"] == [[{"stringValue": "a;b"}]]


def test_schema_parameter_is_rejected_on_v2(engine_endpoint: Any, rds: Any) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", schema="public", **engine_endpoint.arns)
    assert _code(caught.value) == "ValidationException"
    assert caught.value.response["Error"]["Message"] == "The schema parameter isn't supported"


def test_blob_results_are_base64_on_the_wire(engine_endpoint: Any, rds: Any) -> None:
    """boto3 decodes blobValue; the wire carries standard padded base64."""
    payload = bytes(range(256))
    reply = rds.execute_statement(
        sql="SELECT :b AS b", parameters=[_param("b", {"blobValue": payload})],
        formatRecordsAs="JSON", **engine_endpoint.arns,
    )  # fmt: skip
    assert json.loads(reply["formattedRecords"]) == [{"b": base64.b64encode(payload).decode()}]


@pytest.mark.postgres
def test_booleans_and_arrays_in_results(local_endpoint_postgres: Any) -> None:
    """Only PostgreSQL has boolean and array result columns."""
    reply = local_endpoint_postgres.rds.execute_statement(
        sql="SELECT true AS t, ARRAY[1, NULL, 3] AS a, ARRAY['x', 'y'] AS s",
        **local_endpoint_postgres.arns,
    )
    assert reply["records"] == [
        [{"booleanValue": True}, {"arrayValue": {"longValues": [1, None, 3]}},
         {"arrayValue": {"stringValues": ["x", "y"]}}]
    ]  # fmt: skip


def test_many_concurrent_writers_lose_nothing(engine_endpoint: Any, table: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    clients = [engine_endpoint.boto3_client() for _ in range(6)]

    def write(index: int) -> None:
        client = clients[index % len(clients)]
        client.execute_statement(
            sql=f"INSERT INTO {table} (n) VALUES (:n)",
            parameters=[_param("n", {"longValue": index})],
            **engine_endpoint.arns,
        )

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(write, range(120)))
    reply = engine_endpoint.rds.execute_statement(
        sql=f"SELECT count(*), count(DISTINCT n) FROM {table}", **engine_endpoint.arns
    )
    assert reply["records"] == [[{"longValue": 120}, {"longValue": 120}]]


@pytest.mark.postgres
def test_decimal_return_types(local_endpoint_postgres: Any) -> None:
    sql = "SELECT 12.50::numeric(6,2) AS d, 7::numeric AS whole"
    rds, arns = local_endpoint_postgres.rds, local_endpoint_postgres.arns
    as_string = rds.execute_statement(sql=sql, **arns)
    assert as_string["records"] == [[{"stringValue": "12.50"}, {"stringValue": "7"}]]
    as_number = rds.execute_statement(
        sql=sql, resultSetOptions={"decimalReturnType": "DOUBLE_OR_LONG"}, **arns
    )
    assert as_number["records"] == [[{"doubleValue": 12.5}, {"longValue": 7}]]
    as_json = rds.execute_statement(
        sql=sql, formatRecordsAs="JSON",
        resultSetOptions={"decimalReturnType": "DOUBLE_OR_LONG"}, **arns,
    )  # fmt: skip
    assert json.loads(as_json["formattedRecords"]) == [{"d": 12.5, "whole": 7}]


def test_unknown_database(engine_endpoint: Any, rds: Any) -> None:
    if engine_endpoint.engine == "sqlite":
        pytest.skip("SQLite has one database per file: the database parameter only names it")
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", database="no_such_db_xyz", **engine_endpoint.arns)
    assert _code(caught.value) == "DatabaseNotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "no_such_db_xyz" in caught.value.response["Error"]["Message"]
