"""Fixtures for the dialect tests: engines on the local endpoint, PostgreSQL and MariaDB.

``engine`` is parametrised over both engines (sync); ``async_engine`` likewise.
Every table a test creates has a unique name (``unique``): other test runs share
the two databases at the same time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

ENDPOINT_FIXTURES = {"postgresql": "local_endpoint_postgres", "mysql": "local_endpoint_mysql"}
ENGINES = [
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]


def dataapi_url(endpoint: Any, backend: str, *, driver: str = "dataapi", db: str = "test") -> str:
    """The URL carrying everything but the credentials, every value URL-encoded."""
    query = {
        "resource_arn": endpoint.resource_arn,
        "secret_arn": endpoint.secret_arn,
        "region": endpoint.region,
        "endpoint_url": endpoint.endpoint,
        "ca_file": endpoint.ca_file,
    }
    encoded = "&".join(f"{key}={quote(value, safe='')}" for key, value in query.items())
    return f"{backend}+{driver}:///{db}?{encoded}"


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=ENGINES)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def endpoint(request: pytest.FixtureRequest, backend: str) -> Any:
    return request.getfixturevalue(ENDPOINT_FIXTURES[backend])


@pytest.fixture
def engine(endpoint: Any, backend: str) -> Iterator[Any]:
    from sqlalchemy import create_engine

    eng = create_engine(dataapi_url(endpoint, backend),
                        connect_args={"credentials": endpoint.credentials()})  # fmt: skip
    yield eng
    eng.dispose()


@pytest.fixture
def async_engine(endpoint: Any, backend: str) -> Iterator[Any]:
    from sqlalchemy.ext.asyncio import create_async_engine

    eng = create_async_engine(dataapi_url(endpoint, backend, driver="dataapi_async"),
                              connect_args={"credentials": endpoint.credentials()})  # fmt: skip
    yield eng


@pytest.fixture
def metadata(engine: Any) -> Iterator[Any]:
    """A MetaData whose tables are dropped after the test."""
    from sqlalchemy import MetaData

    meta = MetaData()
    yield meta
    meta.drop_all(engine)


class Statements:
    """Every statement the engine sends (SQL, parameters), from SQLAlchemy's events."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seen: list[tuple[str, Any, bool]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any,
                context: Any, executemany: bool) -> None:  # fmt: skip
        self.seen.append((statement, parameters, executemany))

    @property
    def sql(self) -> list[str]:
        return [statement for statement, _, _ in self.seen]
