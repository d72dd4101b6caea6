"""``scripts/bench sqlalchemy``: an ORM workload, our dialect vs sqlalchemy-aurora-data-api.

The workload (``_sqlalchemy_workload.py``): insert 2,000 objects, select them,
200 flushed updates in one transaction, 100 ``session.get`` calls - through
``postgresql+dataapi`` and through the peer (``postgresql+auroradataapi``, boto3),
on one local endpoint (``sigv4-dataapi serve --verbose``, TLS, PostgreSQL by
default), in alternating child processes. It prints the median wall time of
each phase, the ratio (target: ours <= 0.6x the peer's) and the Data API calls
each made, counted from the endpoint's request log. The peer is installed into
its own venv (``.bench-venv-sqlalchemy/``), never into the project; when it
cannot be installed, the bench says how and measures ours alone.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

# peers, checked by scripts/bench first; sqlalchemy-aurora-data-api goes into its bench venv
NEEDS = ("cryptography", "sqlalchemy")
ROOT = Path(__file__).resolve().parents[2]
WORKLOAD = Path(__file__).resolve().parent / "_sqlalchemy_workload.py"
PEER_VENV = ROOT / ".bench-venv-sqlalchemy"
PEER_PY = PEER_VENV / "bin" / "python"
PEER_PACKAGES = ("sqlalchemy-aurora-data-api==0.5.0", "sqlalchemy")
DEV_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")  # AWS docs' example
TARGET = 0.6
DATABASES = {"postgresql": "postgresql://postgres@127.0.0.1:5432/test",
             "mysql": "mysql://root@127.0.0.1:3306/test"}  # fmt: skip


def peer_python() -> Path | None:
    """The peer's interpreter, installing it on first use; ``None`` (and one line) if it fails."""
    if not PEER_PY.exists():
        print("installing sqlalchemy-aurora-data-api into .bench-venv-sqlalchemy ...",
              file=sys.stderr)  # fmt: skip
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        (PEER_VENV / ".gitignore").write_text("*\n")
        pip = [str(PEER_PY), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if subprocess.run([*pip, *PEER_PACKAGES], capture_output=True).returncode:
            PEER_PY.unlink(missing_ok=True)
    if PEER_PY.exists():
        return PEER_PY
    print(f"peer missing: install it with `{PEER_PY} -m pip install "
          f"{' '.join(PEER_PACKAGES)}`; measuring ours alone")  # fmt: skip
    return None


def start_endpoint(state: Path, database_url: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    log = (state / "requests.log").open("w")
    command = [sys.executable, "-m", "sigv4_dataapi", "serve", "--port", "0", "--verbose",
               "--state-dir", str(state), "--database-url", database_url]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise SystemExit(f"bench: `serve --database-url {database_url}` did not start")
    return process, json.loads(line)


def calls_since(log: Path, offset: int) -> tuple[collections.Counter[str], float, int]:
    """Data API operations in the endpoint's log after ``offset`` bytes, the server's
    milliseconds spent on them, and the new offset."""
    time.sleep(0.2)  # the server logs just after it answers
    text = log.read_text(encoding="utf-8", errors="replace")
    found = re.findall(r"\] POST /(\w+) \d+ ([\d.]+)ms", text[offset:])
    counts = collections.Counter(operation for operation, _ in found)
    return counts, sum(float(ms) for _, ms in found) / 1000, len(text)


def run(python: Path, kind: str, cfg: dict[str, Any]) -> dict[str, float]:
    cfg = {**cfg, "table": f"bench_items_{uuid.uuid4().hex[:8]}"}
    # -I: the benches folder (which holds this sqlalchemy.py) stays off the child's sys.path
    done = subprocess.run([str(python), "-I", str(WORKLOAD), kind, json.dumps(cfg)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench: the {kind} workload failed:\n{done.stderr.strip()[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench sqlalchemy")
    parser.add_argument("--backend", choices=sorted(DATABASES), default="postgresql")
    parser.add_argument("--database-url", help="default: the local test server of --backend")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer-page-size", type=int, default=1000,
                        help="the peer's insertmanyvalues_page_size (SQLAlchemy's default; "
                             "wider rows than this workload's need less to stay under the "
                             "65,536-character SQL limit)")  # fmt: skip
    args = parser.parse_args(argv)
    peer = peer_python()
    with tempfile.TemporaryDirectory() as state:
        endpoint, info = start_endpoint(Path(state), args.database_url or DATABASES[args.backend])
        log = Path(state) / "requests.log"
        cfg = {"backend": args.backend, "database": "test", "resource_arn": info["resource_arn"],
               "secret_arn": info["secret_arn"], "region": info["region"],
               "endpoint_url": info["endpoint"], "ca_file": info["ca_file"], "key": DEV_KEY[0],
               "secret": DEV_KEY[1], "peer_page_size": args.peer_page_size}  # fmt: skip
        sides = {"ours": Path(sys.executable)} | ({"peer": peer} if peer else {})
        samples: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        calls: dict[str, collections.Counter[str]] = {}
        server: dict[str, list[float]] = {side: [] for side in sides}
        offset = len(log.read_text())
        try:
            for round_ in range(args.rounds):
                order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
                for side in order:
                    samples[side].append(run(sides[side], side, cfg))
                    calls[side], seconds, offset = calls_since(log, offset)
                    server[side].append(seconds)
        finally:
            endpoint.terminate()
            endpoint.wait(timeout=15)
    report(samples, calls, server)
    return 0


def report(samples: dict[str, list[dict[str, float]]], calls: dict[str, collections.Counter[str]],
           server: dict[str, list[float]]) -> None:  # fmt: skip
    phases = ("insert", "select", "update", "get", "total")
    print(f"{'':8}" + "".join(f"{p:>10}" for p in phases)
          + "  endpoint   Data API calls (last round)")  # fmt: skip
    medians = {}
    for side, runs in samples.items():
        medians[side] = {p: statistics.median(r[p] for r in runs) for p in phases}
        counted = calls[side]
        detail = ", ".join(f"{op} {n}" for op, n in sorted(counted.items()))
        print(f"{side:8}" + "".join(f"{medians[side][p]:>9.3f}s" for p in phases)
              + f"{statistics.median(server[side]):>9.3f}s   {sum(counted.values())} ({detail})")
    if "peer" in medians:
        ratio = medians["ours"]["total"] / medians["peer"]["total"]
        verdict = "meets" if ratio <= TARGET else "misses"
        print(f"ratio ours/peer (median total wall): {ratio:.2f}x "
              f"({verdict} the <= {TARGET}x target)")
