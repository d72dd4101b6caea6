"""The shared fixtures' rule for absent servers: skip with the reason, fail under CI=true."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def fixtures(request: pytest.FixtureRequest) -> Any:
    """tests/conftest.py as loaded by pytest (its module name is ambiguous to import)."""
    plugin = request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST))
    assert plugin is not None
    return plugin


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once closed


@pytest.mark.parametrize(("ci", "outcome"), [("", "skip"), ("true", "fail")])
def test_absent_server_skips_or_fails_on_ci(
    fixtures: Any, closed_port: int, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    monkeypatch.setenv("SIGV4_DATAAPI_TEST_POSTGRES_URL", f"postgresql://x@127.0.0.1:{closed_port}/t")
    monkeypatch.setenv("CI", ci)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected) as caught:
        fixtures.engine_database_url("postgres")
    assert f"no postgres server at postgresql://x@127.0.0.1:{closed_port}/t" in str(caught.value)
