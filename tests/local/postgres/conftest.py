"""Fixtures of the postgres backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from _pg import PG_URL

from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends.base import DatabaseError
from sigv4_dataapi.local.backends.postgres import (
    PostgresBackend,
    PostgresSession,
)


@pytest.fixture(scope="module")
def backend() -> Iterator[PostgresBackend]:
    engine = open_backend(PG_URL)
    assert isinstance(engine, PostgresBackend)
    try:
        engine.session(None, None).close()
    except DatabaseError as exc:
        reason = f"PostgreSQL is not reachable at {PG_URL}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.close()


@pytest.fixture
def session(backend: PostgresBackend) -> Iterator[PostgresSession]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


@pytest.fixture
def table(backend: PostgresBackend) -> Iterator[str]:
    name = f"b2_pg_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()
