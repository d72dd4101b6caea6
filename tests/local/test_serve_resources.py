"""The endpoint holds no more file descriptors after 1,000 requests than after the first 10.

Each round sends every kind of request the endpoint answers differently: a
query on a kept-alive connection, one on a fresh connection, an engine error,
a transaction begun and committed, one begun and rolled back, and an unknown
access key. A leak on any of those paths (a socket, a SQLite connection with
its WAL files, a file) grows the count by a hundred over the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sigv4_dataapi import Client, Credentials, ServiceError

if TYPE_CHECKING:
    from conftest import LocalEndpoint

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="counting a process's descriptors needs /proc"
)

ROUNDS = 1000 // 6 + 1  # six requests a round: 1,002 requests in all


def _client(endpoint: LocalEndpoint, credentials: Credentials | None = None) -> Client:
    return Client(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                  verify=endpoint.ca_file or False, region=endpoint.region, env={},
                  credentials=credentials or endpoint.credentials())  # fmt: skip


def _descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _settled(pid: int, ceiling: int, timeout: float = 10.0) -> int:
    """The count once the server has seen the client's closes (they arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    count = _descriptors(pid)
    while count > ceiling and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _descriptors(pid)
    return count


@pytest.fixture
def endpoint(local_endpoint_factory: Callable[..., LocalEndpoint]) -> LocalEndpoint:
    """An endpoint that reports every ResourceWarning (3.13 adds unclosed SQLite ones)."""
    return local_endpoint_factory(env={"PYTHONWARNINGS": "always::ResourceWarning"})


@pytest.fixture
def kept_alive(endpoint: LocalEndpoint) -> Iterator[Client]:
    with closing(_client(endpoint)) as client:
        yield client


def _round(endpoint: LocalEndpoint, client: Client, table: str, index: int) -> None:
    assert client.execute(f"SELECT count(*) AS n FROM {table}").rows == [{"n": index}]
    with closing(_client(endpoint)) as fresh:  # a new TLS connection, closed by the client
        fresh.execute(f"INSERT INTO {table} (x) VALUES (:x)", {"x": index})
    with pytest.raises(ServiceError):
        client.execute("SELECT * FROM no_such_table_here")
    transaction = client.begin_transaction()
    client.execute(f"SELECT x FROM {table}", transaction_id=transaction)
    client.commit_transaction(transaction)
    transaction = client.begin_transaction()
    client.execute(f"INSERT INTO {table} (x) VALUES (-1)", transaction_id=transaction)
    client.rollback_transaction(transaction)
    stranger = Credentials("AKIAUNKNOWNKEY000000", "not-the-secret")
    with closing(_client(endpoint, stranger)) as refused, pytest.raises(ServiceError):
        refused.execute("SELECT 1")


def test_a_thousand_requests_hold_no_more_descriptors_than_ten(
    endpoint: LocalEndpoint, kept_alive: Client
) -> None:
    pid = endpoint.process.pid
    table = f"fds_{os.getpid()}_{time.monotonic_ns()}"
    kept_alive.execute(f"CREATE TABLE {table} (x INTEGER)")
    for index in range(2):  # 12 requests: every kind twice
        _round(endpoint, kept_alive, table, index)
    after_ten = _settled(pid, 0, timeout=0.5)
    for index in range(2, ROUNDS):
        _round(endpoint, kept_alive, table, index)
    at_end = _settled(pid, after_ten)
    assert at_end <= after_ten, _listing(pid)
    assert endpoint.stop() == 0
    assert "ResourceWarning" not in endpoint.stderr_text()


def _listing(pid: int) -> Any:
    """What the descriptors point at, for the failure message."""
    return sorted(os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))


def test_sqlite_sessions_closed_after_the_backend_close_their_connection(tmp_path: Path) -> None:
    """A session still running at shutdown closes its connection instead of pooling it."""
    import sqlite3

    from sigv4_dataapi._server.backends.sqlite import SqliteBackend

    backend = SqliteBackend(str(tmp_path / "db.sqlite3"))
    late, idle = backend.session(None, None), backend.session(None, None)
    idle.close()
    late.begin()
    backend.close()
    late.close()
    late.close()  # twice is harmless: the connection is never pooled twice
    for session in (late, idle):
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            session._connection.execute("SELECT 1")
