"""AsyncClient fetches credentials off the event loop (``CredentialSource.aget``).

A container-credentials server on loopback answers only after a delay; while
the client waits for it, another task keeps ticking. Had the fetch run on the
loop (``get()`` inside the exchange), the ticker would stall for the whole delay.
Both the first fetch (the chain resolved lazily at the first request) and a
refresh inside the mandatory window are checked, against the local endpoint
configured with the session credentials the server hands out.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpcore  # noqa: F401 - imported here, not on the loop inside the measured call
import pytest

if TYPE_CHECKING:  # tests/conftest.py; not importable by name next to tests/local/conftest.py
    from conftest import LocalEndpoint

from sigv4_dataapi import AsyncClient
from sigv4_dataapi._credentials.providers import _container, resolve_credentials
from sigv4_dataapi._credentials.value import Credentials

T = TypeVar("T")
DELAY = 2.0  # seconds the credentials server takes to answer
# A fetch on the loop would stall the 10 ms ticker for the whole DELAY; off the loop the
# longest gap is scheduling noise. Half the delay separates the two even on a loaded machine.
MAX_GAP = DELAY / 2
KEY_ID = "ASIACONTAINEREXAMPLE"
SECRET = "container/secret/key/EXAMPLEKEY0000000000"
TOKEN = "container-session-token-EXAMPLE"


@dataclass
class CredentialsServer:
    """``AWS_CONTAINER_CREDENTIALS_FULL_URI`` on loopback: slow answers, counted."""

    delay: float
    lifetime: timedelta = timedelta(hours=1)
    requests: list[float] = field(default_factory=list)

    def document(self) -> bytes:
        self.requests.append(time.monotonic())
        time.sleep(self.delay)
        expires = datetime.now(timezone.utc) + self.lifetime * len(self.requests)
        return json.dumps({
            "AccessKeyId": KEY_ID, "SecretAccessKey": SECRET, "Token": TOKEN,
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }).encode()  # fmt: skip


@pytest.fixture
def credentials_server(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[CredentialsServer, str]]:
    # the provider reads for 2 s (botocore's budget): give the slow answer room on a loaded box
    monkeypatch.setattr(_container, "TIMEOUT", 30.0)
    state = CredentialsServer(delay=DELAY)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = state.document()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/credentials"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def token_endpoint(local_endpoint_module_factory: Callable[..., LocalEndpoint]) -> LocalEndpoint:
    """The local endpoint, also accepting the server's session credentials."""
    key = {"access_key_id": KEY_ID, "secret_access_key": SECRET, "session_token": TOKEN}
    return local_endpoint_module_factory(config={"dev_key": True, "keys": [key]})


def container_env(url: str, home: Path) -> dict[str, str]:
    return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials")}  # fmt: skip


async def while_ticking(work: Coroutine[Any, Any, T]) -> tuple[T, float, float]:
    """Run ``work`` beside a 10 ms ticker: its result, how long it took, the longest tick gap."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    while not gaps:  # the ticker is running before the work starts
        await asyncio.sleep(0.005)
    started = time.monotonic()
    try:
        result = await work
    finally:
        took = time.monotonic() - started
        done.set()
        await task
    return result, took, max(gaps)


def connect(endpoint: LocalEndpoint, **options: Any) -> AsyncClient:
    return AsyncClient(endpoint.resource_arn, endpoint.secret_arn, endpoint_url=endpoint.endpoint,
                       verify=endpoint.ca_file or False, region=endpoint.region,
                       **options)  # fmt: skip


def test_first_fetch_runs_off_the_loop(
    token_endpoint: LocalEndpoint,
    credentials_server: tuple[CredentialsServer, str],
    tmp_path: Path,
) -> None:
    server, url = credentials_server

    async def scenario() -> tuple[list[dict[str, Any]], float, float]:
        async with connect(token_endpoint, env=container_env(url, tmp_path)) as db:
            result, took, gap = await while_ticking(db.execute("SELECT 1 AS one"))
            return result.rows, took, gap

    rows, took, gap = asyncio.run(scenario())
    assert rows == [{"one": 1}]
    assert len(server.requests) == 1 and took >= DELAY  # the slow fetch happened in the call
    assert gap < MAX_GAP, f"the event loop stalled for {gap:.2f} s during the fetch"


def test_refresh_in_the_mandatory_window_runs_off_the_loop(
    token_endpoint: LocalEndpoint,
    credentials_server: tuple[CredentialsServer, str],
    tmp_path: Path,
) -> None:
    server, url = credentials_server
    skew = [timedelta(0)]
    source = resolve_credentials(env=container_env(url, tmp_path),
                                 clock=lambda: datetime.now(timezone.utc) + skew[0])  # fmt: skip
    assert source.provider == "container-role" and len(server.requests) == 1

    async def scenario() -> list[tuple[float, float]]:
        timings = []
        async with connect(token_endpoint, credentials=source) as db:
            for _ in range(2):  # fresh credentials, then 5 minutes before they expire
                result, took, gap = await while_ticking(db.execute("SELECT 1 AS one"))
                assert result.rows == [{"one": 1}]
                timings.append((took, gap))
                skew[0] = timedelta(minutes=55)
        return timings

    (fresh_took, _), (refresh_took, gap) = asyncio.run(scenario())
    assert len(server.requests) == 2  # one fetch at resolution, one refresh
    assert fresh_took < DELAY <= refresh_took
    assert gap < MAX_GAP, f"the event loop stalled for {gap:.2f} s during the refresh"


def test_a_source_without_aget_is_asked_get(local_endpoint: LocalEndpoint) -> None:
    """``credentials=`` may be any object with ``get()``; ``aget()`` is used when present."""
    calls: list[str] = []

    class Getter:
        def get(self) -> Credentials:
            calls.append("get")
            return local_endpoint.credentials()  # type: ignore[no-any-return]

    class AsyncGetter(Getter):
        async def aget(self) -> Credentials:
            calls.append("aget")
            return local_endpoint.credentials()  # type: ignore[no-any-return]

    async def scenario() -> None:
        for getter in (Getter(), AsyncGetter()):
            async with connect(local_endpoint, credentials=getter, env={}) as db:
                assert (await db.execute("SELECT 1 AS one")).rows == [{"one": 1}]

    asyncio.run(scenario())
    assert calls == ["get", "aget"]
