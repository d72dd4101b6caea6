"""``scripts/bench dbapi``: the DB-API module against ``Client`` and aurora-data-api (boto3).

Three benchmarks, each against the local endpoint (``sigv4-dataapi serve``, TLS):

1. ``cursor.execute`` + ``fetchall`` of a small SELECT: client CPU per statement
   (``time.process_time``, the endpoint runs in another process) of our DB-API,
   of ``Client.execute``, and of aurora-data-api on boto3. Targets: <= 1.1x
   ``Client.execute``, <= 0.5x aurora-data-api.
2. Streaming a >= 40 MiB PostgreSQL result with ``cursor(stream=True)``: calls
   made against ``result bytes / 1 MiB`` (target <= 1.5x) and peak memory growth
   (target <= 48 MiB, both the process's peak RSS and tracemalloc's peak).
3. ``executemany`` of 50,000 rows: Batch calls against ``ceil(request bytes /
   3 MiB) + 1`` (target), side by side with aurora-data-api's fixed 1,000-row pages.

aurora-data-api is never a project dependency: ``--install-peer`` puts it in its
own venv, ``.bench-venv-dbapi/``; without it the peer columns say how to get it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

from sigv4_dataapi import Client, Credentials, dbapi

# peers, checked by scripts/bench first; aurora-data-api and boto3 go into .bench-venv-dbapi
NEEDS = ("cryptography",)
ROOT = Path(__file__).resolve().parents[2]
PEER_VENV = ROOT / ".bench-venv-dbapi"
PEER_PY = PEER_VENV / "bin" / "python"
OURS = Path(sys.executable).parent / "sigv4-dataapi"
DEV_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the endpoint's documented example key
PG_URL = os.environ.get(
    "SIGV4_DATAAPI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
MIB = 1024 * 1024
SMALL = "SELECT 1 AS a, 'two' AS b, 3.5 AS c"
INSTALL_HINT = "peer aurora-data-api not installed: run `scripts/bench dbapi --install-peer`"

PEER_SCRIPT = r"""
import json, sys, time, boto3, aurora_data_api
from botocore.config import Config
info, task, n = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
client = boto3.session.Session().client(
    "rds-data", endpoint_url=info["endpoint"], verify=info["ca_file"], region_name=info["region"],
    aws_access_key_id=info["access_key_id"], aws_secret_access_key=info["secret"],
    config=Config(retries={"max_attempts": 1, "mode": "standard"}))
calls = {}
client.meta.events.register("before-call.rds-data.*",
    lambda model, **_: calls.__setitem__(model.name, calls.get(model.name, 0) + 1))
conn = aurora_data_api.connect(aurora_cluster_arn=info["resource_arn"],
    secret_arn=info["secret_arn"], database="test", rds_data_client=client)
cur = conn.cursor()
if task == "small":
    for _ in range(20):
        cur.execute(info["sql"]); cur.fetchall()
    start = time.process_time()
    for _ in range(n):
        cur.execute(info["sql"]); cur.fetchall()
    print(json.dumps({"cpu": (time.process_time() - start) / n}))
else:
    cur.execute("CREATE TABLE " + info["table"]
                + " (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,2))")
    conn.commit()
    cur = conn.cursor()  # a cursor keeps the transaction id it was made in (stale after commit)
    calls.clear()
    rows = [{"id": i, "name": "name-%d" % i, "amount": i / 4} for i in range(n)]
    start = time.perf_counter()
    cur.executemany("INSERT INTO " + info["table"] + " VALUES (:id, :name, :amount)", rows)
    conn.commit()
    wall = time.perf_counter() - start
    print(json.dumps({"batch": calls.get("BatchExecuteStatement", 0), "wall": wall}))
    cur = conn.cursor(); cur.execute("DROP TABLE " + info["table"]); conn.commit()
"""


def install_peer() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    (PEER_VENV / ".gitignore").write_text("*\n")
    subprocess.run([str(PEER_PY), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "aurora-data-api", "boto3"], check=True)  # fmt: skip


def peer(info: dict[str, Any], task: str, n: int, **extra: Any) -> dict[str, Any] | None:
    """Run the peer in its own venv; None (and one line saying how) when it is missing."""
    if not PEER_PY.exists():
        return None
    argv = [str(PEER_PY), "-c", PEER_SCRIPT, json.dumps({**info, **extra}), task, str(n)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1]}  # type: ignore[dict-item]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


class Serve:
    """``sigv4-dataapi serve`` in a temporary state directory."""

    def __init__(self, *flags: str) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-dbapi-")
        command = [str(OURS), "serve", "--port", "0", "--state-dir", self.tmp.name, *flags]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            raise SystemExit(f"bench: `{' '.join(command)}` did not start")
        self.info: dict[str, Any] = {**json.loads(line), "secret": DEV_SECRET}

    def options(self, **extra: Any) -> dict[str, Any]:
        info = self.info
        return {"resource_arn": info["resource_arn"], "secret_arn": info["secret_arn"],
                "database": "test", "endpoint_url": info["endpoint"], "region": info["region"],
                "verify": info["ca_file"],
                "credentials": Credentials(info["access_key_id"], DEV_SECRET), **extra}  # fmt: skip

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        if self.process.stdout:
            self.process.stdout.close()
        self.tmp.cleanup()


class Counting(httpx.BaseTransport):
    """A real httpx transport that adds up request and response body sizes per operation."""

    def __init__(self, verify: str) -> None:
        import ssl

        self.inner = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=verify))
        self.sent: dict[str, list[int]] = {}
        self.received: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.setdefault(request.url.path, []).append(len(request.content))
        response = self.inner.handle_request(request)
        self.received.append(len(response.read()))
        return response

    def close(self) -> None:
        self.inner.close()


def _cpu_per_op(run: Any, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        run()
    return (time.process_time() - start) / n


def bench_small(n: int) -> None:
    serve = Serve()
    try:
        client = Client(**{k: v for k, v in serve.options().items() if k not in ("resource_arn",
                           "secret_arn")}, resource_arn=serve.info["resource_arn"],
                        secret_arn=serve.info["secret_arn"])  # fmt: skip
        conn = dbapi.connect(**serve.options(), engine="mysql")
        cur = conn.cursor()

        def ours() -> None:
            cur.execute(SMALL)
            cur.fetchall()

        def plain() -> None:
            client.execute(SMALL).records  # noqa: B018 - the rows, as fetchall gives them

        for run in (ours, plain):
            for _ in range(20):
                run()
        samples: dict[str, list[float]] = {"ours": [], "client": []}
        for _ in range(5):  # interleaved blocks: load swings hit both
            samples["ours"].append(_cpu_per_op(ours, n // 5))
            samples["client"].append(_cpu_per_op(plain, n // 5))
        theirs = peer(serve.info, "small", n, sql=SMALL)
        conn.close()
        client.close()
    finally:
        serve.close()
    mine, base = min(samples["ours"]), min(samples["client"])
    print(f"1. small SELECT, client CPU per statement ({n} each, best of 5 interleaved blocks)")
    print(f"   dbapi cursor.execute+fetchall {mine * 1e6:8.0f} us")
    print(f"   Client.execute                {base * 1e6:8.0f} us")
    print(f"   ratio dbapi / Client.execute  {mine / base:8.2f}x (target <= 1.1x)")
    if theirs is None or "failed" in theirs:
        print(f"   {INSTALL_HINT if theirs is None else 'peer failed: ' + theirs['failed']}")
    else:
        print(f"   aurora-data-api (boto3)       {theirs['cpu'] * 1e6:8.0f} us")
        print(f"   ratio dbapi / aurora-data-api {mine / theirs['cpu']:8.2f}x (target <= 0.5x)")


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def bench_stream(rows: int) -> None:
    try:
        serve = Serve("--database-url", PG_URL)
    except SystemExit as exc:
        print(f"2. streaming: skipped, no PostgreSQL endpoint ({exc})")
        return
    wire = Counting(serve.info["ca_file"])
    try:
        conn = dbapi.connect(**serve.options(http_transport=wire), engine="postgresql",
                             autocommit=True)  # fmt: skip
        sql = "SELECT g, repeat(md5(g::text), 1000) AS pad FROM generate_series(1, :n) AS g"
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (Linux)
        rss_before = _rss_kib("VmRSS")
        tracemalloc.start()
        cur = conn.cursor(stream=True)
        cur.execute(sql, {"n": rows})
        data = sum(8 + len(pad) for _g, pad in cur)
        _now, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth = (_rss_kib("VmHWM") - rss_before) / 1024
        calls = conn.call_count
        conn.close()
    finally:
        wire.close()
        serve.close()
    answers = sum(wire.received)
    print(f"2. streaming {rows} rows of 32 KB from PostgreSQL (autocommit: implicit read-only tx)")
    print(
        f"   result {data / MIB:.1f} MiB of values, {answers / MIB:.1f} MiB of JSON answers; "
        f"{calls} calls, largest answer {max(wire.received) / 1024:.0f} KiB"
    )
    print(
        f"   calls / (result bytes / 1 MiB) = {calls / (data / MIB):.2f}x values, "
        f"{calls / (answers / MIB):.2f}x JSON (target <= 1.5x)"
    )
    print(
        f"   peak memory growth: RSS {rss_growth:.1f} MiB, tracemalloc {traced / MIB:.1f} MiB "
        "(target <= 48 MiB)"
    )
    print(
        "   aurora-data-api: not run (it pages by hitting the 1 MiB limit, which ends the "
        "transaction here as on Serverless v1)"
    )


def bench_executemany(rows: int) -> None:
    serve = Serve()
    wire = Counting(serve.info["ca_file"])
    table = f"bench_many_{os.getpid()}"
    try:
        conn = dbapi.connect(**serve.options(http_transport=wire), autocommit=True)
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR(40), "
                    "amount DECIMAL(12,2))")  # fmt: skip
        data = [{"id": i, "name": f"name-{i}", "amount": i / 4} for i in range(rows)]
        start = time.perf_counter()
        cur.executemany(f"INSERT INTO {table} VALUES (:id, :name, :amount)", data)
        wall = time.perf_counter() - start
        cur.execute(f"SELECT count(*) FROM {table}")
        stored = cur.fetchone()
        cur.execute(f"DROP TABLE {table}")
        conn.close()
        theirs = peer(serve.info, "many", rows, table=table + "_peer")
    finally:
        wire.close()
        serve.close()
    batches = wire.sent.get("/BatchExecute", [])
    limit = math.ceil(sum(batches) / (3 * MIB)) + 1
    print(f"3. executemany of {rows} rows ({stored[0] if stored else '?'} stored)")
    print(
        f"   ours: {len(batches)} Batch calls for {sum(batches) / MIB:.1f} MiB of requests "
        f"(target <= ceil(bytes / 3 MiB) + 1 = {limit}), largest "
        f"{max(batches) / MIB:.2f} MiB, {wall:.2f} s"
    )
    if theirs is None or "failed" in theirs:
        print(f"   {INSTALL_HINT if theirs is None else 'peer failed: ' + theirs['failed']}")
    else:
        print(
            f"   aurora-data-api: {theirs['batch']:.0f} Batch calls, {theirs['wall']:.2f} s; "
            f"ratio of calls {len(batches) / theirs['batch']:.3f}x"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench dbapi",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--install-peer", action="store_true",
                        help="create .bench-venv-dbapi with aurora-data-api and boto3")  # fmt: skip
    parser.add_argument("-n", type=int, default=500, help="statements timed in benchmark 1")
    parser.add_argument("--stream-rows", type=int, default=1400, help="32 KB rows (1400: 43 MiB)")
    parser.add_argument("--rows", type=int, default=50_000, help="rows for executemany")
    args = parser.parse_args(argv)
    if args.install_peer:
        install_peer()
    elif not PEER_PY.exists():
        print(INSTALL_HINT)
    bench_small(args.n)
    bench_stream(args.stream_rows)
    bench_executemany(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
