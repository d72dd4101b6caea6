"""``scripts/bench cold``: a whole process that imports, builds a client and runs one SELECT.

Against the local endpoint (``sigv4-dataapi serve``, SQLite, HTTPS with its own
CA), one process per run, ours and boto3's alternating so that machine noise
hits both alike:

- ours:  ``from sigv4_dataapi import Client`` ... ``Client(...).execute("SELECT 1")``
- boto3: ``import boto3`` ... ``boto3.client("rds-data", ...).execute_statement(...)``

Both get the same explicit credentials, endpoint, region and CA bundle, and
both check the answer. Wall time is measured from spawn to exit; CPU time and
peak memory are the child's own ``ru_utime + ru_stime`` and ``ru_maxrss``
(``os.wait4``); CPU is the steadier figure when the machine is busy. Rounds
run every candidate once, in a rotated order; figures are medians over
``--runs`` rounds. Issue 4's targets: wall <= 0.5x boto3's, peak RSS <= 0.65x.

Compiled bytecode is cached as an installed package has it: the children run
with a private ``PYTHONPYCACHEPREFIX`` that the warm-up round fills, even when
the caller sets ``PYTHONDONTWRITEBYTECODE`` (otherwise every run would compile
the sources of whichever package has no up-to-date ``.pyc``, and measure that).
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

NEEDS = ("boto3", "cryptography")  # peers, checked by scripts/bench first

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the local endpoint's dev key

OURS = """
import json, sys
cfg = json.loads(sys.argv[1])
from sigv4_dataapi import Client, Credentials
with Client(cfg["resource_arn"], cfg["secret_arn"], endpoint_url=cfg["endpoint"],
            region=cfg["region"], verify=cfg["ca_file"],
            credentials=Credentials(cfg["access_key_id"], cfg["secret_key"])) as db:
    rows = db.execute("SELECT 1 AS one").rows
assert rows == [{"one": 1}], rows
"""

BOTO3 = """
import json, sys
cfg = json.loads(sys.argv[1])
import boto3
client = boto3.client("rds-data", endpoint_url=cfg["endpoint"], region_name=cfg["region"],
                      verify=cfg["ca_file"], aws_access_key_id=cfg["access_key_id"],
                      aws_secret_access_key=cfg["secret_key"])
out = client.execute_statement(resourceArn=cfg["resource_arn"], secretArn=cfg["secret_arn"],
                               sql="SELECT 1 AS one", includeResultMetadata=True)
assert out["records"] == [[{"longValue": 1}]], out
"""

BARE = "pass\n"


def start_endpoint(state_dir: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [sys.executable, "-m", "sigv4_dataapi", "serve", "--port", "0",
               "--state-dir", str(state_dir)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=ROOT)  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the local endpoint did not start")
    info = json.loads(line)
    info["secret_key"] = SECRET_KEY
    return process, info


Run = tuple[float, float, float]  # wall s, peak RSS MiB, CPU s
TARGETS = {"wall": 0.50, "RSS": 0.65}  # issue 4: ours / boto3


def run_once(code: str, config: str, env: dict[str, str]) -> Run:
    """Wall seconds, peak RSS (MiB) and CPU seconds of one ``python -c code config`` process."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, config], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"a run failed ({process.returncode}):\n{stderr}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def clean_env(home: str) -> dict[str, str]:
    """No AWS_* variables, an empty home, a private bytecode cache (see the docstring)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}  # fmt: skip
    env.update(HOME=home, AWS_CONFIG_FILE=f"{home}/config",
               AWS_SHARED_CREDENTIALS_FILE=f"{home}/credentials",
               PYTHONPYCACHEPREFIX=f"{home}/pycache")  # fmt: skip
    return env


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench cold", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds (default 15)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        server, info = start_endpoint(Path(tmp) / "serve")
        try:
            results = measure(json.dumps(info), clean_env(tmp), args.runs)
        finally:
            server.terminate()
            server.wait(10)
            if server.stdout:
                server.stdout.close()
    report(results, args.runs, load)
    return 0


def measure(config: str, env: dict[str, str], runs: int) -> dict[str, list[Run]]:
    """``runs`` rounds of every candidate, each round in a rotated order (no fixed neighbour)."""
    candidates = {"python (no-op)": BARE, "sigv4-dataapi": OURS, "boto3": BOTO3}
    for _ in range(2):  # compile into the private cache, then warm the page cache
        for code in candidates.values():
            run_once(code, config, env)
    names = list(candidates)
    results: dict[str, list[Run]] = {name: [] for name in candidates}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(run_once(candidates[name], config, env))
    return results


def report(results: dict[str, list[Run]], runs: int, load: float) -> None:
    medians = {name: tuple(statistics.median(run[i] for run in rows) for i in range(3))
               for name, rows in results.items()}  # fmt: skip
    print(f"cold start: import + client + one SELECT over HTTPS, median of {runs} rounds "
          f"(load average {load:.2f} on {os.cpu_count()} CPUs at the start)")  # fmt: skip
    print(f"{'candidate':<16} {'wall ms':>9} {'min ms':>8} {'CPU ms':>8} {'peak RSS MiB':>13}")
    for name, (wall, rss, cpu) in medians.items():
        best = min(run[0] for run in results[name])
        print(f"{name:<16} {wall * 1000:>9.1f} {best * 1000:>8.1f} {cpu * 1000:>8.1f} {rss:>13.1f}")
    for label, index, target in (("wall", 0, TARGETS["wall"]), ("CPU", 2, TARGETS["wall"]),
                                 ("RSS", 1, TARGETS["RSS"])):  # fmt: skip
        ratio = medians["sigv4-dataapi"][index] / medians["boto3"][index]
        rounds = zip(results["sigv4-dataapi"], results["boto3"], strict=True)
        paired = statistics.median(ours[index] / boto[index] for ours, boto in rounds)
        verdict = "ok" if ratio <= target else "MISSED"
        note = " (wall's steadier proxy)" if label == "CPU" else ""
        print(f"ratio {label:<4} ours/boto3: {ratio:.2f}x, median per round {paired:.2f}x  "
              f"(target <= {target:.2f}x: {verdict}){note}")  # fmt: skip
