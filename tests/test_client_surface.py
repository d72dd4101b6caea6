"""The issue's surface example, run as written, by both clients, over TLS.

Every name of the code block in issue 4 ("Surface") is used here exactly as
the example spells it, so a renamed argument or attribute fails this file first.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:  # tests/conftest.py; not importable by name next to tests/local/conftest.py
    from conftest import LocalEndpoint

from sigv4_dataapi import AsyncClient, Client, parse_execute_response
from sigv4_dataapi._codec.result import Result


def arguments(endpoint: LocalEndpoint) -> dict[str, Any]:
    """The example's keywords; ``env={}`` only isolates the test from the machine's files."""
    assert endpoint.endpoint.startswith("https://")
    return {"database": "mydb", "region": None, "endpoint_url": endpoint.endpoint,
            "credentials": endpoint.credentials(), "verify": endpoint.ca_file,
            "timeout": 30.0, "env": {}}  # fmt: skip


def check(result: Result, inserted: Result, batch_size: int, raw: dict[str, Any]) -> None:
    assert result.rows == [{"id": 7, "a": 1}]  # dicts keyed by column label
    assert result.records == [[7, 1]]  # lists of Python values
    assert [column.label for column in result.columns] == ["id", "a"]  # metadata by default
    assert inserted.number_of_records_updated == 1
    assert isinstance(inserted.generated_fields, list)
    assert batch_size == 2
    assert raw["records"] == [[{"longValue": 7}, {"longValue": 1}]]  # the service's JSON dict


def test_the_example_with_client(local_endpoint: LocalEndpoint) -> None:
    t = f"t_{uuid.uuid4().hex[:8]}"
    with Client(local_endpoint.resource_arn, local_endpoint.secret_arn,
                **arguments(local_endpoint)) as db:  # fmt: skip
        db.execute(f"CREATE TABLE {t} (id BIGINT, a BIGINT)")
        inserted = db.execute(f"INSERT INTO {t} (id, a) VALUES (:id, 0)", {"id": 7})
        batch = db.batch_execute(f"INSERT INTO {t} (id, a) VALUES (:a, :a)", [{"a": 1}, {"a": 2}])
        with db.transaction() as tx:
            tx.execute(f"UPDATE {t} SET a = 1 WHERE id = :id", {"id": 7})
            tx.execute(f"DELETE FROM {t} WHERE id <> :id", {"id": 7})
        result = db.execute(f"SELECT * FROM {t} WHERE id = :id", {"id": 7})
        raw = db.call("ExecuteStatement", {"sql": f"SELECT * FROM {t}", "database": "mydb"})
        db.execute(f"DROP TABLE {t}")
    check(result, inserted, len(batch), raw)


def test_the_example_with_async_client(local_endpoint: LocalEndpoint) -> None:
    t = f"t_{uuid.uuid4().hex[:8]}"

    async def example() -> tuple[Result, Result, int, dict[str, Any]]:
        async with AsyncClient(local_endpoint.resource_arn, local_endpoint.secret_arn,
                               **arguments(local_endpoint)) as db:  # fmt: skip
            await db.execute(f"CREATE TABLE {t} (id BIGINT, a BIGINT)")
            inserted = await db.execute(f"INSERT INTO {t} (id, a) VALUES (:id, 0)", {"id": 7})
            batch = await db.batch_execute(f"INSERT INTO {t} (id, a) VALUES (:a, :a)",
                                           [{"a": 1}, {"a": 2}])  # fmt: skip
            async with db.transaction() as tx:
                await tx.execute(f"UPDATE {t} SET a = 1 WHERE id = :id", {"id": 7})
                await tx.execute(f"DELETE FROM {t} WHERE id <> :id", {"id": 7})
            result = await db.execute(f"SELECT * FROM {t} WHERE id = :id", {"id": 7})
            raw = await db.call("ExecuteStatement", {"sql": f"SELECT * FROM {t}"})
            await db.execute(f"DROP TABLE {t}")
        return result, inserted, len(batch), raw

    check(*asyncio.run(example()))


def test_the_timeout_argument_takes_seconds_or_an_httpx_timeout(
    local_endpoint: LocalEndpoint,
) -> None:
    for timeout, read in [(12.5, 12.5), (httpx.Timeout(99.0, connect=2.0), 99.0)]:
        options = {**arguments(local_endpoint), "timeout": timeout}
        with Client(local_endpoint.resource_arn, local_endpoint.secret_arn, **options) as db:
            assert db.transport.settings.timeout.read == read


def test_parse_execute_response_is_public_and_pure() -> None:
    body = b'{"records": [[{"longValue": 7}]], "numberOfRecordsUpdated": 0}'
    assert parse_execute_response(body).records == [[7]]
