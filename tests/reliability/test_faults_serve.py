"""``serve --faults`` end to end: each kind as the real client sees it, rows counted by sqlite3.

Every request to these endpoints draws a fault (probability 1), so the table
is made and counted with ``sqlite3`` on the endpoint's state file, never
through the faulty endpoint itself.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import rel_serve

from sigv4_dataapi import Client, DataAPIError, StatementMayHaveRunError
from sigv4_dataapi._errors import (
    ConnectionLostError,
    InternalServerErrorException,
    ReadTimeoutError,
    ThrottlingException,
)
from sigv4_dataapi._server.state import fault_injection as fi

TABLE = "faulted"


def _database(state: Path) -> closing[sqlite3.Connection]:
    """Autocommit, and closed after use (``with sqlite3.connect()`` only commits)."""
    return closing(sqlite3.connect(state / "local.sqlite3", isolation_level=None))


def _prepare(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    state.mkdir()
    with _database(state) as db:
        db.execute(f"CREATE TABLE {TABLE} (k INTEGER PRIMARY KEY)")
    return state


def _count(state: Path) -> int:
    with _database(state) as db:
        return int(db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])


def _client(endpoint: Any, **options: Any) -> Client:
    return Client(
        endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
        region=endpoint.region, credentials=endpoint.credentials(), verify=endpoint.ca_file,
        env={}, **options,
    )  # fmt: skip


def _insert(endpoint: Any, **options: Any) -> BaseException | None:
    with _client(endpoint, **options) as client:
        try:
            client.execute(f"INSERT INTO {TABLE} (k) VALUES (1)")
        except DataAPIError as exc:
            return exc
    return None


@pytest.mark.parametrize(
    ("kind", "error", "rows"),
    [
        ("reset-before", ConnectionLostError, 0),  # sent, then reset: ambiguous to the client
        ("throttle", ThrottlingException, 0),  # retried (not run), then given up
        ("drop-after", ConnectionLostError, 1),  # ran; never replayed
        ("error-after", InternalServerErrorException, 1),
    ],
)
def test_each_fault_as_the_client_sees_it(
    local_endpoint_factory: Callable[..., Any], tmp_path: Path, kind: str,
    error: type[BaseException], rows: int,
) -> None:  # fmt: skip
    state = _prepare(tmp_path)
    endpoint = local_endpoint_factory("--faults", f"{kind}=1", state_dir=state)
    assert endpoint.info["faults"] == {kind: 1.0}
    assert isinstance(endpoint.info["fault_seed"], int)
    raised = _insert(endpoint)
    assert isinstance(raised, error), repr(raised)
    assert isinstance(raised, StatementMayHaveRunError) == (kind != "throttle")
    assert _count(state) == rows  # ran at most once: the ambiguous ones were not replayed
    assert "Traceback" not in endpoint.stderr_text()


def test_delay_after_answers_late_or_times_out(
    local_endpoint_factory: Callable[..., Any], tmp_path: Path
) -> None:
    state = _prepare(tmp_path)
    endpoint = local_endpoint_factory(
        "--faults", "delay-after=1", "--fault-delay", "2", state_dir=state
    )
    started = time.monotonic()
    assert _insert(endpoint, timeout=10) is None
    assert time.monotonic() - started >= 2
    with _database(state) as db:
        db.execute(f"DELETE FROM {TABLE}")
    raised = _insert(endpoint, timeout=1)  # the answer comes after the client gave up
    assert isinstance(raised, ReadTimeoutError), repr(raised)
    assert rel_serve.wait_until(lambda: _count(state) == 1, 5)  # it ran, once


def _outcomes(endpoint: Any, count: int) -> list[str]:
    """One boto3 call (no retries) per request: the fault sequence, as seen from outside."""
    # botocore's retries.max_attempts counts retries (1 = one retry); total_max_attempts
    # counts attempts: 1 is really no retry
    rds = endpoint.boto3_client(retries={"total_max_attempts": 1, "mode": "standard"})
    seen = []
    for _ in range(count):
        try:
            rds.execute_statement(sql="SELECT 1", **endpoint.arns)
            seen.append("ok")
        except Exception as exc:  # botocore's errors: only the class name matters here
            seen.append(type(exc).__name__)
    return seen


def test_same_seed_same_sequence(local_endpoint_factory: Callable[..., Any]) -> None:
    """Sequential requests meet exactly the faults a local plan with the seed draws."""
    spec = "throttle=0.3,error-after=0.3"
    seen = _outcomes(local_endpoint_factory("--faults", spec, "--fault-seed", "11"), 24)
    plan = fi.FaultPlan(fi.parse_spec(spec), 11)
    names = {None: "ok", "throttle": "ClientError", "error-after": "InternalServerErrorException"}
    assert seen == [names[plan.draw()] for _ in range(24)]
    other = fi.FaultPlan(fi.parse_spec(spec), 12)
    assert seen != [names[other.draw()] for _ in range(24)]  # the seed matters
    assert set(seen) == set(names.values()), seen


def test_first_line_reports_the_plan(local_endpoint_factory: Callable[..., Any]) -> None:
    endpoint = local_endpoint_factory("--faults", "throttle=0.05", "--fault-seed", "3",
                                      "--fault-delay", "0.25")  # fmt: skip
    info = {k: endpoint.info[k] for k in ("faults", "fault_seed", "fault_delay")}
    assert json.loads(json.dumps(info)) == {
        "faults": {"throttle": 0.05}, "fault_seed": 3, "fault_delay": 0.25,
    }  # fmt: skip
