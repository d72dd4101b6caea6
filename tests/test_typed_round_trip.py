"""One typed round trip on every engine and flavour; SQLite answers as MariaDB does.

The embedded SQLite default answers by declared column type as Aurora MySQL
would (issue 13, docs/local-endpoint-fidelity.md): the client's ``Result``
gives ``Decimal``, ``date``, ``time`` and ``datetime`` there exactly as on
MariaDB, and boto3 (the peer client) sees the same Field kinds and typeNames.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from test_client import MYSQL_TYPED, TYPED, check_round_trip, connect, typed_values

if TYPE_CHECKING:
    from conftest import LocalEndpoint

ENGINES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(scope="module", params=["v2", "v1"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module", params=ENGINES)
def typed_endpoint(
    request: pytest.FixtureRequest,
    flavor: str,
    local_endpoint_module_factory: Callable[..., LocalEndpoint],
) -> LocalEndpoint:
    """A ``serve`` per engine and flavour (PostgreSQL/MariaDB skip when absent)."""
    engine = str(request.param)
    url = None if engine == "sqlite" else request.getfixturevalue(f"{engine}_url")
    return local_endpoint_module_factory(database_url=url, engine=engine, flavor=flavor)


def test_every_parameter_type_in_every_value_out(typed_endpoint: LocalEndpoint) -> None:
    """The client's typed round trip: each Python type as a parameter, the same type back."""
    name = f"rt_{uuid.uuid4().hex[:10]}"
    values = typed_values()
    columns = ", ".join(values)
    with connect(typed_endpoint) as db:
        db.execute(f"CREATE TABLE {name} ({TYPED[typed_endpoint.engine]})")
        try:
            db.execute(f"INSERT INTO {name} ({columns}) VALUES (:{', :'.join(values)})", values)
            rows = db.execute(f"SELECT {columns} FROM {name}").rows
            as_json = db.execute(f"SELECT {columns} FROM {name}", format_records_as="JSON").rows
        finally:
            db.execute(f"DROP TABLE {name}")
    check_round_trip(typed_endpoint.engine, values, dict(rows[0]))
    assert as_json[0]["d"] == "12.345"  # formatRecordsAs JSON: decimals as strings (F8)


# -- boto3 as the peer: the same scenario on SQLite and on MariaDB ----------------------------

INSERT = (
    "INSERT INTO {t} (id, b, f, d, ts, tstz, dt, tm, u, j, bl, s) VALUES "
    "(:id, :b, :f, :d, :ts, :tstz, :dt, :tm, :u, :j, :bl, :s)"
)
PARAMETERS: list[dict[str, Any]] = [
    {"name": "id", "value": {"longValue": 7}},
    {"name": "b", "value": {"booleanValue": True}},
    {"name": "f", "value": {"doubleValue": 1.25}},
    {"name": "d", "value": {"stringValue": "12.345"}, "typeHint": "DECIMAL"},
    {"name": "ts", "value": {"stringValue": "2024-01-02 03:04:05.120000"}, "typeHint": "TIMESTAMP"},
    {"name": "tstz", "value": {"stringValue": "2024-01-02 03:04:05"}, "typeHint": "TIMESTAMP"},
    {"name": "dt", "value": {"stringValue": "2024-02-29"}, "typeHint": "DATE"},
    {"name": "tm", "value": {"stringValue": "23:59:58.500000"}, "typeHint": "TIME"},
    {"name": "u", "value": {"stringValue": "0f8fad5b-d9cb-469f-a165-70867728950e"},
     "typeHint": "UUID"},
    {"name": "j", "value": {"stringValue": '{"a": 1}'}, "typeHint": "JSON"},
    {"name": "bl", "value": {"blobValue": b"\x00\xff"}},
    {"name": "s", "value": {"stringValue": "h\u00e9llo"}},
]  # fmt: skip
# What Aurora MySQL answers for MYSQL_TYPED (F9, F15; Connector/J names): kind, typeName, code.
EXPECTED = [
    ("longValue", "BIGINT", -5), ("booleanValue", "BIT", -7), ("doubleValue", "DOUBLE", 8),
    ("stringValue", "DECIMAL", 3), ("stringValue", "DATETIME", 93),
    ("stringValue", "DATETIME", 93), ("stringValue", "DATE", 91), ("stringValue", "TIME", 92),
    ("stringValue", "CHAR", 1), ("stringValue", "JSON", -1), ("blobValue", "BLOB", -4),
    ("stringValue", "TEXT", -1),
]  # fmt: skip
VALUES = [7, True, 1.25, "12.345", "2024-01-02 03:04:05.12", "2024-01-02 03:04:05",
          "2024-02-29", "23:59:58.5", "0f8fad5b-d9cb-469f-a165-70867728950e", '{"a": 1}',
          b"\x00\xff", "h\u00e9llo"]  # fmt: skip


def _scenario(endpoint: LocalEndpoint) -> Iterator[dict[str, Any]]:
    """Create, insert, select (records and JSON), drop: the SELECT replies."""
    rds, arns = endpoint.rds, endpoint.arns
    name = f"rt_{uuid.uuid4().hex[:10]}"
    rds.execute_statement(sql=f"CREATE TABLE {name} ({MYSQL_TYPED})", **arns)
    try:
        rds.execute_statement(sql=INSERT.format(t=name), parameters=PARAMETERS, **arns)
        select = f"SELECT id, b, f, d, ts, tstz, dt, tm, u, j, bl, s FROM {name}"
        yield rds.execute_statement(sql=select, includeResultMetadata=True, **arns)
        yield rds.execute_statement(sql=select, formatRecordsAs="JSON", **arns)
    finally:
        rds.execute_statement(sql=f"DROP TABLE {name}", **arns)


def _shape(reply: dict[str, Any]) -> list[tuple[str, str, int]]:
    fields, columns = reply["records"][0], reply["columnMetadata"]
    return [(next(iter(f)), c["typeName"], c["type"]) for f, c in zip(fields, columns, strict=True)]


def _values(reply: dict[str, Any]) -> list[Any]:
    return [next(iter(f.values())) for f in reply["records"][0]]


def test_sqlite_answers_the_typed_scenario_as_aurora_mysql(local_endpoint: LocalEndpoint) -> None:
    records, as_json = _scenario(local_endpoint)
    assert _shape(records) == EXPECTED
    assert _values(records) == VALUES
    decimal = records["columnMetadata"][3]
    assert (decimal["precision"], decimal["scale"]) == (12, 3)
    row = json.loads(as_json["formattedRecords"])[0]
    assert row["d"] == "12.345" and row["b"] is True and row["id"] == 7  # F8: decimals as text


@pytest.mark.mysql
def test_sqlite_and_mariadb_answer_with_the_same_fields(
    local_endpoint: LocalEndpoint, local_endpoint_mysql: LocalEndpoint
) -> None:
    """boto3 as the peer: Field kinds and typeNames agree column by column.

    The one difference is MariaDB's own: its JSON type is an alias of LONGTEXT,
    where MySQL 8 (Aurora MySQL) and the SQLite default say JSON.
    """
    sqlite_records, sqlite_json = _scenario(local_endpoint)
    mariadb_records, mariadb_json = _scenario(local_endpoint_mysql)
    mariadb_shape = _shape(mariadb_records)
    assert mariadb_shape[9] == ("stringValue", "LONGTEXT", -1)
    mariadb_shape[9] = ("stringValue", "JSON", -1)
    assert _shape(sqlite_records) == mariadb_shape
    sqlite_values, mariadb_values = _values(sqlite_records), _values(mariadb_records)
    assert json.loads(sqlite_values.pop(9)) == json.loads(mariadb_values.pop(9))
    assert sqlite_values == mariadb_values
    meta = [(c["precision"], c["scale"]) for c in sqlite_records["columnMetadata"]]
    assert meta == [(c["precision"], c["scale"]) for c in mariadb_records["columnMetadata"]]
    sqlite_rows = json.loads(sqlite_json["formattedRecords"])
    mariadb_rows = json.loads(mariadb_json["formattedRecords"])
    assert json.loads(sqlite_rows[0].pop("j")) == json.loads(mariadb_rows[0].pop("j"))
    assert sqlite_rows == mariadb_rows
