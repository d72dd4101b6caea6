"""``scripts/bench load`` still runs and still checks its rows (a smoke run, no timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_load_run_reports_every_figure() -> None:
    command = [sys.executable, str(ROOT / "scripts" / "bench"), "load", "--engine", "sqlite",
               "--clients", "4", "--seconds", "3", "--warmup", "1", "--no-peer"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    (ours,) = report
    assert ours["errors"] == 0, ours["error_samples"]
    assert ours["acknowledged"] > 0 and ours["rows_present"] == ours["acknowledged"]
    assert {"p50_ms", "p99_ms", "requests_per_s"} <= set(ours)
    assert {"client_warm", "client_end", "server_warm", "server_end"} <= set(ours["rss_mib"])
