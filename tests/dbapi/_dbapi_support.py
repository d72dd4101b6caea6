"""Shared by the DB-API tests: a recording fake Data API, endpoint parameters, helpers.

``FakeDataAPI`` is an ``httpx.MockTransport`` handler (a unit-test seam for the
DB-API layer only): it records every call (operation and JSON body) and answers
from a small script, so call counts and call order can be asserted exactly.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from sigv4_dataapi import Credentials, dbapi

ENGINE_FLAVORS = [
    pytest.param(("sqlite", "v2"), id="sqlite-v2"),
    pytest.param(("sqlite", "v1"), id="sqlite-v1"),
    pytest.param(("postgres", "v2"), id="postgres-v2", marks=pytest.mark.postgres),
    pytest.param(("postgres", "v1"), id="postgres-v1", marks=pytest.mark.postgres),
    pytest.param(("mysql", "v2"), id="mysql-v2", marks=pytest.mark.mysql),
    pytest.param(("mysql", "v1"), id="mysql-v1", marks=pytest.mark.mysql),
]
PG_FLAVORS = [p for p in ENGINE_FLAVORS if p.values[0][0] == "postgres"]  # type: ignore[index]
MYSQL_FLAVORS = [p for p in ENGINE_FLAVORS if p.values[0][0] == "mysql"]  # type: ignore[index]


def start_endpoint(request: pytest.FixtureRequest, factory: Callable[..., Any]) -> Any:
    """An endpoint for ``request.param`` = (engine, flavor) via the module factory."""
    engine, flavor = request.param
    url = None if engine == "sqlite" else request.getfixturevalue(f"{engine}_url")
    return factory(flavor=flavor, database_url=url, engine=engine)


def connect(endpoint: Any, **options: Any) -> dbapi.Connection:
    """A DB-API connection to a local endpoint over TLS (its own CA)."""
    return dbapi.connect(
        resource_arn=endpoint.resource_arn, secret_arn=endpoint.secret_arn, database="test",
        endpoint_url=endpoint.endpoint, region=endpoint.region, verify=endpoint.ca_file,
        credentials=endpoint.credentials(), **options,
    )  # fmt: skip


async def connect_async(endpoint: Any, **options: Any) -> Any:
    return await dbapi.connect_async(
        resource_arn=endpoint.resource_arn, secret_arn=endpoint.secret_arn, database="test",
        endpoint_url=endpoint.endpoint, region=endpoint.region, verify=endpoint.ca_file,
        credentials=endpoint.credentials(), **options,
    )  # fmt: skip


def table_name(prefix: str = "dbapi") -> str:
    """A table name no other test (or helper) uses at the same time."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def engine_family(endpoint: Any) -> str:
    return "postgresql" if endpoint.engine == "postgres" else "mysql"


# -- the recording fake -------------------------------------------------------------------

OPERATIONS = {
    "/Execute": "ExecuteStatement",
    "/BatchExecute": "BatchExecuteStatement",
    "/BeginTransaction": "BeginTransaction",
    "/CommitTransaction": "CommitTransaction",
    "/RollbackTransaction": "RollbackTransaction",
}


@dataclass
class Call:
    operation: str
    body: dict[str, Any]
    size: int

    @property
    def sql(self) -> str:
        return str(self.body.get("sql", ""))


@dataclass
class FakeDataAPI:
    """Answers the six operations; ``errors`` maps an SQL text to (code, message)."""

    calls: list[Call] = field(default_factory=list)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    records: list[list[dict[str, Any]]] = field(default_factory=lambda: [[{"longValue": 1}]])
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_tx: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        operation = OPERATIONS[request.url.path]
        body = json.loads(request.content)
        with self._lock:
            self.calls.append(Call(operation, body, len(request.content)))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            return self._answer(operation, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, operation: str, body: dict[str, Any]) -> httpx.Response:
        error = self.errors.get(body.get("sql", operation))
        if error is not None:
            code, message = error
            status = {"TransactionNotFoundException": 404,
                      "InternalServerErrorException": 500}.get(code, 400)  # fmt: skip
            return httpx.Response(status, headers={"x-amzn-ErrorType": code},
                                  json={"message": message})  # fmt: skip
        if operation == "BeginTransaction":
            self._next_tx += 1
            return httpx.Response(200, json={"transactionId": f"tx-{self._next_tx}"})
        if operation == "CommitTransaction":
            return httpx.Response(200, json={"transactionStatus": "Transaction Committed"})
        if operation == "RollbackTransaction":
            return httpx.Response(200, json={"transactionStatus": "Rollback Complete"})
        if operation == "BatchExecuteStatement":
            sets = body.get("parameterSets", [])
            return httpx.Response(
                200, json={"updateResults": [{"generatedFields": []}] * len(sets)}
            )
        return httpx.Response(200, json={
            "records": self.records,
            "columnMetadata": [{"name": "one", "label": "one", "type": 4, "typeName": "int4",
                                "nullable": 0, "precision": 10}],
            "numberOfRecordsUpdated": 0,
        })  # fmt: skip

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    def connect(self, **options: Any) -> dbapi.Connection:
        return dbapi.connect(**{**self.options(), **options})

    async def connect_async(self, **options: Any) -> Any:
        return await dbapi.connect_async(**self.options(), **options)

    def options(self) -> dict[str, Any]:
        return {
            "resource_arn": "arn:aws:rds:us-east-1:123456789012:cluster:fake",
            "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:fake-AbCdEf",
            "database": "app",
            "region": "us-east-1",
            "endpoint_url": "https://rds-data.fake.invalid",
            "credentials": Credentials("AKIDEXAMPLE", "secret"),
            "http_transport": httpx.MockTransport(self),
            "engine": "postgresql",
        }
