"""``scripts/bench cold``: a whole process that imports, builds a client and runs one SELECT.

Against the local endpoint (``sigv4-dataapi serve``, SQLite, HTTPS with its own
CA), one process per run, ours and boto3's alternating so that machine noise
hits both alike:

- ours:  ``from sigv4_dataapi import Client`` ... ``Client(...).execute("SELECT 1")``
- boto3: ``import boto3`` ... ``boto3.client("rds-data", ...).execute_statement(...)``

Both get the same explicit credentials, endpoint, region and CA bundle, and
both check the answer. Wall time is measured from spawn to exit; CPU time and
peak memory are the child's own ``ru_utime + ru_stime`` and ``ru_maxrss``
(``os.wait4``); CPU is the steadier figure when the machine is busy. Medians
over ``--runs``; issue 4's targets: wall <= 0.5x boto3's, peak RSS <= 0.65x.
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


def run_once(code: str, config: str, env: dict[str, str]) -> tuple[float, float, float]:
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
    """No AWS_* variables, an empty home: neither client finds config files to read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, AWS_CONFIG_FILE=f"{home}/config",
               AWS_SHARED_CREDENTIALS_FILE=f"{home}/credentials")  # fmt: skip
    return env


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench cold", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per candidate (default 7)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        server, info = start_endpoint(Path(tmp) / "serve")
        try:
            results = measure(json.dumps(info), clean_env(tmp), args.runs)
        finally:
            server.terminate()
            server.wait(10)
            if server.stdout:
                server.stdout.close()
    report(results, args.runs)
    return 0


Run = tuple[float, float, float]  # wall s, peak RSS MiB, CPU s


def measure(config: str, env: dict[str, str], runs: int) -> dict[str, list[Run]]:
    candidates = {"python (no-op)": BARE, "sigv4-dataapi": OURS, "boto3": BOTO3}
    for code in candidates.values():  # warm the page cache and .pyc files
        run_once(code, config, env)
    results: dict[str, list[Run]] = {name: [] for name in candidates}
    for _ in range(runs):
        for name, code in candidates.items():
            results[name].append(run_once(code, config, env))
    return results


def report(results: dict[str, list[Run]], runs: int) -> None:
    medians = {name: tuple(statistics.median(run[i] for run in rows) for i in range(3))
               for name, rows in results.items()}  # fmt: skip
    print(f"cold start: import + client + one SELECT over HTTPS, median of {runs} processes")
    print(f"{'candidate':<16} {'wall ms':>9} {'min ms':>8} {'CPU ms':>8} {'peak RSS MiB':>13}")
    for name, (wall, rss, cpu) in medians.items():
        best = min(run[0] for run in results[name])
        print(f"{name:<16} {wall * 1000:>9.1f} {best * 1000:>8.1f} {cpu * 1000:>8.1f} {rss:>13.1f}")
    ours, boto = medians["sigv4-dataapi"], medians["boto3"]
    print(f"ratio wall  ours/boto3: {ours[0] / boto[0]:.2f}x  (target <= 0.50x)")
    print(f"ratio CPU   ours/boto3: {ours[2] / boto[2]:.2f}x  (wall's proxy on a busy machine)")
    print(f"ratio RSS   ours/boto3: {ours[1] / boto[1]:.2f}x  (target <= 0.65x)")
