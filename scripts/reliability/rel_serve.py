"""Shared by ``scripts/soak``, ``scripts/fuzz-endpoint`` and ``scripts/bench load``.

Start ``sigv4-dataapi serve`` as a child process (its first stdout line says
where it listens), sign a request by hand, connect raw sockets, and read a
process's resident memory, threads and open file descriptors from ``/proc``.
Standard library plus the package itself: no pytest here.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
DEV_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS docs' example key
ENGINE_URLS = {
    "sqlite": None,
    "postgres": os.environ.get("SIGV4_DATAAPI_TEST_POSTGRES_URL")
    or "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": os.environ.get("SIGV4_DATAAPI_TEST_MYSQL_URL") or "mysql://root@127.0.0.1:3306/test",
}


@dataclass
class Served:
    """A running ``serve`` child process and its first line."""

    info: dict[str, Any]
    process: subprocess.Popen[str]
    state_dir: Path

    @property
    def endpoint(self) -> str:
        return str(self.info["endpoint"])

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr_text(self) -> str:
        path = self.state_dir / "serve.stderr"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode


def start(state_dir: Path, *flags: str, database_url: str | None = None) -> Served:
    """``python -m sigv4_dataapi serve --port 0 ...``; waits (60 s at most) for its first line."""
    state_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "sigv4_dataapi",
        "serve",
        "--port",
        "0",
        "--state-dir",
        str(state_dir),
        *flags,
    ]
    if database_url:
        command += ["--database-url", database_url]
    with (state_dir / "serve.stderr").open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO
        )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    line = process.stdout.readline() if selector.select(60) else ""
    selector.close()
    if not line:
        process.kill()
        process.wait()
        errors = (state_dir / "serve.stderr").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"serve did not start: {errors.strip()[-1000:]}")
    return Served(json.loads(line), process, state_dir)


def credentials() -> Any:
    from sigv4_dataapi._credentials.value import Credentials

    return Credentials("AKIAIOSFODNN7EXAMPLE", DEV_SECRET_ACCESS_KEY)


def client_options(served: Served) -> dict[str, Any]:
    """Keyword arguments for ``Client``/``AsyncClient`` against ``served``."""
    info = served.info
    return {
        "resource_arn": info["resource_arn"],
        "secret_arn": info["secret_arn"],
        "endpoint_url": info["endpoint"],
        "region": info["region"],
        "credentials": credentials(),
        "verify": info["ca_file"] or False,
        "env": {},
    }


def signed_request(served: Served, path: str, body: bytes) -> bytes:
    """The bytes of a correctly signed ``POST path`` with ``body`` (any bytes at all)."""
    from sigv4_dataapi._sigv4.sign import sign_request

    host = urlsplit(served.endpoint).netloc
    headers = {"Content-Type": "application/json", "Host": host}
    signed = sign_request(
        "POST",
        f"{served.endpoint}{path}",
        headers=headers,
        body=body,
        credentials=credentials(),
        region=served.info["region"],
        service="rds-data",
        now=datetime.now(timezone.utc),
    )
    lines = [
        f"POST {path} HTTP/1.1",
        *(f"{k}: {v}" for k, v in {**headers, **signed.headers}.items()),
    ]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def target_body(served: Served, **members: Any) -> dict[str, Any]:
    return {
        "resourceArn": served.info["resource_arn"],
        "secretArn": served.info["secret_arn"],
        **members,
    }


def connect(served: Served, timeout: float = 5.0) -> socket.socket:
    """A plain TCP connection to a ``--no-tls`` endpoint."""
    parts = urlsplit(served.endpoint)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout)


def proc_stats(pid: int | str = "self") -> dict[str, int]:
    """Resident memory (KiB), threads and open file descriptors of a process (Linux)."""
    stats = {"rss_kib": 0, "threads": 0, "fds": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                stats["rss_kib"] = int(line.split()[1])
            elif line.startswith("Threads:"):
                stats["threads"] = int(line.split()[1])
        stats["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, ValueError):
        pass
    return stats


def wait_until(predicate: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
