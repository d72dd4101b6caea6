"""``serve --faults``: the SPEC, the seeded draw, and each fault in the HTTP-free pipeline."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._cli.main import main
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._server import server_settings as _settings
from sigv4_dataapi._server.api import ops as _ops
from sigv4_dataapi._server.auth import access as _access
from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.http.dispatch import Dispatcher
from sigv4_dataapi._server.state import fault_injection as fi
from sigv4_dataapi._sigv4.sign import sign_request

REGION = "us-east-1"
ALL = "reset-before=0.1,throttle=0.1,drop-after=0.1,error-after=0.1,delay-after=0.1"


def test_spec_is_read_into_probabilities() -> None:
    assert fi.parse_spec(" throttle=0.25 , drop-after=0 ") == {"throttle": 0.25, "drop-after": 0}
    assert set(fi.parse_spec(ALL)) == set(fi.KINDS)


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("", "empty item"),
        ("throttle", "not kind=probability"),
        ("explode=0.1", "unknown fault kind 'explode'"),
        ("throttle=0.1,throttle=0.2", "given twice"),
        ("throttle=lots", "not a number"),
        ("throttle=1.5", "must be in [0, 1]"),
        ("throttle=-0.1", "must be in [0, 1]"),
        ("throttle=nan", "must be in [0, 1]"),
        ("throttle=0.6,drop-after=0.6", "add up to 1.2"),
    ],
)
def test_bad_spec_is_one_clear_error(spec: str, needle: str) -> None:
    with pytest.raises(fi.FaultSpecError, match=needle.replace("[", r"\[").replace("(", r"\(")):
        fi.parse_spec(spec)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--faults", "explode=1"], "unknown fault kind 'explode'"),
        (["--faults", "throttle=2"], "must be in [0, 1]"),
        (["--fault-seed", "3"], "--fault-seed needs --faults"),
        (["--max-connections", "0"], "must be at least 1"),
    ],
)
def test_serve_refuses_a_bad_spec_in_one_line(argv: list[str], needle: str) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main(["serve", "--no-tls", *argv], stdout=stdout, stderr=stderr)
    assert status != 0
    assert stdout.getvalue() == ""
    lines = stderr.getvalue().strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()


def test_same_seed_same_sequence_whatever_the_spec_order() -> None:
    spec = fi.parse_spec(ALL)
    reordered = dict(reversed(list(spec.items())))
    one, two, three = fi.FaultPlan(spec, 7), fi.FaultPlan(reordered, 7), fi.FaultPlan(spec, 8)
    first = [one.draw() for _ in range(500)]
    assert first == [two.draw() for _ in range(500)]
    assert first != [three.draw() for _ in range(500)]


def test_draws_follow_the_probabilities() -> None:
    plan = fi.FaultPlan(fi.parse_spec(ALL), 1)
    draws = [plan.draw() for _ in range(20000)]
    for kind in fi.KINDS:
        assert 1600 < draws.count(kind) < 2400, kind  # 10 % each, 5 sigma is ~±210
        assert plan.counts[kind] == draws.count(kind)
    assert 9000 < draws.count(None) < 11000
    assert fi.FaultPlan({"throttle": 0.0}, 1).draw() is None


# -- each fault, in the HTTP-free pipeline ------------------------------------------------


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    apis: list[_ops.DataApi] = []

    def make(kind: str, sleep: Sleeps | None = None) -> Dispatcher:
        api = _ops.DataApi(
            _settings.ServeSettings(), _access.AccessConfig(), f"sqlite://{tmp_path / 'db'}",
            opener=open_backend,
        )  # fmt: skip
        apis.append(api)
        plan = fi.FaultPlan({kind: 1.0} if kind else {}, 1, delay=1.5)
        sleep = sleep if sleep is not None else Sleeps()
        return Dispatcher(api, log=io.StringIO(), faults=plan, sleep=sleep)

    yield make
    for api in apis:
        api.close()


def _call(dispatcher: Dispatcher, path: str, **members: Any) -> Any:
    body = {
        "resourceArn": _settings.example_resource_arn(REGION),
        "secretArn": _settings.example_secret_arn(REGION),
        **members,
    }
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1:1"}
    signed = sign_request(
        "POST", f"https://127.0.0.1:1{path}", headers=headers, body=data,
        credentials=Credentials(_settings.DEV_ACCESS_KEY_ID, _settings.DEV_SECRET_ACCESS_KEY),
        region=REGION, service="rds-data", now=datetime.now(timezone.utc),
    )  # fmt: skip
    return dispatcher.handle("POST", path, [*headers.items(), *signed.headers.items()], data)


def _count(dispatcher: Dispatcher, table: str) -> int:
    plain = Dispatcher(dispatcher.api)  # no faults: the check itself must not be spoiled
    reply = _call(plain, "/Execute", sql=f"SELECT count(*) FROM {table}")
    return int(json.loads(reply.body)["records"][0][0]["longValue"])


@pytest.fixture
def table(make: Any) -> str:
    reply = _call(make(""), "/Execute", sql="CREATE TABLE f (k INTEGER)")
    assert reply.status == 200
    return "f"


def test_reset_before_runs_nothing_and_asks_for_a_reset(make: Any, table: str) -> None:
    dispatcher = make("reset-before")
    reply = _call(dispatcher, "/Execute", sql=f"INSERT INTO {table} VALUES (1)")
    assert (reply.fault, reply.body) == ("reset", b"")
    assert _count(dispatcher, table) == 0


def test_throttle_runs_nothing(make: Any, table: str) -> None:
    dispatcher = make("throttle")
    reply = _call(dispatcher, "/Execute", sql=f"INSERT INTO {table} VALUES (1)")
    assert (reply.status, reply.error_type, reply.fault) == (400, "ThrottlingException", None)
    assert json.loads(reply.body) == {"message": fi.THROTTLE_MESSAGE}
    assert _count(dispatcher, table) == 0


def test_drop_after_runs_then_asks_for_a_silent_close(make: Any, table: str) -> None:
    dispatcher = make("drop-after")
    reply = _call(dispatcher, "/Execute", sql=f"INSERT INTO {table} VALUES (1)")
    assert reply.fault == "drop"
    assert _count(dispatcher, table) == 1


def test_error_after_runs_then_answers_5xx(make: Any, table: str) -> None:
    dispatcher = make("error-after")
    reply = _call(dispatcher, "/BatchExecute", sql=f"INSERT INTO {table} VALUES (:k)",
                  parameterSets=[[{"name": "k", "value": {"longValue": 1}}]] * 2)  # fmt: skip
    assert reply.status == 500 and reply.error_type.startswith("InternalServerErrorException")
    assert _count(dispatcher, table) == 2


def test_delay_after_runs_then_waits(make: Any, table: str) -> None:
    sleeps = Sleeps()
    dispatcher = make("delay-after", sleeps)
    reply = _call(dispatcher, "/Execute", sql=f"INSERT INTO {table} VALUES (1)")
    assert (reply.status, sleeps) == (200, [1.5])
    assert _count(dispatcher, table) == 1


def test_faults_reach_transactions_too(make: Any, table: str) -> None:
    plain, failing = make(""), make("error-after")
    failing.api = plain.api  # one endpoint state, two fault plans
    begun = _call(failing, "/BeginTransaction")
    assert begun.status == 500  # began (a transaction is open) but the answer is a 5xx
    assert failing.faults is not None and failing.faults.counts == {"error-after": 1}
    tx = json.loads(_call(plain, "/BeginTransaction").body)["transactionId"]
    _call(plain, "/Execute", sql=f"INSERT INTO {table} VALUES (1)", transactionId=tx)
    assert _call(failing, "/CommitTransaction", transactionId=tx).status == 500
    assert _count(plain, table) == 1  # committed before the 5xx


def test_unauthenticated_requests_draw_no_fault(make: Any) -> None:
    dispatcher = make("reset-before")
    reply = dispatcher.handle("POST", "/Execute", [("Host", "x")], b"{}")
    assert (reply.status, reply.fault) == (403, None)
    assert dispatcher.faults is not None and dispatcher.faults.counts == {}
