"""Fixtures of the mysql backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

import os
import uuid
from collections.abc import Iterator

import pytest
from _my import MYSQL_URL

from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends.base import DatabaseError
from sigv4_dataapi.local.backends.mysql import (
    MySQLBackend,
    MySQLSession,
)


@pytest.fixture(scope="module")
def backend() -> Iterator[MySQLBackend]:
    engine = open_backend(MYSQL_URL)
    assert isinstance(engine, MySQLBackend)
    try:
        engine.session(None, None).close()
    except DatabaseError as exc:
        reason = f"MariaDB/MySQL is not reachable at {MYSQL_URL}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.close()


@pytest.fixture
def session(backend: MySQLBackend) -> Iterator[MySQLSession]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


@pytest.fixture
def table(backend: MySQLBackend) -> Iterator[str]:
    name = f"b2_my_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()
