"""``scripts/bench serve``: how many ``SELECT 1`` per second the local endpoint answers.

Starts ``sigv4-dataapi serve`` (TLS; SQLite in a temporary state dir, or
``--engine postgres|mysql`` for the loopback servers, or any ``--database-url``),
then for each client kind runs N threads, each with its own keep-alive connection,
sending ``ExecuteStatement("SELECT 1")`` for a fixed time:

- ours: httpx + this project's signer (``sign_request`` per request);
- boto3: one ``rds-data`` client per thread (retries off).

Prints requests/s and the ratio, latency percentiles, the server process's CPU
time per request (its capacity on one core, independent of how fast the
clients in this process can go) and its peak RSS (VmHWM). No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

NEEDS = ("boto3", "botocore", "cryptography")  # peers, checked by scripts/bench first

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the AWS docs' example key
# --engine -> database URL (None: SQLite in the state dir); the test suite's loopback servers
ENGINE_URLS: dict[str, str | None] = {
    "sqlite": None,
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}


def start(state: Path, extra: list[str]) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    command = [sys.executable, "-m", "sigv4_dataapi", "serve", "--port", "0",
               "--state-dir", str(state), *extra]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise SystemExit("serve did not start")
    return process, json.loads(line)


def mib(status_value: str) -> str:
    """``/proc`` sizes (``"12345 kB"``) in MiB."""
    return f"{int(status_value.split()[0]) / 1024:.1f} MiB"


def proc_status(pid: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def cpu_seconds(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def ours_caller(info: dict[str, Any]) -> Callable[[], Callable[[], None]]:
    import ssl

    import httpx

    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._sigv4.sign import sign_request

    credentials = Credentials(info["access_key_id"], DEV_SECRET)
    url = info["endpoint"] + "/Execute"
    body = json.dumps({"resourceArn": info["resource_arn"], "secretArn": info["secret_arn"],
                       "sql": "SELECT 1"}).encode()  # fmt: skip
    base = {"Content-Type": "application/json", "Host": url.split("/")[2]}

    def make() -> Callable[[], None]:
        verify: Any = False
        if info["ca_file"]:
            verify = ssl.create_default_context(cafile=info["ca_file"])
        client = httpx.Client(verify=verify)

        def call() -> None:
            signed = sign_request("POST", url, headers=base, body=body, credentials=credentials,
                                  region=info["region"], service="rds-data",
                                  now=datetime.now(timezone.utc))  # fmt: skip
            response = client.post(url, content=body, headers={**base, **signed.headers})
            if response.status_code != 200:
                raise RuntimeError(response.text)

        return call

    return make


def boto3_caller(info: dict[str, Any]) -> Callable[[], Callable[[], None]]:
    import boto3
    from botocore.config import Config

    def make() -> Callable[[], None]:
        client = boto3.session.Session().client(
            "rds-data", endpoint_url=info["endpoint"], verify=info["ca_file"] or False,
            region_name=info["region"], aws_access_key_id=info["access_key_id"],
            aws_secret_access_key=DEV_SECRET, config=Config(retries={"max_attempts": 1}),
        )  # fmt: skip

        def call() -> None:
            client.execute_statement(resourceArn=info["resource_arn"],
                                     secretArn=info["secret_arn"], sql="SELECT 1")  # fmt: skip

        return call

    return make


def load(make: Callable[[], Callable[[], None]], clients: int, seconds: float) -> dict[str, Any]:
    calls = [make() for _ in range(clients)]
    for call in calls:
        call()  # connect and warm up outside the timed window
    latencies: list[list[float]] = [[] for _ in calls]
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(call: Callable[[], None], sink: list[float]) -> None:
        start_line.wait()
        while (now := time.perf_counter()) < deadline[0]:
            call()
            sink.append(time.perf_counter() - now)

    pairs = zip(calls, latencies, strict=True)
    threads = [threading.Thread(target=worker, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = sorted(x for sink in latencies for x in sink)
    return {
        "requests": len(flat),
        "rps": len(flat) / elapsed,
        "p50_ms": statistics.median(flat) * 1000,
        "p99_ms": flat[int(len(flat) * 0.99) - 1] * 1000,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench serve", description=__doc__)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--seconds", type=float, default=5.0, help="time per client kind")
    parser.add_argument("--no-tls", action="store_true", help="plain HTTP")
    parser.add_argument("--engine", choices=sorted(ENGINE_URLS), default="sqlite",
                        help="database behind the endpoint (default sqlite; postgres and mysql "
                        "use the loopback servers)")  # fmt: skip
    parser.add_argument("--database-url", help="any database URL (overrides --engine)")
    args = parser.parse_args(argv)
    extra = ["--no-tls"] if args.no_tls else []
    url = args.database_url or ENGINE_URLS[args.engine]
    extra += ["--database-url", url] if url else []
    with tempfile.TemporaryDirectory() as state:
        process, info = start(Path(state), extra)
        try:
            idle_rss = proc_status(process.pid)["VmRSS"]
            results = {}
            for name, maker in (("ours", ours_caller), ("boto3", boto3_caller)):
                cpu_before = cpu_seconds(process.pid)
                results[name] = load(maker(info), args.clients, args.seconds)
                results[name]["server_cpu_s"] = cpu_seconds(process.pid) - cpu_before
            status = proc_status(process.pid)
        finally:
            process.terminate()
            process.wait()
    load_avg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"local endpoint, SELECT 1, {args.clients} concurrent clients, {args.seconds:g} s each,"
          f" {'http' if args.no_tls else 'https'}, {info['database_url']}, "
          f"{os.cpu_count()} CPUs, load average after: {load_avg}")  # fmt: skip
    for name, result in results.items():
        print(f"  {name:5}  {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.2f} ms   "
              f"p99 {result['p99_ms']:6.2f} ms   server CPU {result['server_cpu_s']:.1f} s "
              f"= {result['server_cpu_s'] / result['requests'] * 1e6:.0f} us/request "
              f"({result['requests']} requests)")  # fmt: skip
    ratio = results["ours"]["rps"] / results["boto3"]["rps"]
    print(f"  ours/boto3 throughput ratio: {ratio:.2f}x")
    print(f"  server memory: idle RSS {mib(idle_rss)}, peak RSS (VmHWM) {mib(status['VmHWM'])},"
          f" threads {status['Threads']}")  # fmt: skip
    return 0
