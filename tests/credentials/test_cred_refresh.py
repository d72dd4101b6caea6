"""Refresh windows and concurrency of CredentialSource (time is injected, never slept)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from cred_fakes import FakeClock

from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

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


def test_mandatory_refresh_runs_once_for_many_asyncio_tasks() -> None:
    """Many tasks awaiting ``aget()`` at the same moment share one fetch, and the
    event loop stays free while it runs (a loop-side tick counter keeps moving)."""
    import asyncio

    source, fetch, _ = _source()
    gate = fetch.gate = threading.Event()
    ticks = 0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    async def main() -> list[str]:
        stop = asyncio.Event()
        tick_task = asyncio.create_task(ticker(stop))
        tasks = [asyncio.create_task(source.aget()) for _ in range(32)]
        while fetch.calls < 1:  # the one refresher is inside fetch, holding the lock
            await asyncio.sleep(0.001)
        before = ticks
        await asyncio.sleep(0.05)
        assert ticks > before  # the loop was not blocked by the fetch
        gate.set()
        results = await asyncio.gather(*tasks)
        stop.set()
        await tick_task
        return [creds.access_key_id for creds in results]

    assert asyncio.run(main()) == ["AKID1"] * 32
    assert fetch.calls == 1


def test_advisory_refresh_runs_once_for_many_asyncio_tasks() -> None:
    """In the advisory window one task refreshes; the others get the still-valid
    credentials at once."""
    import asyncio

    source, fetch, clock = _source()
    source.get()
    clock.now += timedelta(minutes=46)  # 14 min left: advisory

    async def main() -> list[str]:
        results = await asyncio.gather(*(source.aget() for _ in range(32)))
        return sorted({creds.access_key_id for creds in results})

    keys = asyncio.run(main())
    assert fetch.calls == 2  # the first fetch plus exactly one refresh
    assert set(keys) <= {"AKID1", "AKID2"}
    assert source.get().access_key_id == "AKID2"


def test_mandatory_refresh_runs_once_for_threads_arriving_together() -> None:
    """All threads are released at once by a barrier into the mandatory window."""
    source, fetch, clock = _source()
    source.get()
    clock.now += timedelta(minutes=55)  # 5 min left: mandatory
    barrier = threading.Barrier(16)
    results: list[str] = []

    def worker() -> None:
        barrier.wait(5)
        results.append(source.get().access_key_id)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert fetch.calls == 2
    assert results == ["AKID2"] * 16
