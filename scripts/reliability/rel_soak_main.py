"""``scripts/soak``: the engines at the same time, then this process's fds and RSS checked.

The baseline is taken after the client modules are imported and a ``Client``
and an ``AsyncClient`` have been made and closed once; after the run (every
client closed, garbage collected) open file descriptors must be back within
``FD_SLACK`` of it and resident memory within ``RSS_SLACK_MIB``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import rel_serve
import rel_soak

DRIVERS = {"postgres": "psycopg", "mysql": "pymysql"}
FD_SLACK = 4
RSS_SLACK_MIB = 16  # after a warm-up run of the same shape: growth beyond it is a leak


def warm_up(threads: int, engines: list[str]) -> dict[str, int]:
    """Import and exercise the client, on as many threads as the run will use.

    So the baseline includes what a process keeps once it has run that many
    threads (glibc's cache of thread stacks, per-thread malloc arenas): what
    must come back is the growth the run itself causes.
    """
    import importlib

    import httpx  # noqa: F401

    for engine in engines:  # the checks load the drivers: part of the baseline
        if engine in DRIVERS:
            importlib.import_module(DRIVERS[engine])

    from sigv4_dataapi import AsyncClient, Client

    arns = (
        "arn:aws:rds:us-east-1:123456789012:cluster:c",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:s",
    )
    options = {
        "endpoint_url": "https://127.0.0.1:9",
        "region": "us-east-1",
        "env": {},
        "credentials": rel_serve.credentials(),
    }

    def make() -> None:
        Client(*arns, **options).close()

        async def make_async() -> None:
            await AsyncClient(*arns, **options).aclose()

        asyncio.run(make_async())

    workers = [threading.Thread(target=make) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    gc.collect()
    return rel_serve.proc_stats()


def baseline(engines: list[str], options: dict[str, Any], seconds: float = 3.0) -> dict[str, int]:
    """This process's resources after a short run of the same shape (its results unused).

    What a first run leaves behind for good (imports, the allocator's high-water mark
    of that many concurrent clients) is not what "back to baseline" is about: a
    leak grows with the run, and this baseline makes the check see only that.
    """
    warm_up(len(engines) * (options["threads"] + 1), engines)
    with tempfile.TemporaryDirectory() as tmp:
        shape = {"transactions": False, **options, "seconds": seconds}
        reports = run(engines, shape, Path(tmp))
    broken = [report for report in reports if "attempted" not in report]
    if broken:  # the warm-up could not run: the soak would not either
        raise RuntimeError(f"warm-up run failed: {broken}")
    gc.collect()
    return rel_serve.proc_stats()


def run(engines: list[str], options: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []

    def one(engine: str) -> None:
        try:
            reports.append(rel_soak.soak_engine(engine, root / engine, **options))
        except Exception as exc:  # a setup failure (no server...) is a failed report
            reports.append({"engine": engine, "ok": False, "problems": [repr(exc)]})

    threads = [threading.Thread(target=one, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reports


def resources(before: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """This process's fds, RSS and threads now against ``before``, and what grew too much."""
    gc.collect()
    time.sleep(0.2)
    after = rel_serve.proc_stats()
    figures = {
        "fds": [before["fds"], after["fds"]],
        "rss_mib": [round(before["rss_kib"] / 1024, 1), round(after["rss_kib"] / 1024, 1)],
        "threads": [before["threads"], after["threads"]],
    }
    problems = []
    if after["fds"] > before["fds"] + FD_SLACK:
        problems.append(f"open fds {before['fds']} -> {after['fds']}")
    if after["rss_kib"] > before["rss_kib"] + RSS_SLACK_MIB * 1024:
        problems.append(f"RSS {figures['rss_mib']} MiB grew by more than {RSS_SLACK_MIB}")
    if after["threads"] > before["threads"]:
        problems.append(f"threads {before['threads']} -> {after['threads']}")
    return figures, problems


def soak(engines: list[str], *, check_resources: bool = True, **options: Any) -> dict[str, Any]:
    """Run the soak on ``engines`` and check this process's resources afterwards."""
    before = baseline(engines, options) if check_resources else {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        reports = run(engines, options, Path(tmp))
    figures, problems = resources(before) if check_resources else ({}, [])
    ok = not problems and all(report["ok"] for report in reports)
    return {
        "ok": ok,
        "seconds": round(time.monotonic() - started, 1),
        "engines": reports,
        "resources": figures,
        "problems": problems,
    }


def main(argv: list[str]) -> int:
    # the client logs a warning when a rollback after a failure fails too: expected here
    logging.getLogger("sigv4_dataapi").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(
        prog="scripts/soak",
        description=rel_soak.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--engines", default="sqlite,postgres,mysql", help="comma-separated (all three)")
    add("--seconds", type=float, default=60.0, help="per engine, run at the same time (60)")
    add("--count", type=int, default=100_000, help="keys per worker at most (100000)")
    add("--threads", type=int, default=8, help="threads with Client (8)")
    add("--tasks", type=int, default=8, help="asyncio tasks with AsyncClient (8)")
    add("--faults", default=rel_soak.EVERY_KIND, help="serve --faults SPEC (every kind 4%%)")
    add("--seed", type=int, default=14, help="serve --fault-seed (14)")
    add("--fault-delay", type=float, default=0.5, help="serve --fault-delay seconds (0.5)")
    add("--timeout", type=float, default=10.0, help="client timeout seconds (10)")
    add("--transactions", action="store_true", help="units of BEGIN, 3 inserts, COMMIT")
    args = parser.parse_args(argv)
    report = soak(
        [e.strip() for e in args.engines.split(",") if e.strip()],
        seconds=args.seconds,
        count=args.count,
        threads=args.threads,
        tasks=args.tasks,
        faults=args.faults,
        seed=args.seed,
        delay=args.fault_delay,
        transactions=args.transactions,
        timeout=args.timeout,
    )
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1
