"""Fixtures of the MariaDB/MySQL backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _backends import dropped_table, fresh_session, server_backend
from _my import MYSQL_URL

from sigv4_dataapi.local.backends.mysql import MySQLBackend, MySQLSession


@pytest.fixture(scope="module")
def backend() -> Iterator[MySQLBackend]:
    engine = server_backend(MYSQL_URL, MySQLBackend, "MariaDB/MySQL")
    yield engine
    engine.close()


@pytest.fixture
def session(backend: MySQLBackend) -> Iterator[MySQLSession]:
    yield from fresh_session(backend)


@pytest.fixture
def table(backend: MySQLBackend) -> Iterator[str]:
    yield from dropped_table(backend, "b2_my")
