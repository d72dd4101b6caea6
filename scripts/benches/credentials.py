"""``scripts/bench credentials``: resolve credentials in a fresh process, ours vs botocore.

Part 1: a new interpreter imports the resolver and gets usable credentials (our
``resolve_credentials().get()``, botocore's ``get_session().get_credentials()
.get_frozen_credentials()``; both defer STS to that first use) from the environment,
from static keys in the credentials file, or by assuming a role (``source_profile``)
at a loopback STS stub over HTTPS (``AWS_ENDPOINT_URL_STS``, its CA as
``AWS_CA_BUNDLE``) that checks each AssumeRole is signed with the source key. A run
that reports another provider or key id is an error, not a figure.

Part 2 (issue 6): ``scripts/bench cold``'s whole process (import, client, one SELECT
against the local endpoint) with explicit credentials, environment credentials and a
credentials file, ours and boto3's: what finding the credentials adds to a cold start.

Figures: import and resolve times measured inside the child, wall time from spawn to
exit, the child's CPU time (``ru_utime + ru_stime``) and own peak RSS (``VmHWM``);
medians over ``--runs`` rounds, each running every candidate of every setup once.
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

NEEDS = ("boto3", "botocore", "cryptography")  # peers, checked by scripts/bench first

SOURCE_KEY = "AKIASOURCE0000000001"
ENV_KEY = "AKIABENCHENVIRON0001"
FILE_KEY = "AKIABENCHFILEKEY0001"
ASSUMED_KEY = "ASIABENCHASSUMED0001"
SECRET = "benchSecretKey/EXAMPLE+abcdefghijklmnopq"

NOOP = "report = {}\n"
RESOLVE = """
import time
t0 = time.perf_counter()
{imports}
t1 = time.perf_counter()
{resolve}
t2 = time.perf_counter()
report = {{"provider": provider, "key": key, "import": t1 - t0, "resolve": t2 - t1}}
"""
OURS = RESOLVE.format(
    imports="from sigv4_dataapi._credentials.providers import resolve_credentials",
    resolve="source = resolve_credentials()\n"
    "provider, key = source.provider, source.get().access_key_id",
)
BOTOCORE = RESOLVE.format(
    imports="import botocore.session",
    resolve="found = botocore.session.get_session().get_credentials()\n"
    "provider, key = found.method, found.get_frozen_credentials().access_key",
)
COLD_OURS = """
import json, sys
cfg = json.loads(sys.argv[1])
from sigv4_dataapi import Client, Credentials
creds = Credentials(cfg["access_key_id"], cfg["secret_key"]) if cfg["explicit"] else None
with Client(cfg["resource_arn"], cfg["secret_arn"], endpoint_url=cfg["endpoint"],
            region=cfg["region"], verify=cfg["ca_file"], credentials=creds) as db:
    rows = db.execute("SELECT 1 AS one").rows
assert rows == [{"one": 1}], rows
report = {}
"""
COLD_BOTO3 = """
import json, sys
cfg = json.loads(sys.argv[1])
import boto3
keys = {"aws_access_key_id": cfg["access_key_id"],
        "aws_secret_access_key": cfg["secret_key"]} if cfg["explicit"] else {}
client = boto3.client("rds-data", endpoint_url=cfg["endpoint"], region_name=cfg["region"],
                      verify=cfg["ca_file"], **keys)
out = client.execute_statement(resourceArn=cfg["resource_arn"], secretArn=cfg["secret_arn"],
                               sql="SELECT 1 AS one", includeResultMetadata=True)
assert out["records"] == [[{"longValue": 1}]], out
report = {}
"""
# appended to every child: its own peak RSS. VmHWM belongs to the new process image,
# whereas ru_maxrss also counts the forked copy of this (larger) parent before exec.
FOOTER = """
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(__import__("json").dumps({**report, "peak": int(hwm[0].split()[1]) / 1024 if hwm else 0}))
"""
STS_ANSWER = (
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
    "<AssumedRoleUser><AssumedRoleId>AROABENCH:bench</AssumedRoleId>"
    "<Arn>arn:aws:sts::123456789012:assumed-role/bench/bench</Arn></AssumedRoleUser>"
    f"<Credentials><AccessKeyId>{ASSUMED_KEY}</AccessKeyId><SecretAccessKey>{SECRET}"
    "</SecretAccessKey><SessionToken>benchSessionToken</SessionToken>"
    "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
    "<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>"
)

Run = tuple[float, float, float, dict[str, Any]]  # wall s, CPU s, peak RSS MiB, report
Results = dict[str, dict[str, list[Run]]]  # setup -> candidate -> runs


class Job(NamedTuple):
    """One candidate in one setup; ``expect`` is the (provider, key id) it must report."""

    code: str
    env: dict[str, str]
    args: tuple[str, ...] = ()
    expect: tuple[str, str] | None = None


class Figures(NamedTuple):
    """Medians of one candidate's runs, in ms (RSS in MiB). NamedTuples, not dataclasses:
    those need ``sys.modules``, where ``scripts/bench`` does not register this file."""

    wall: float
    cpu: float
    rss: float
    imported: float  # in the child: importing the resolver
    resolved: float  # in the child: resolution and first use


@contextmanager
def sts_stub(tls_dir: Path) -> Iterator[tuple[str, str, list[str]]]:
    """A loopback STS over HTTPS answering AssumeRole: its URL, the CA file that trusts
    it (real STS is HTTPS, so both clients pay for TLS) and the problems it saw."""
    from datetime import datetime, timezone

    from sigv4_dataapi._server.http.tls import ensure_certificates, server_context

    problems: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            signed = f"Credential={SOURCE_KEY}/" in self.headers.get("Authorization", "")
            if not body.startswith(b"Action=AssumeRole&") or not signed:
                problems.append(f"unexpected STS request: {body[:60]!r}, signed={signed}")
            data = STS_ANSWER.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    tls_dir.mkdir()
    files = ensure_certificates(tls_dir, now=datetime.now(timezone.utc))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context(files).wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", str(files.ca_file), problems
    finally:
        server.shutdown()
        server.server_close()


def write_home(root: Path, name: str, config: str = "", credentials: str = "") -> dict[str, str]:
    """Both files under a new ``root/name``; no AWS_* variables of this shell; no IMDS.

    Bytecode is cached as an installed package has it, in a private prefix the warm-up
    rounds fill, even under ``PYTHONDONTWRITEBYTECODE`` (which would otherwise make every
    run compile whichever sources have no up-to-date ``.pyc``, and measure that)."""
    home = root / name
    home.mkdir()
    (home / "config").write_text(config)
    (home / "credentials").write_text(credentials)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}  # fmt: skip
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
               AWS_EC2_METADATA_DISABLED="true",
               PYTHONPYCACHEPREFIX=str(root / "pycache"))  # fmt: skip
    return env


def keys_section(name: str, key: str, secret: str = SECRET) -> str:
    return f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"


def resolution_jobs(root: Path, sts_url: str, ca_file: str) -> dict[tuple[str, str], Job]:
    env = write_home(root, "env")
    env.update(AWS_ACCESS_KEY_ID=ENV_KEY, AWS_SECRET_ACCESS_KEY=SECRET)
    profile = write_home(root, "file", credentials=keys_section("default", FILE_KEY))
    role = write_home(
        root, "role",
        config="[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/bench\n"
               "role_session_name = bench\nsource_profile = src\n",
        credentials=keys_section("src", SOURCE_KEY),
    )  # fmt: skip
    role.update(AWS_ENDPOINT_URL_STS=sts_url, AWS_CA_BUNDLE=ca_file)
    setups = {
        "env": (env, "env", ENV_KEY),
        "profile file": (profile, "shared-credentials-file", FILE_KEY),
        "assume-role": (role, "assume-role", ASSUMED_KEY),
    }
    candidates = {"python (no-op)": NOOP, "sigv4-dataapi": OURS, "botocore": BOTOCORE}
    return {
        (setup, name): Job(code, env, expect=None if code == NOOP else (provider, key))
        for setup, (env, provider, key) in setups.items()
        for name, code in candidates.items()
    }


def spawn(job: Job) -> Run:
    """One ``python -c code`` process: wall, CPU, peak RSS and its JSON report line."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", job.code + FOOTER, *job.args], env=job.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    out, err = process.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"a run failed:\n{err.decode()}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    peak = report.pop("peak", 0) or usage.ru_maxrss / 1024
    if job.expect is not None and (report["provider"], report["key"]) != job.expect:
        raise SystemExit(f"a run found {report}, not {job.expect}")
    return wall, usage.ru_utime + usage.ru_stime, peak, report


def interleave(jobs: Mapping[tuple[str, str], Job], runs: int) -> Results:
    """Every job once per round, the order rotated each round (no fixed neighbour); two
    warm-up rounds first: one compiles into the private cache, one warms the page cache."""
    results: Results = {}
    items = list(jobs.items())
    for round_ in range(-2, runs):
        shift = round_ % len(items)
        for (group, name), job in items[shift:] + items[:shift]:
            run = spawn(job)
            if round_ >= 0:
                results.setdefault(group, {}).setdefault(name, []).append(run)
    return results


def measure_resolution(runs: int) -> Results:
    with tempfile.TemporaryDirectory() as tmp, sts_stub(Path(tmp) / "tls") as stub:
        sts_url, ca_file, problems = stub
        results = interleave(resolution_jobs(Path(tmp), sts_url, ca_file), runs)
        if problems:
            raise SystemExit("the STS stub saw: " + "; ".join(problems))
    return results


def measure_cold(runs: int) -> Results:
    """Where the credentials come from -> candidate -> runs of import + client + SELECT."""
    from cold import SECRET_KEY, start_endpoint  # C2's bench: the same local endpoint

    with tempfile.TemporaryDirectory() as tmp:
        server, info = start_endpoint(Path(tmp) / "serve")
        try:
            key, root = info["access_key_id"], Path(tmp)
            envs = {
                "explicit": write_home(root, "explicit"),
                "env": {**write_home(root, "env"),
                        "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
                "profile file": write_home(root, "file",
                                           credentials=keys_section("default", key, SECRET_KEY)),
            }  # fmt: skip
            config = {mode: json.dumps({**info, "explicit": mode == "explicit"}) for mode in envs}
            jobs = {
                (mode, name): Job(code, env, (config[mode],))
                for mode, env in envs.items()
                for name, code in (("sigv4-dataapi", COLD_OURS), ("boto3", COLD_BOTO3))
            }  # fmt: skip
            return interleave(jobs, runs)
        finally:
            server.terminate()
            server.wait(10)
            if server.stdout:
                server.stdout.close()


def tabulate(results: Results) -> dict[str, dict[str, Figures]]:
    def figures(rows: list[Run]) -> Figures:
        columns = zip(*[(wall * 1e3, cpu * 1e3, rss, float(child.get("import", 0)) * 1e3,
                         float(child.get("resolve", 0)) * 1e3)
                        for wall, cpu, rss, child in rows], strict=True)  # fmt: skip
        return Figures(*(statistics.median(column) for column in columns))

    return {group: {name: figures(rows) for name, rows in row.items()}
            for group, row in results.items()}  # fmt: skip


def report(title: str, results: Results, runs: int, *, other: str, child: bool) -> None:
    """Medians, then ratios; ``child``: with the import and resolve times measured inside."""
    table = tabulate(results)
    inside = f" {'import':>7} {'resolve':>8}" if child else ""
    print(f"{title}, median of {runs} processes (ms, MiB)")
    print(f"{'':<13} {'candidate':<15}{inside} {'wall':>7} {'CPU':>7} {'RSS':>6}")
    for group, row in table.items():
        for name, f in row.items():
            inside = f" {f.imported:>7.1f} {f.resolved:>8.1f}" if child else ""
            print(f"{group:<13} {name:<15}{inside} {f.wall:>7.1f} {f.cpu:>7.1f} {f.rss:>6.1f}")
    print(f"ratios ours/{other}: wall; CPU; RSS" + ("; in-child import+resolve" if child else ""))
    for group, row in table.items():
        ours, them = row["sigv4-dataapi"], row[other]
        inner = (ours.imported + ours.resolved) / (them.imported + them.resolved or 1)
        print(f"  {group:<13} {ours.wall / them.wall:.2f}x; {ours.cpu / them.cpu:.2f}x;"
              f" {ours.rss / them.rss:.2f}x" + (f"; {inner:.2f}x" if child else ""))  # fmt: skip


def report_chain_cost(results: Results) -> None:
    """What finding the credentials adds to a cold start that was given them."""
    table = tabulate(results)
    for name in ("sigv4-dataapi", "boto3"):
        base = table["explicit"][name]
        added = [f"{mode} {row[name].wall - base.wall:+.1f} ms wall,"
                 f" {row[name].cpu - base.cpu:+.1f} ms CPU"
                 for mode, row in table.items() if mode != "explicit"]  # fmt: skip
        print(f"{name} with credentials from the chain, against explicit: {'; '.join(added)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench credentials",
                                     description=__doc__.split("\n")[0])  # fmt: skip
    parser.add_argument("--runs", type=int, default=9, help="processes per candidate (default 9)")
    parser.add_argument("--part", choices=("all", "resolve", "cold"), default="all",
                        help="resolution only, cold start only, or both (default)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.part in ("all", "resolve"):
        title = "credential resolution in a fresh process"
        report(title, measure_resolution(args.runs), args.runs, other="botocore", child=True)
    if args.part in ("all", "cold"):
        cold = measure_cold(args.runs)
        title = "\ncold start (import + client + one SELECT over HTTPS) by credentials"
        report(title, cold, args.runs, other="boto3", child=False)
        report_chain_cost(cold)
    return 0
