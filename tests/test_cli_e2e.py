"""The installed ``sigv4-dataapi`` as a subprocess against the real local endpoint.

End to end: ``send`` (the article's fixtures/sql.json), ``sql``, ``request``,
``--print-curl`` then running that curl command, TLS trust, and Ctrl-C while a
paused cluster resumes.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "sigv4-dataapi"

pytestmark = pytest.mark.skipif(not CLI.exists(), reason=f"{CLI} is not installed")

NEEDS_CURL = pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on PATH")


def _env(endpoint: Any, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": endpoint.access_key_id,
        "AWS_SECRET_ACCESS_KEY": endpoint.secret_access_key,
        "AWS_REGION": endpoint.region,
        "AWS_CA_BUNDLE": endpoint.ca_file or "",
        "AWS_ENDPOINT_URL_RDS_DATA": endpoint.endpoint,
        "DATA_API_RESOURCE_ARN": endpoint.resource_arn,
        "DATA_API_SECRET_ARN": endpoint.secret_arn,
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v}


def _run(argv: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *argv], env=env, capture_output=True, text=True, timeout=180, check=False,
        cwd=REPO, **kwargs,
    )  # fmt: skip


@pytest.fixture(scope="module")
def table(local_endpoint: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh table with two rows (the endpoint is shared by the session)."""
    name = f"cli_{uuid.uuid4().hex[:8]}"
    env = _env(local_endpoint, tmp_path_factory.mktemp("cli-e2e"))
    made = _run(["sql", f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, who TEXT)"], env)
    assert made.returncode == 0, made.stderr
    for who in ("ada", "grace"):
        added = _run(["sql", f"INSERT INTO {name} (who) VALUES (:who)", "-p", f"who={who}"], env)
        assert added.returncode == 0, added.stderr
    return name


def test_send_the_article_file(local_endpoint: Any, tmp_path: Path, table: str) -> None:
    env = _env(local_endpoint, tmp_path)
    raw = _run(["send", "fixtures/sql.json"], env)
    assert raw.returncode == 0, raw.stderr
    answer = json.loads(raw.stdout)
    assert [table] in [[f["stringValue"] for f in row] for row in answer["records"]]
    decoded = _run(["send", "fixtures/sql.json", "--output", "json"], env)
    assert decoded.returncode == 0, decoded.stderr
    assert table in {next(iter(row.values())) for row in json.loads(decoded.stdout)}


def test_sql_prints_rows(local_endpoint: Any, tmp_path: Path, table: str) -> None:
    env = _env(local_endpoint, tmp_path)
    result = _run(["sql", f"SELECT id, who FROM {table} ORDER BY id", "--output", "csv"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["id,who", "1,ada", "2,grace"]


def test_request_signs_any_call(local_endpoint: Any, tmp_path: Path, table: str) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({
        "resourceArn": local_endpoint.resource_arn, "secretArn": local_endpoint.secret_arn,
        "sql": f"SELECT who FROM {table} WHERE id = 2",
    }))  # fmt: skip
    result = _run(
        [
            "request",
            "-d",
            f"@{body}",
            "--service",
            "rds-data",
            local_endpoint.endpoint + "/Execute",
        ],
        _env(local_endpoint, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["records"] == [[{"stringValue": "grace"}]]


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "fixtures/sql.json", "--print-curl"],
        ["sql", "SELECT who FROM {table}", "--print-curl"],
        [
            "request",
            "-d",
            "{{}}",
            "--service",
            "rds-data",
            "--print-curl",
            "{url}/BeginTransaction",
        ],
    ],
)
@NEEDS_CURL
def test_print_curl_then_run_it(
    local_endpoint: Any, tmp_path: Path, table: str, argv: list[str]
) -> None:
    env = _env(local_endpoint, tmp_path)
    filled = [a.format(table=table, url=local_endpoint.endpoint) for a in argv]
    printed = _run(filled, env)
    assert printed.returncode == 0, printed.stderr
    command = shlex.split(printed.stdout)
    assert command[command.index("--cacert") + 1] == local_endpoint.ca_file
    assert local_endpoint.secret_access_key not in printed.stdout + printed.stderr
    ran = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert ran.returncode == 0, ran.stderr
    if argv[0] == "request":  # an empty body is a well-signed but bad request
        assert "BadRequestException" in ran.stdout or "resourceArn" in ran.stdout
    else:
        assert "records" in json.loads(ran.stdout)


def test_verbose_never_prints_the_secret(local_endpoint: Any, tmp_path: Path) -> None:
    result = _run(["sql", "-v", "SELECT 1"], _env(local_endpoint, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "string to sign" in result.stderr
    assert local_endpoint.secret_access_key not in result.stdout + result.stderr


def test_tls_failure_without_the_ca_is_one_line(local_endpoint: Any, tmp_path: Path) -> None:
    env = _env(local_endpoint, tmp_path, AWS_CA_BUNDLE="")
    result = _run(["sql", "SELECT 1"], env)
    assert result.returncode == 5
    assert "certificate verify failed" in result.stderr.lower()
    assert result.stderr.count("\n") == 1
    insecure = _run(["sql", "SELECT 1", "--no-verify-ssl"], env)
    assert insecure.returncode == 0, insecure.stderr
    assert "not verified" in insecure.stderr


def test_ca_file_flag(local_endpoint: Any, tmp_path: Path) -> None:
    env = _env(local_endpoint, tmp_path, AWS_CA_BUNDLE="")
    result = _run(["sql", "SELECT 1", "--ca-file", local_endpoint.ca_file], env)
    assert result.returncode == 0, result.stderr


def test_wrong_secret_is_a_service_error(local_endpoint: Any, tmp_path: Path) -> None:
    env = _env(local_endpoint, tmp_path, AWS_SECRET_ACCESS_KEY="not-the-right-secret-key")
    result = _run(["sql", "SELECT 1"], env)
    assert result.returncode == 4
    assert "not-the-right-secret-key" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1


@pytest.mark.slow
def test_ctrl_c_while_waiting_for_a_resume_is_clean(
    local_endpoint_factory: Callable[..., Any], tmp_path: Path
) -> None:
    endpoint = local_endpoint_factory("--start-paused", "--resume-seconds", "120")
    process = subprocess.Popen(
        [str(CLI), "sql", "SELECT 1"], env=_env(endpoint, tmp_path), cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    first = _first_line(process, deadline=120)  # generous: the machine may be loaded
    assert "waiting for the database to resume (attempt 1," in first
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert out == ""
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "sigv4-dataapi: interrupted"


def _first_line(process: subprocess.Popen[str], *, deadline: float) -> str:
    """The child's first stderr line, or a failure (not a hang) after ``deadline`` s."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    stream = process.stderr
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=deadline)
    except queue.Empty:
        process.kill()
        process.communicate()
        pytest.fail(f"no line on stderr within {deadline} s")
