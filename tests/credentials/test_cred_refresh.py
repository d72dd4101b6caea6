"""Refresh windows and concurrency of CredentialSource (time is injected, never slept)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from cred_fakes import FakeClock

from sigv4_dataapi._credentials import Credentials
from sigv4_dataapi._errors import CredentialProviderError
from sigv4_dataapi._providers._source import CredentialSource

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


class Fetcher:
    """Hands out numbered credentials valid for ``lifetime``; can be told to fail."""

    def __init__(self, clock: FakeClock, lifetime: timedelta = timedelta(hours=1)) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.fail = False
        self.gate: threading.Event | None = None

    def __call__(self) -> Credentials:
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail:
            raise CredentialProviderError("test", "endpoint down")
        return Credentials(f"AKID{self.calls}", "s", "t", self.clock() + self.lifetime)


def _source(
    lifetime: timedelta = timedelta(hours=1),
) -> tuple[CredentialSource, Fetcher, FakeClock]:
    clock = FakeClock(T0)
    fetch = Fetcher(clock, lifetime)
    return CredentialSource("test", fetch=fetch, clock=clock), fetch, clock


def test_deferred_fetch_happens_once_then_caches() -> None:
    source, fetch, clock = _source()
    assert fetch.calls == 0
    assert source.get().access_key_id == "AKID1"
    clock.now += timedelta(minutes=44)
    assert source.get().access_key_id == "AKID1"
    assert fetch.calls == 1


def test_advisory_window_refreshes() -> None:
    source, _, clock = _source()
    source.get()
    clock.now += timedelta(minutes=46)  # 14 min left: advisory
    assert source.get().access_key_id == "AKID2"


def test_failed_advisory_refresh_keeps_valid_credentials(caplog: pytest.LogCaptureFixture) -> None:
    source, fetch, clock = _source()
    source.get()
    fetch.fail = True
    clock.now += timedelta(minutes=46)
    assert source.get().access_key_id == "AKID1"
    assert "advisory credential refresh failed" in caplog.text
    assert "endpoint down" in caplog.text
    assert fetch.calls == 2
    clock.now += timedelta(seconds=10)
    assert source.get().access_key_id == "AKID1"
    assert fetch.calls == 2  # backing off: no retry on every call
    clock.now += timedelta(seconds=25)
    fetch.fail = False
    assert source.get().access_key_id == "AKID3"


def test_failed_mandatory_refresh_raises() -> None:
    source, fetch, clock = _source()
    source.get()
    fetch.fail = True
    clock.now += timedelta(minutes=51)  # 9 min left: mandatory
    with pytest.raises(CredentialProviderError, match="endpoint down"):
        source.get()


def test_short_lived_credentials_are_not_refetched_every_call() -> None:
    source, fetch, clock = _source(timedelta(minutes=15))  # duration_seconds = 900
    source.get()
    clock.now += timedelta(minutes=5)
    source.get()
    assert fetch.calls == 1  # boto3's fixed 15-min window would refetch here
    clock.now += timedelta(minutes=3)  # 7 of 15 minutes left: past half the lifetime
    assert source.get().access_key_id == "AKID2"


def test_refreshed_but_still_expired_is_an_error() -> None:
    source, _, _ = _source(timedelta(seconds=-1))
    with pytest.raises(CredentialProviderError, match="already expired"):
        source.get()


def test_static_credentials_never_refresh() -> None:
    creds = Credentials("AKID", "s")
    source = CredentialSource("explicit", credentials=creds)
    assert source.get() is creds
    assert not source.refreshable
    assert "s'" not in repr(source)


def test_mandatory_refresh_runs_once_for_many_threads() -> None:
    source, fetch, _ = _source()
    fetch.gate = threading.Event()
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(source.get().access_key_id))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    fetch.gate.set()
    for thread in threads:
        thread.join(5)
    assert fetch.calls == 1
    assert results == ["AKID1"] * 16


def test_advisory_refresh_does_not_block_other_threads() -> None:
    source, fetch, clock = _source()
    source.get()
    clock.now += timedelta(minutes=46)
    fetch.gate = threading.Event()
    refresher = threading.Thread(target=source.get)
    refresher.start()
    while fetch.calls < 2:  # the refresher holds the lock inside fetch
        threading.Event().wait(0.001)
    assert source.get().access_key_id == "AKID1"  # not blocked, old creds still valid
    fetch.gate.set()
    refresher.join(5)
    assert source.get().access_key_id == "AKID2"
    assert fetch.calls == 2


def test_aget_fetches_off_the_event_loop() -> None:
    import asyncio

    source, fetch, clock = _source()
    loop_threads: list[int] = []
    fetch_threads: list[int] = []
    original = fetch.__call__

    def recording() -> Credentials:
        fetch_threads.append(threading.get_ident())
        return original()

    source._fetch = recording

    async def main() -> list[str]:
        loop_threads.append(threading.get_ident())
        first = await source.aget()
        second = await source.aget()  # cached: no thread hop needed
        return [first.access_key_id, second.access_key_id]

    assert asyncio.run(main()) == ["AKID1", "AKID1"]
    assert fetch_threads and fetch_threads[0] != loop_threads[0]
    assert fetch.calls == 1
    clock.now += timedelta(minutes=51)
    assert asyncio.run(main())[0] == "AKID2"
