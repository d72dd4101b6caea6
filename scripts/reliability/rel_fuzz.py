"""Malformed requests against a live endpoint (``scripts/fuzz-endpoint``).

Every request goes on a fresh plain-TCP connection to a ``--no-tls`` endpoint
(the fuzz is of the HTTP layer and request validation; TLS is the ssl
module's), then the write side is closed, so a request the server waits on
ends in EOF. Each must get a 4xx answer or a closed connection within 5 s;
none may get a 5xx. Meanwhile 64 stalled connections (a head never finished)
stay open, a prober sends valid signed requests with the real ``Client`` and
must always get an answer, and the server's RSS and threads are sampled.
"""

from __future__ import annotations

import json
import random
import socket
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rel_serve
from rel_fuzz_kinds import KINDS

ANSWER_DEADLINE_S = 5.0


def exchange(served: rel_serve.Served, data: bytes) -> str:
    """Send ``data``, close the write side, and say what came back: a status, or "closed"."""
    deadline = time.monotonic() + ANSWER_DEADLINE_S
    try:
        with rel_serve.connect(served, ANSWER_DEADLINE_S) as sock:
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server closed on us mid-send (a refused head): read what it said
            received = b""
            while time.monotonic() < deadline:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    break
                if not chunk:
                    break
                received += chunk
                if b"\r\n\r\n" in received:
                    break  # the status line and head are all we need
            else:
                return "timeout"
    except TimeoutError:
        return "timeout"
    except OSError as exc:
        return f"connect-error:{type(exc).__name__}"
    if not received:
        return "closed"
    parts = received.split(b" ", 2)
    return (
        parts[1].decode("latin-1") if len(parts) > 1 and parts[0].startswith(b"HTTP/") else "junk"
    )


@dataclass
class Report:
    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    probes_ok: int = 0
    probe_failures: list[str] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    seconds: float = 0.0
    server_alive: bool = True
    tracebacks: int = 0

    @property
    def ok(self) -> bool:
        return (
            not self.failures
            and not self.probe_failures
            and self.server_alive
            and self.tracebacks == 0
            and self.probes_ok > 0
        )

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "requests": self.requests,
            "seconds": round(self.seconds, 1),
            "outcomes": dict(self.outcomes),
            "failures": self.failures[:10],
            "failure_count": len(self.failures),
            "probes_ok": self.probes_ok,
            "probe_failures": self.probe_failures[:5],
            "server_alive": self.server_alive,
            "tracebacks": self.tracebacks,
            "server_rss_mib": {
                "start": _mib(self.rss_kib[:1]),
                "max": _mib([max(self.rss_kib, default=0)]),
                "end": _mib(self.rss_kib[-1:]),
            },
            "server_threads": {
                "start": self.threads[0] if self.threads else 0,
                "max": max(self.threads, default=0),
            },
        }


def _mib(values: list[int]) -> float:
    return round(values[0] / 1024, 1) if values else 0.0


def _verdict(kind: str, outcome: str) -> str | None:
    if outcome == "closed" or outcome.startswith("4"):
        return None
    return f"{kind}: {outcome}"


def _stall(served: rel_serve.Served, count: int) -> list[socket.socket]:
    stalled = []
    for _ in range(count):
        sock = rel_serve.connect(served)
        sock.sendall(b"POST /Execute HTTP/1.1\r\nHost: x\r\nContent-Len")
        stalled.append(sock)
    return stalled


def _probe(served: rel_serve.Served, report: Report, stop: threading.Event) -> None:
    from sigv4_dataapi import Client, DataAPIError

    options = rel_serve.client_options(served)
    with Client(
        options.pop("resource_arn"), options.pop("secret_arn"), timeout=10, **options
    ) as client:
        while not stop.wait(0.2):
            try:
                client.execute("SELECT 1")
                report.probes_ok += 1
            except DataAPIError as exc:
                report.probe_failures.append(repr(exc))


def _monitor(served: rel_serve.Served, report: Report, stop: threading.Event) -> None:
    while True:
        stats = rel_serve.proc_stats(served.pid)
        report.rss_kib.append(stats["rss_kib"])
        report.threads.append(stats["threads"])
        if stop.wait(0.5):
            return


def run(
    served: rel_serve.Served,
    count: int,
    *,
    workers: int = 8,
    stalled: int = 64,
    seed: int = 1,
    seconds: float = 600.0,
) -> Report:
    """Fuzz ``served`` with ``count`` requests (or until ``seconds``), then report."""
    report = Report()
    stop = threading.Event()
    held = _stall(served, stalled)
    helpers = [
        threading.Thread(target=_probe, args=(served, report, stop)),
        threading.Thread(target=_monitor, args=(served, report, stop)),
    ]
    for thread in helpers:
        thread.start()
    names = sorted(KINDS)
    lock = threading.Lock()
    started = time.monotonic()

    def worker(index: int) -> None:
        r = random.Random(seed * 1000 + index)
        while time.monotonic() - started < seconds:
            with lock:
                if report.requests >= count:
                    return
                report.requests += 1
            kind = r.choice(names)
            outcome = exchange(served, KINDS[kind](r, served))
            with lock:
                report.outcomes[outcome] += 1
                report.by_kind.setdefault(kind, Counter())[outcome] += 1
                verdict = _verdict(kind, outcome)
                if verdict:
                    report.failures.append(verdict)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    time.sleep(0.6)  # one more probe and one more sample beside the stalled connections
    stop.set()
    for thread in helpers:
        thread.join()
    for sock in held:
        sock.close()
    report.server_alive = served.alive()
    text = served.stderr_text()
    report.tracebacks = text.count("Traceback") + text.count("Exception in thread")
    return report


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/fuzz-endpoint", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="malformed requests (10000)")
    parser.add_argument("--seconds", type=float, default=600.0, help="stop after this (600)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--stalled", type=int, default=64, help="stalled connections held open")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-connections", type=int, default=256)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        served = rel_serve.start(
            Path(tmp), "--no-tls", "--max-connections", str(args.max_connections)
        )
        try:
            report = run(
                served,
                args.count,
                workers=args.workers,
                stalled=args.stalled,
                seed=args.seed,
                seconds=args.seconds,
            )
        finally:
            served.stop()
    print(json.dumps(report.summary(), indent=2))
    print(json.dumps({k: dict(v) for k, v in sorted(report.by_kind.items())}))
    return 0 if report.ok else 1
