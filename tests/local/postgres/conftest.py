"""Fixtures of the PostgreSQL backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _backends import dropped_table, fresh_session, server_backend
from _pg import PG_URL

from sigv4_dataapi.local.backends.postgres import PostgresBackend, PostgresSession


@pytest.fixture(scope="module")
def backend() -> Iterator[PostgresBackend]:
    engine = server_backend(PG_URL, PostgresBackend, "PostgreSQL")
    yield engine
    engine.close()


@pytest.fixture
def session(backend: PostgresBackend) -> Iterator[PostgresSession]:
    yield from fresh_session(backend)


@pytest.fixture
def table(backend: PostgresBackend) -> Iterator[str]:
    yield from dropped_table(backend, "b2_pg")
