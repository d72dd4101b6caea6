"""Shared fixtures: a real local Data API endpoint (``sigv4-dataapi serve``) per test session.

- ``local_endpoint``: the zero-configuration one (SQLite, flavour v2, TLS, dev key pair),
  shared by the whole session; a :class:`LocalEndpoint` with ``endpoint``, ``ca_file``,
  ``region``, the key pair, example ``resource_arn``/``secret_arn``, ``arns`` (boto3
  keyword arguments), ``rds`` (a shared boto3 client), ``boto3_client()``,
  ``credentials()``, ``verify``/``httpx_verify``, ``process`` and ``stop()``.
- ``local_endpoint_factory(*flags, state_dir=, database_url=, flavor=, config=, engine=)``:
  one with extra ``serve`` flags (``--pause-after``, ``--start-paused``...), stopped after
  the test; ``local_endpoint_module_factory`` is the same, per module.
- ``local_endpoint_postgres`` / ``local_endpoint_mysql``, ``postgres_url`` / ``mysql_url``:
  the servers on loopback; they skip with the reason when the server or the backend
  module is absent, and fail instead when ``CI=true``.
- ``engine_endpoint``: parametrised over SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import selectors
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEV_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS docs' example key
START_TIMEOUT_S = 60.0

# engine -> (backend module, driver module, default URL, env var overriding the URL)
ENGINES: dict[str, tuple[str, str | None, str | None, str]] = {
    "sqlite": ("sqlite", None, None, ""),
    "postgres": (
        "postgres",
        "psycopg",
        "postgresql://postgres@127.0.0.1:5432/test",
        "SIGV4_DATAAPI_TEST_POSTGRES_URL",
    ),
    "mysql": (
        "mysql",
        "pymysql",
        "mysql://root@127.0.0.1:3306/test",
        "SIGV4_DATAAPI_TEST_MYSQL_URL",
    ),
}


@dataclass
class LocalEndpoint:
    """A running ``serve`` process and what a client needs to reach it."""

    endpoint: str
    ca_file: str | None
    region: str
    access_key_id: str
    secret_access_key: str
    resource_arn: str
    secret_arn: str
    flavor: str
    engine: str
    state_dir: Path
    process: subprocess.Popen[str]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def verify(self) -> str | bool:
        """What to pass as ``verify=`` to boto3 or httpx."""
        return self.ca_file or False

    @property
    def httpx_verify(self) -> ssl.SSLContext | bool:
        """What to pass as ``verify=`` to httpx (which wants an SSLContext, not a path)."""
        return ssl.create_default_context(cafile=self.ca_file) if self.ca_file else False

    @property
    def arns(self) -> dict[str, str]:
        """``resourceArn``/``secretArn`` keyword arguments for boto3 calls."""
        return {"resourceArn": self.resource_arn, "secretArn": self.secret_arn}

    @functools.cached_property
    def rds(self) -> Any:
        """A shared default ``boto3_client()`` (creating one costs ~50 ms of CPU)."""
        return self.boto3_client()

    def boto3_client(self, **config: Any) -> Any:
        """boto3's own ``rds-data`` client pointed at this endpoint (retries off by default)."""
        import boto3
        from botocore.config import Config

        options = {"retries": {"total_max_attempts": 1, "mode": "standard"}, **config}
        return boto3.session.Session().client(
            "rds-data",
            endpoint_url=self.endpoint,
            verify=self.verify,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(**options),
        )

    def credentials(self) -> Any:
        from sigv4_dataapi._credentials.value import Credentials

        return Credentials(self.access_key_id, self.secret_access_key)

    def stop(self) -> int:
        """Stop with SIGTERM (as a user would) and return the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode

    def stderr_text(self) -> str:
        path = self.state_dir / "serve.stderr"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _read_first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        if not selector.select(timeout):
            return ""
        return process.stdout.readline()
    finally:
        selector.close()


def start_local_endpoint(
    state_dir: Path,
    *flags: str,
    database_url: str | None = None,
    flavor: str = "v2",
    config: dict[str, Any] | Path | None = None,
    engine: str = "sqlite",
    env: dict[str, str] | None = None,
) -> LocalEndpoint:
    """Start ``python -m sigv4_dataapi serve --port 0`` and wait for its first JSON line."""
    state_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "sigv4_dataapi", "serve", "--port", "0"]
    command += ["--state-dir", str(state_dir), "--flavor", flavor]
    if database_url:
        command += ["--database-url", database_url]
    if isinstance(config, dict):
        path = state_dir / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        config = path
    if config is not None:
        command += ["--config", str(config)]
    command += list(flags)
    with (state_dir / "serve.stderr").open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    line = _read_first_line(process, START_TIMEOUT_S)
    if not line:
        process.kill()
        process.wait()
        assert process.stdout is not None
        process.stdout.close()
        errors = (state_dir / "serve.stderr").read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"serve did not start ({' '.join(command)}): {errors.strip()[-2000:]}")
    info = json.loads(line)
    return LocalEndpoint(
        endpoint=info["endpoint"],
        ca_file=info["ca_file"],
        region=info["region"],
        access_key_id=info["access_key_id"],
        secret_access_key=DEV_SECRET_ACCESS_KEY,
        resource_arn=info["resource_arn"],
        secret_arn=info["secret_arn"],
        flavor=info["flavor"],
        engine=engine,
        state_dir=state_dir,
        process=process,
        info=info,
    )


def _unavailable(reason: str) -> None:
    """Skip with ``reason``; with CI=true an absent server is a failure instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _reachable(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 2):
            return True
    except OSError:
        return False


def engine_database_url(engine: str) -> str | None:
    """The database URL for ``engine``, or skip (fail on CI) with the reason it is absent."""
    module, driver, default_url, env_var = ENGINES[engine]
    if importlib.util.find_spec(f"sigv4_dataapi._server.backends.{module}") is None:
        _unavailable(f"backend module sigv4_dataapi._server.backends.{module} is not written yet")
    if driver and importlib.util.find_spec(driver) is None:
        _unavailable(f"the {driver} driver is not installed")
    url = (os.environ.get(env_var) or default_url) if env_var else None
    if url and not _reachable(url):
        _unavailable(f"no {engine} server at {url}")
    return url


@pytest.fixture(scope="session")
def local_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEndpoint]:
    """The zero-configuration endpoint: SQLite, flavour v2, TLS, the dev key pair."""
    endpoint = start_local_endpoint(tmp_path_factory.mktemp("serve"))
    yield endpoint
    endpoint.stop()


def _factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalEndpoint]]:
    started: list[LocalEndpoint] = []

    def factory(*flags: str, state_dir: Path | None = None, **options: Any) -> LocalEndpoint:
        state_dir = state_dir or tmp_path_factory.mktemp("serve")
        endpoint = start_local_endpoint(state_dir, *flags, **options)
        started.append(endpoint)
        return endpoint

    yield factory
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def local_endpoint_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LocalEndpoint]]:
    """``factory(*flags, state_dir=, database_url=, flavor=, config=, engine=)``.

    Every endpoint it starts is stopped after the test.
    """
    yield from _factory(tmp_path_factory)


@pytest.fixture(scope="module")
def local_endpoint_module_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LocalEndpoint]]:
    """The same factory, for endpoints shared by one test module."""
    yield from _factory(tmp_path_factory)


def _engine_endpoint(engine: str, factory: pytest.TempPathFactory) -> Iterator[LocalEndpoint]:
    url = engine_database_url(engine)
    state_dir = factory.mktemp(f"serve-{engine}")
    endpoint = start_local_endpoint(state_dir, database_url=url, engine=engine)
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    """The PostgreSQL URL for tests (skips, or fails on CI, when the server is absent)."""
    return engine_database_url("postgres")


@pytest.fixture(scope="session")
def mysql_url() -> str | None:
    """The MariaDB/MySQL URL for tests (skips, or fails on CI, when the server is absent)."""
    return engine_database_url("mysql")


@pytest.fixture(scope="session")
def local_endpoint_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEndpoint]:
    yield from _engine_endpoint("postgres", tmp_path_factory)


@pytest.fixture(scope="session")
def local_endpoint_mysql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEndpoint]:
    yield from _engine_endpoint("mysql", tmp_path_factory)


@pytest.fixture(
    scope="session",
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def engine_endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalEndpoint]:
    """A v2 endpoint per engine: SQLite always, PostgreSQL and MariaDB when present."""
    if request.param == "sqlite":
        yield request.getfixturevalue("local_endpoint")
        return
    yield from _engine_endpoint(request.param, tmp_path_factory)
