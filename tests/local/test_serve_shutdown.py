"""SIGTERM while statements still run: the process exits promptly, nothing half-committed.

A ``continueAfterTimeout`` statement outlives its call on a worker thread; a
plain one runs on its request thread. Neither may hold up the exit for long:
the server cancels what still runs, waits a bounded grace, and goes. The
statements here would run for minutes; the exit must come within
``EXIT_DEADLINE_S`` (generous, so a loaded machine does not flake it).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

EXIT_DEADLINE_S = 30.0
# statements that run for minutes, per engine
ENDLESS = {
    "sqlite": (
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000000000) "
        "SELECT count(*) FROM c"
    ),
    "postgres": "SELECT pg_sleep(600)",
    "mysql": "SELECT SLEEP(600)",
}
ENGINES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
]


def _start(factory: Any, request: pytest.FixtureRequest, engine: str) -> Any:
    url = None if engine == "sqlite" else request.getfixturevalue(f"{engine}_url")
    return factory("--statement-timeout", "0.5", database_url=url, engine=engine)


def _wait_for_exit(process: subprocess.Popen[str]) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=EXIT_DEADLINE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"serve was still running {EXIT_DEADLINE_S:g} s after SIGTERM")
    return time.monotonic() - started


@pytest.mark.parametrize("engine", ENGINES)
def test_sigterm_does_not_wait_for_a_detached_statement(
    local_endpoint_factory: Any, request: pytest.FixtureRequest, engine: str
) -> None:
    endpoint = _start(local_endpoint_factory, request, engine)
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(
            sql=ENDLESS[engine], transactionId=tx, continueAfterTimeout=True, **endpoint.arns
        )
    assert caught.value.response["Error"]["Code"] == "StatementTimeoutException"
    with pytest.raises(ClientError):  # still running: the transaction is busy
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    _wait_for_exit(endpoint.process)
    assert endpoint.process.returncode == 0, endpoint.stderr_text()
    assert "Traceback" not in endpoint.stderr_text()


def test_sigterm_does_not_wait_for_a_running_call(local_endpoint_factory: Any) -> None:
    """A plain statement on its request thread (timeout far away), inside a transaction."""
    endpoint = local_endpoint_factory("--statement-timeout", "600")
    rds = endpoint.boto3_client()
    tx = rds.begin_transaction(**endpoint.arns)["transactionId"]
    outcome: list[object] = []

    def endless() -> None:
        try:
            rds.execute_statement(sql=ENDLESS["sqlite"], transactionId=tx, **endpoint.arns)
        except Exception as exc:  # the connection goes away with the server
            outcome.append(exc)

    caller = threading.Thread(target=endless, daemon=True)
    caller.start()
    deadline = time.monotonic() + 30
    while _code_of_busy(rds, tx, endpoint) != "DatabaseErrorException":  # it is running
        assert time.monotonic() < deadline, "the statement never started"
        time.sleep(0.05)
    _wait_for_exit(endpoint.process)
    assert endpoint.process.returncode == 0, endpoint.stderr_text()
    caller.join(timeout=EXIT_DEADLINE_S)
    assert outcome, "the call did not end with the server"


def _code_of_busy(rds: Any, tx: str, endpoint: Any) -> str:
    try:
        rds.execute_statement(sql="SELECT 1", transactionId=tx, **endpoint.arns)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return ""
