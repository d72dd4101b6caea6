"""``scripts/bench request``: client CPU per request in a warm loop, against the local endpoint.

Three candidates send the same ``SELECT 1`` to one local endpoint (SQLite,
HTTPS, keep-alive) from this process; the endpoint runs in its own process, so
``time.process_time()`` here counts the client's CPU only:

- ``sigv4-dataapi``: ``Client.execute(...)``: body built, signed, sent, answer decoded;
- ``boto3``: ``client.execute_statement(...)``: the same round trip through botocore;
- ``bare httpx``: ``httpx.Client.post`` of a body signed once beforehand, answer
  read but not decoded: the floor any httpx-based client stands on.

Rounds interleave the candidates (``--requests`` each per round); figures are
the median and the best round in microseconds of CPU per request. Issue 4's
targets: ours <= 0.6x boto3 and <= 1.25x the bare httpx post.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cold import start_endpoint  # the sibling benchmark (scripts/bench puts it on sys.path)

NEEDS = ("boto3", "cryptography")  # peers, checked by scripts/bench first

SQL = "SELECT 1 AS one"
TARGETS = {"boto3": 0.60, "bare httpx": 1.25}  # issue 4: ours / candidate, CPU per request


def ours(info: dict[str, str]) -> tuple[Callable[[], object], Callable[[], None]]:
    from sigv4_dataapi import Client, Credentials

    client = Client(info["resource_arn"], info["secret_arn"], endpoint_url=info["endpoint"],
                    region=info["region"], verify=info["ca_file"], env={},
                    credentials=Credentials(info["access_key_id"], info["secret_key"]))  # fmt: skip

    def run() -> object:
        return client.execute(SQL).rows

    return run, client.close


def boto3_client(info: dict[str, str]) -> tuple[Callable[[], object], Callable[[], None]]:
    import boto3

    client = boto3.client("rds-data", endpoint_url=info["endpoint"], region_name=info["region"],
                          verify=info["ca_file"], aws_access_key_id=info["access_key_id"],
                          aws_secret_access_key=info["secret_key"])  # fmt: skip

    def run() -> object:
        return client.execute_statement(resourceArn=info["resource_arn"],
                                        secretArn=info["secret_arn"], sql=SQL,
                                        includeResultMetadata=True)["records"]  # fmt: skip

    return run, client.close


def bare_httpx(info: dict[str, str]) -> tuple[Callable[[], object], Callable[[], None]]:
    import ssl

    import httpx

    from sigv4_dataapi import Credentials, sign_request

    body = json.dumps({"resourceArn": info["resource_arn"], "secretArn": info["secret_arn"],
                       "sql": SQL, "includeResultMetadata": True}).encode()  # fmt: skip
    url = info["endpoint"] + "/Execute"
    headers = {"Content-Type": "application/json"}
    signed = sign_request("POST", url, headers=headers, body=body, region=info["region"],
                          credentials=Credentials(info["access_key_id"], info["secret_key"]),
                          service="rds-data", now=datetime.now(timezone.utc))  # fmt: skip
    headers.update(signed.headers)
    client = httpx.Client(verify=ssl.create_default_context(cafile=info["ca_file"]))

    def run() -> object:
        response = client.post(url, content=body, headers=headers)
        response.raise_for_status()
        return response.content

    return run, client.close


def measure(candidates: dict[str, Callable[[], object]], rounds: int, per_round: int
            ) -> dict[str, list[float]]:  # fmt: skip
    for run in candidates.values():  # warm: connection open, caches filled
        for _ in range(20):
            run()
    results: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            gc.collect()  # each block starts with no garbage left by the previous candidate
            start = time.process_time()
            for _ in range(per_round):
                run()
            results[name].append((time.process_time() - start) / per_round)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench request",
                                     description=__doc__.split("\n")[0])  # fmt: skip
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=100, help="per candidate per round")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        server, info = start_endpoint(Path(tmp) / "serve")
        closers: list[Callable[[], None]] = []
        try:
            candidates: dict[str, Callable[[], object]] = {}
            for name, build in (("sigv4-dataapi", ours), ("boto3", boto3_client),
                                ("bare httpx", bare_httpx)):  # fmt: skip
                candidates[name], close = build(info)
                closers.append(close)
            results = measure(candidates, args.rounds, args.requests)
        finally:
            for close in closers:
                close()
            server.terminate()
            server.wait(10)
            if server.stdout:
                server.stdout.close()
    report(results, args, load)
    return 0


def report(results: dict[str, list[float]], args: Any, load: float) -> None:
    print(f"client CPU per request (SELECT 1 over HTTPS keep-alive), "
          f"{args.rounds} rounds x {args.requests} requests "
          f"(load average {load:.2f} on {os.cpu_count()} CPUs at the start)")  # fmt: skip
    print(f"{'candidate':<15} {'median us':>10} {'best us':>9}")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        print(f"{name:<15} {medians[name] * 1e6:>10.1f} {min(values) * 1e6:>9.1f}")
    best = {name: min(values) for name, values in results.items()}
    for label, figures in (("median", medians), ("best", best)):
        ours_cpu = figures["sigv4-dataapi"]
        parts = []
        for other, target in TARGETS.items():
            ratio = ours_cpu / figures[other]
            verdict = "ok" if ratio <= target else "MISSED"
            parts.append(f"ours/{other}: {ratio:.2f}x (target <= {target:.2f}x: {verdict})")
        print(f"{label:<6} ratio " + ", ".join(parts))
