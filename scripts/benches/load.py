"""``scripts/bench load``: 64 concurrent ``AsyncClient`` s against the endpoint, for a minute.

Starts ``sigv4-dataapi serve`` (TLS) on PostgreSQL (``--engine`` to change),
makes a fresh table, then runs ``--clients`` asyncio tasks, each with its own
``AsyncClient``, inserting unique keys for ``--seconds`` (default 60). The peer,
in the same run and for the same time: boto3's ``rds-data`` client, one per
thread, ``--clients`` threads (retries off). Reported per side: errors,
requests/s, p50/p99 latency after warm-up, and the RSS of this process and of
the server at the end of warm-up and at the end (memory must stay flat).
Afterwards the table is counted with psycopg: every acknowledged insert is
there. No assertions: the figures and the ratios are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import rel_serve

NEEDS = ("boto3", "botocore", "cryptography")  # peers, checked by scripts/bench first
SAMPLE_S = 10  # seconds between RSS samples


@dataclass
class Side:
    """One client kind's run: latencies after warm-up, errors, memory at two points."""

    name: str
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rss_mib: dict[str, float] = field(default_factory=dict)  # "client_warm"/"server_end"...
    series: list[tuple[float, float, float]] = field(default_factory=list)  # (s, client, server)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        pick = (
            (lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000)
            if ordered
            else (lambda q: 0.0)
        )
        return {
            "side": self.name,
            "requests_per_s": round(len(ordered) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(pick(0.50), 1),
            "p99_ms": round(pick(0.99), 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
            "measured_requests": len(ordered),
            "acknowledged": self.acknowledged,
            "errors": len(self.errors),
            "error_samples": self.errors[:3],
            "rss_mib": self.rss_mib,
            "rss_series_mib": self.series,
        }


def _rss(pid: int | str) -> float:
    return round(rel_serve.proc_stats(pid)["rss_kib"] / 1024, 1)


def _clock(
    side: Side, served: rel_serve.Served, warmup: float, seconds: float
) -> Callable[[], None]:
    """A thread that samples both processes' RSS every ``SAMPLE_S`` (and at warm-up's end)."""

    def watch() -> None:
        start = time.monotonic()
        marks = sorted(
            {*(t for t in range(SAMPLE_S, int(seconds), SAMPLE_S)), warmup, seconds - 0.5}
        )
        for mark in marks:
            time.sleep(max(0.0, start + mark - time.monotonic()))
            side.series.append((round(mark, 1), _rss("self"), _rss(served.pid)))
            if mark == warmup:
                side.rss_mib.update({"client_warm": _rss("self"), "server_warm": _rss(served.pid)})
        side.rss_mib.update({"client_end": _rss("self"), "server_end": _rss(served.pid)})

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread.join


def run_ours(
    served: rel_serve.Served, table: str, clients: int, seconds: float, warmup: float
) -> Side:
    from sigv4_dataapi import AsyncClient

    side = Side("sigv4-dataapi AsyncClient")
    sql = f"INSERT INTO {table} (k) VALUES (:k)"

    async def client_task(n: int, start: float) -> None:
        options = rel_serve.client_options(served)
        async with AsyncClient(
            options.pop("resource_arn"), options.pop("secret_arn"), timeout=30, **options
        ) as client:
            i = 0
            while (now := time.monotonic()) < start + seconds:
                try:
                    await client.execute(sql, {"k": f"o{n}-{i}"})
                    side.acknowledged += 1
                    if now >= start + warmup:
                        side.latencies.append(time.monotonic() - now)
                except Exception as exc:  # counted: the target is zero
                    side.errors.append(repr(exc))
                i += 1

    async def main() -> None:
        start = time.monotonic()
        await asyncio.gather(*(client_task(n, start) for n in range(clients)))

    join = _clock(side, served, warmup, seconds)
    asyncio.run(main())
    join()
    side.seconds = seconds - warmup
    return side


def run_boto3(
    served: rel_serve.Served, table: str, clients: int, seconds: float, warmup: float
) -> Side:
    import boto3
    from botocore.config import Config

    side = Side("boto3 rds-data (threads)")
    lock = threading.Lock()
    info = served.info
    session = boto3.session.Session()
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=2)
    rds_clients = [
        session.client(
            "rds-data",
            endpoint_url=info["endpoint"],
            verify=info["ca_file"],
            region_name=info["region"],
            aws_access_key_id=info["access_key_id"],
            aws_secret_access_key=rel_serve.DEV_SECRET_ACCESS_KEY,
            config=config,
        )
        for _ in range(clients)
    ]
    arns = {"resourceArn": info["resource_arn"], "secretArn": info["secret_arn"]}
    start = time.monotonic()

    def worker(n: int) -> None:
        i = 0
        while (now := time.monotonic()) < start + seconds:
            try:
                rds_clients[n].execute_statement(
                    sql=f"INSERT INTO {table} (k) VALUES (:k)",
                    parameters=[{"name": "k", "value": {"stringValue": f"b{n}-{i}"}}],
                    **arns,
                )
                with lock:
                    side.acknowledged += 1
                    if now >= start + warmup:
                        side.latencies.append(time.monotonic() - now)
            except Exception as exc:
                with lock:
                    side.errors.append(repr(exc))
            i += 1

    join = _clock(side, served, warmup, seconds)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    join()
    side.seconds = seconds - warmup
    return side


def _count(url: str | None, state: Path, table: str, prefix: str) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE k LIKE '{prefix}%'"
    if url is None:
        import sqlite3

        with sqlite3.connect(state / "local.sqlite3") as db:
            return int(db.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return int(db.execute(sql).fetchone()[0])


def _ddl(url: str | None, state: Path, sql: str) -> None:
    if url is None:
        import sqlite3

        with sqlite3.connect(state / "local.sqlite3") as db:
            db.execute(sql)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(sql)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (64)")
    parser.add_argument("--seconds", type=float, default=60.0, help="per side (60)")
    parser.add_argument("--warmup", type=float, default=10.0, help="excluded from latency (10)")
    parser.add_argument("--no-peer", action="store_true", help="skip the boto3 side")
    args = parser.parse_args(argv)
    warmup = min(args.warmup, args.seconds / 2)
    url = rel_serve.ENGINE_URLS[args.engine]
    table = f"load_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        _ddl(url, state, f"CREATE TABLE {table} (k TEXT PRIMARY KEY)")
        served = rel_serve.start(state, database_url=url)
        try:
            sides = [run_ours(served, table, args.clients, args.seconds, warmup)]
            if not args.no_peer:
                sides.append(run_boto3(served, table, args.clients, args.seconds, warmup))
        finally:
            served.stop()
        rows = {
            side.name: _count(url, state, table, side.name[0] if side.name[0] == "b" else "o")
            for side in sides
        }
        if url is not None:
            _ddl(url, state, f"DROP TABLE {table}")
    report = [side.summary() | {"rows_present": rows[side.name]} for side in sides]
    print(
        f"load: {args.clients} clients, {args.seconds:g} s each ({warmup:g} s warm-up), "
        f"engine {args.engine}; 2 shared cores: figures are noisy"
    )
    for entry in report:
        rss = entry["rss_mib"]
        print(f"  {entry['side']:28} {entry['requests_per_s']:8.1f} req/s"
              f"  p50 {entry['p50_ms']:7.1f} ms  p99 {entry['p99_ms']:7.1f} ms"
              f"  errors {entry['errors']}  rows {entry['rows_present']}/{entry['acknowledged']}"
              f" acked  client RSS {rss.get('client_warm')}->{rss.get('client_end')} MiB"
              f"  server RSS {rss.get('server_warm')}->{rss.get('server_end')} MiB")  # fmt: skip
    if len(report) == 2 and report[1]["requests_per_s"]:
        ours, peer = report
        print(f"  ratio (ours / boto3): throughput "
              f"{ours['requests_per_s'] / peer['requests_per_s']:.2f}x,"
              f" p99 {ours['p99_ms'] / max(peer['p99_ms'], 0.1):.2f}x")  # fmt: skip
    print(json.dumps(report))
    return 0
