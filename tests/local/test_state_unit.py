"""Transactions, pause state and config parsing with an injected clock (no sleeping)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._server.api.api_error import ApiError, Faults
from sigv4_dataapi._server.auth.access import load_config, parse_config
from sigv4_dataapi._server.backends.base import Param, StatementResult, Value
from sigv4_dataapi._server.server_settings import PauseSettings, TransactionTimeouts
from sigv4_dataapi._server.state.pause import PauseState
from sigv4_dataapi._server.state.transactions import Transactions


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSession:
    def __init__(self) -> None:
        self.log: list[str] = []

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult:
        return StatementResult(None)

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        return []

    def begin(self) -> None:
        self.log.append("begin")

    def commit(self) -> None:
        self.log.append("commit")

    def rollback(self) -> None:
        self.log.append("rollback")

    def cancel(self) -> None:
        self.log.append("cancel")

    def close(self) -> None:
        self.log.append("close")


ARN, SECRET = "arn:cluster", "arn:secret"


def _transactions(flavor: str = "v2") -> tuple[Transactions, Clock]:
    clock = Clock()
    timeouts = TransactionTimeouts(idle=180, total=3600)
    return Transactions(timeouts, Faults(flavor), clock=clock), clock


def test_a_transaction_is_rolled_back_once_however_many_reapers_saw_it() -> None:
    """Two reapers list the same transaction; the second acquires its lock after the first
    released it. Its ROLLBACK would reach the connection's next user (found by the soak)."""
    transactions, _clock = _transactions()
    session = FakeSession()
    tx_id = transactions.begin(session, ARN, SECRET)
    tx = transactions.acquire(tx_id, ARN, SECRET)
    transactions.abort(tx)  # the first reaper
    assert tx.lock.acquire(blocking=False)  # the second, from its own (stale) list
    transactions.abort(tx)
    assert session.log == ["rollback", "close"]
    transactions.close()
    assert session.log == ["rollback", "close"]


def test_idle_expiry_rolls_back_and_forgets() -> None:
    transactions, clock = _transactions()
    session = FakeSession()
    tx_id = transactions.begin(session, ARN, SECRET)
    transactions.release(transactions.acquire(tx_id, ARN, SECRET))
    clock.now += 179
    transactions.release(transactions.acquire(tx_id, ARN, SECRET))
    clock.now += 180
    assert transactions.reap() == 1
    assert session.log == ["rollback", "close"]
    with pytest.raises(ApiError) as caught:
        transactions.acquire(tx_id, ARN, SECRET)
    assert caught.value.code == "TransactionNotFoundException"


def test_total_age_limit() -> None:
    transactions, clock = _transactions("v1")
    tx_id = transactions.begin(FakeSession(), ARN, SECRET)
    for _ in range(29):  # 3,480 s, never idle for long
        clock.now += 120
        transactions.release(transactions.acquire(tx_id, ARN, SECRET))
    clock.now += 120
    with pytest.raises(ApiError) as caught:
        transactions.acquire(tx_id, ARN, SECRET, ending=True)
    assert caught.value.code == "NotFoundException"
    assert caught.value.message.endswith("Transaction may be expired")


def test_v2_refuses_a_busy_transaction_and_other_clusters() -> None:
    transactions, _ = _transactions()
    tx_id = transactions.begin(FakeSession(), ARN, SECRET)
    held = transactions.acquire(tx_id, ARN, SECRET)
    with pytest.raises(ApiError) as caught:
        transactions.acquire(tx_id, ARN, SECRET)
    assert caught.value.message == "Transaction is still running a query"
    transactions.release(held)
    with pytest.raises(ApiError):
        transactions.acquire(tx_id, "arn:other", SECRET)


def test_pause_cycle() -> None:
    clock = Clock()
    paused: list[bool] = []
    state = PauseState(
        PauseSettings(pause_after=60, resume_seconds=15), clock=clock,
        on_pause=lambda: paused.append(True),
    )  # fmt: skip
    assert state.available()
    clock.now += 59
    assert state.available()
    clock.now += 60
    assert not state.available() and paused == [True]
    clock.now += 14
    assert not state.available()
    clock.now += 1
    assert state.available() and state.available()


def test_never_pauses_without_pause_after() -> None:
    clock = Clock()
    state = PauseState(PauseSettings(), clock=clock)
    clock.now += 10**9
    assert state.available()


def test_config_parsing(tmp_path: Path) -> None:
    config = parse_config(
        {
            "dev_key": False,
            "keys": [{"access_key_id": "AKIA1", "secret_access_key": "s", "allow": [{}]}],
            "secrets": [{"arn": "arn:s", "user": "u"}],
        }
    )
    assert list(config.keys) == ["AKIA1"]
    assert config.knows_secret("arn:s") and not config.knows_secret("arn:t")
    assert config.db_user("arn:s") == "u"
    toml = tmp_path / "c.toml"
    toml.write_text('[[keys]]\naccess_key_id = "AKIA2"\nsecret_access_key = "x"\n')
    assert "AKIA2" in load_config(toml).keys


@pytest.mark.parametrize(
    "data",
    [{"keys": "x"}, {"keys": [{"access_key_id": "A"}]}, {"clusters": [{"arn": "a"}]},
     {"keys": [{"access_key_id": "A", "secret_access_key": "s", "allow": [{"actions": 5}]}]}],
)  # fmt: skip
def test_bad_config(data: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        parse_config(data)
