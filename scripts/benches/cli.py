"""``scripts/bench cli``: one ``SELECT 1`` from the shell, ours vs the AWS CLI.

Wall time and peak memory (max RSS of the child process, from ``wait4``) of

    sigv4-dataapi sql "SELECT 1"
    aws rds-data execute-statement --sql "SELECT 1" ...

against the same local endpoint (``sigv4-dataapi serve``, TLS, SQLite), run
alternately (who goes first alternates too) so that machine noise hits both
alike; CPU time is reported too, as it varies less than wall time under load.
The AWS CLI v1 comes from PyPI (``awscli``), installed by this script into a
throwaway venv under ``.bench-venv/`` (which ignores itself in git).
Target: ours <= 0.35x its wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from sigv4_dataapi._server.server_settings import (
    DEV_SECRET_ACCESS_KEY,  # the endpoint's example key
)

NEEDS = ("cryptography",)  # the endpoint's TLS; the AWS CLI goes into .bench-venv

ROOT = Path(__file__).resolve().parents[2]
BENCH_VENV = ROOT / ".bench-venv"
OURS = Path(sys.executable).parent / "sigv4-dataapi"
TARGET = 0.35


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the child (steadier than wall on a busy machine)
    max_rss_kb: int


def aws_cli() -> Path:
    """The AWS CLI v1 in ``.bench-venv`` (created and installed on first use)."""
    aws = BENCH_VENV / "bin" / "aws"
    if aws.exists():
        return aws
    print("installing the AWS CLI v1 (PyPI awscli) into .bench-venv ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    (BENCH_VENV / ".gitignore").write_text("*\n")
    pip = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--disable-pip-version-check", "awscli"], check=True)
    return aws


def start_endpoint(state: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [str(OURS), "serve", "--port", "0", "--state-dir", str(state)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise SystemExit("bench: `sigv4-dataapi serve` did not start")
    return process, json.loads(line)


def run_once(argv: list[str], env: dict[str, str]) -> Sample:
    """One run: wall time from spawn to reap, and the peak RSS of that child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        answer, errors = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"bench: {argv[0]} failed: {errors.decode(errors='replace').strip()}")
    if b"1" not in answer:
        raise SystemExit(f"bench: unexpected answer from {argv[0]}: {answer[:200]!r}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench cli", description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=20, help="timed runs of each (20)")
    args = parser.parse_args(argv)
    aws = aws_cli()
    before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        state = Path(tmp)
        server, info = start_endpoint(state)
        try:
            results = _measure(aws, info, state, args.runs)
        finally:
            server.terminate()
            server.wait(timeout=15)
    _report(results, args.runs)
    after = os.getloadavg()
    print(f"load average (1 min) before {before[0]:.2f}, after {after[0]:.2f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    return 0


def _measure(aws: Path, info: dict[str, str], home: Path, runs: int) -> dict[str, list[Sample]]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "AWS_ACCESS_KEY_ID": info["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": DEV_SECRET_ACCESS_KEY,
        "AWS_REGION": info["region"],
        "AWS_DEFAULT_REGION": info["region"],
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    target = ["--endpoint-url", info["endpoint"]]
    commands = {
        "sigv4-dataapi sql": [
            str(OURS), "sql", "SELECT 1", *target, "--ca-file", info["ca_file"],
            "--resource-arn", info["resource_arn"], "--secret-arn", info["secret_arn"],
        ],
        "aws rds-data execute-statement": [
            str(aws), "rds-data", "execute-statement", "--sql", "SELECT 1", *target,
            "--ca-bundle", info["ca_file"], "--resource-arn", info["resource_arn"],
            "--secret-arn", info["secret_arn"],
        ],
    }  # fmt: skip
    results: dict[str, list[Sample]] = {name: [] for name in commands}
    for command in commands.values():  # warm the page cache and .pyc files
        run_once(command, env)
    order = list(commands.items())
    for _ in range(runs):  # interleaved, and who goes first alternates (no order bias)
        for name, command in order:
            results[name].append(run_once(command, env))
        order.reverse()
    return results


def _report(results: dict[str, list[Sample]], runs: int) -> None:
    print(f"one `SELECT 1` against the local endpoint (TLS, SQLite), {runs} runs each, "
          "alternating")  # fmt: skip
    header = f"{'command':32} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7} {'RSS MiB':>8}"
    print(header)
    figures: dict[str, tuple[float, float, float]] = {}
    for name, samples in results.items():
        walls = [s.wall for s in samples]
        wall = statistics.median(walls)
        cpu = statistics.median(s.cpu for s in samples)
        rss = statistics.median(s.max_rss_kb for s in samples) / 1024
        figures[name] = (wall, cpu, rss)
        print(f"{name:32} {wall:9.3f} {min(walls):7.3f} {max(walls):7.3f} {cpu:7.3f} {rss:8.1f}")
    ours, theirs = figures["sigv4-dataapi sql"], figures["aws rds-data execute-statement"]
    ratio = ours[0] / theirs[0]
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"ratio median wall (ours / AWS CLI): {ratio:.2f}x ({verdict} the {TARGET}x target)")
    pairs = zip(*results.values(), strict=True)  # (ours, theirs), run back to back
    paired = statistics.median(a.wall / b.wall for a, b in pairs)
    print(f"ratio of back-to-back pairs, median: {paired:.2f}x (less sensitive to load swings)")
    print(f"ratio median CPU time: {ours[1] / theirs[1]:.2f}x")
    print(f"ratio median peak memory: {ours[2] / theirs[2]:.2f}x")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
