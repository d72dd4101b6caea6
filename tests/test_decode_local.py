"""Decoding what real engines return, through the local endpoint (``sigv4-dataapi serve``).

The unit tests pin the rules on hand-written bodies; these check the same rules
on the column metadata and value texts that SQLite, PostgreSQL and MariaDB
actually produce: array literals with a cast, trimmed fractions, duplicate
labels, JSON-formatted records, result-set options, raw values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from sigv4_dataapi._client.client import Client
from sigv4_dataapi._codec.encode import Param
from sigv4_dataapi._codec.pgarray import pg_array_literal

if TYPE_CHECKING:
    from conftest import LocalEndpoint

TRICKY = ["a,b", "{x}", 'say "hi"', "back\\slash", " pad ", "NULL", "", None, "\u00e9"]


def connect(endpoint: LocalEndpoint) -> Client:
    return Client(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                  verify=endpoint.ca_file or False, region=endpoint.region, env={},
                  credentials=endpoint.credentials())  # fmt: skip


@pytest.fixture
def db(engine_endpoint: LocalEndpoint) -> Iterator[Client]:
    with connect(engine_endpoint) as client:
        yield client


@pytest.fixture
def pg(local_endpoint_postgres: LocalEndpoint) -> Iterator[Client]:
    with connect(local_endpoint_postgres) as client:
        yield client


def test_duplicate_labels_keep_every_value(db: Client) -> None:
    result = db.execute("SELECT 1 AS a, 2 AS a, 3 AS b")
    assert result.row_keys == ("a", "a_2", "b")
    assert result.rows == [{"a": 1, "a_2": 2, "b": 3}]


def test_formatted_json_records(db: Client) -> None:
    result = db.execute("SELECT 1 AS n, 'x' AS s", format_records_as="JSON")
    assert result.rows == [{"n": 1, "s": "x"}]
    assert result.records == [[1, "x"]]


def test_no_metadata_still_gives_records(engine_endpoint: LocalEndpoint) -> None:
    with connect(engine_endpoint) as client:
        result = client.execute("SELECT 1 AS n", include_result_metadata=False)
    assert result.records == [[1]] and result.columns == ()


@pytest.mark.postgres
def test_array_parameters_through_a_cast(pg: Client) -> None:
    result = pg.execute(
        "SELECT CAST(:ids AS int[]) AS ids, CAST(:names AS text[]) AS names, "
        "CAST(:prices AS numeric[]) AS prices, CAST(:days AS date[]) AS days",
        {
            "ids": pg_array_literal([1, None, 3]),
            "names": pg_array_literal(TRICKY),
            "prices": pg_array_literal([Decimal("1.50"), None]),
            "days": pg_array_literal([date(2024, 2, 29)]),
        },
    )
    assert result.rows == [
        {
            "ids": [1, None, 3],
            "names": TRICKY,
            "prices": [Decimal("1.50"), None],
            "days": [date(2024, 2, 29)],
        }
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("micro", [0, 1, 120000, 500000, 999999])
def test_postgres_fractions_survive_trimming(pg: Client, micro: int) -> None:
    stamp = datetime(2024, 1, 2, 3, 4, 5, micro)
    row = pg.execute(
        "SELECT CAST(:t AS timestamp) AS t, CAST(:t AS timestamptz) AS tz, CAST(:tm AS time) AS tm",
        {"t": stamp, "tm": stamp.time()},
    ).rows[0]
    assert row == {"t": stamp, "tz": stamp.replace(tzinfo=timezone.utc), "tm": stamp.time()}


@pytest.mark.postgres
def test_postgres_json_uuid_and_hints(pg: Client) -> None:
    row = pg.execute(
        "SELECT CAST(:j AS jsonb) AS j, CAST(:u AS uuid) AS u, CAST(:d AS numeric) AS d",
        {"j": {"a": [1, None]}, "u": Param("00000000-0000-0000-0000-000000000007", "UUID"),
         "d": 10**30},
        type_hints={"d": "DECIMAL"},
    ).rows[0]  # fmt: skip
    assert row == {"j": {"a": [1, None]}, "u": "00000000-0000-0000-0000-000000000007",
                   "d": Decimal(10**30)}  # fmt: skip


@pytest.mark.postgres
def test_result_set_options_and_raw_values(pg: Client) -> None:
    sql = "SELECT CAST(:n AS bigint) AS n, CAST(:d AS numeric(6,2)) AS d, CAST(:t AS date) AS t"
    params: dict[str, Any] = {"n": 2**62, "d": Decimal("2.50"), "t": date(2024, 1, 2)}
    as_strings = pg.execute(sql, params, result_set_options={"longReturnType": "STRING"})
    assert as_strings.rows == [{"n": 2**62, "d": Decimal("2.50"), "t": date(2024, 1, 2)}]
    as_numbers = pg.execute(sql, params, result_set_options={"decimalReturnType": "DOUBLE_OR_LONG"})
    assert as_numbers.rows[0]["d"] == 2.5 and type(as_numbers.rows[0]["d"]) is float
    raw = pg.execute(sql, params, convert=False)
    assert raw.rows == [{"n": 2**62, "d": "2.50", "t": "2024-01-02"}]


@pytest.mark.mysql
def test_mysql_types(local_endpoint_mysql: LocalEndpoint) -> None:
    with connect(local_endpoint_mysql) as db:
        row = db.execute(
            "SELECT CAST(:d AS DECIMAL(10,3)) AS d, CAST(:ts AS DATETIME(6)) AS ts, "
            "CAST(:dt AS DATE) AS dt, CAST(:tm AS TIME(6)) AS tm",
            {"d": Decimal("1.250"), "ts": datetime(2024, 1, 2, 3, 4, 5, 500000),
             "dt": date(2024, 2, 29), "tm": time(1, 2, 3, 40)},
        ).rows[0]  # fmt: skip
    assert row == {"d": Decimal("1.250"), "ts": datetime(2024, 1, 2, 3, 4, 5, 500000),
                   "dt": date(2024, 2, 29), "tm": time(1, 2, 3, 40)}  # fmt: skip
