"""``sigv4-dataapi serve`` as a process: first line, TLS files, signals, bad input."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._cli.main import main


def test_first_line_names_what_a_client_needs(local_endpoint: Any) -> None:
    info = local_endpoint.info
    assert info["endpoint"].startswith("https://127.0.0.1:")
    assert Path(info["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert info["region"] == "us-east-1"
    assert info["access_key_id"] == "AKIAIOSFODNN7EXAMPLE"
    assert "secret_access_key" not in info


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signals(local_endpoint_factory: Any, signum: int) -> None:
    endpoint = local_endpoint_factory()
    rds = endpoint.boto3_client()
    rds.begin_transaction(**endpoint.arns)  # left open: rolled back on the way out
    endpoint.process.send_signal(signum)
    assert endpoint.process.wait(timeout=15) == 0
    assert "Traceback" not in endpoint.stderr_text()


def test_certificates_are_made_once_and_reused(local_endpoint_factory: Any) -> None:
    first = local_endpoint_factory()
    ca = Path(first.ca_file).read_bytes()
    first.stop()
    again = local_endpoint_factory(state_dir=first.state_dir)
    assert Path(again.ca_file).read_bytes() == ca
    assert again.boto3_client().execute_statement(sql="SELECT 1", **again.arns)["records"]
    assert (first.state_dir / "server-key.pem").stat().st_mode & 0o077 == 0


def test_no_tls_serves_plain_http(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory("--no-tls")
    assert endpoint.endpoint.startswith("http://127.0.0.1:")
    assert endpoint.ca_file is None
    rds = endpoint.boto3_client()
    assert rds.execute_statement(sql="SELECT 3", **endpoint.arns)["records"] == [
        [{"longValue": 3}]
    ]


def _serve(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["serve", *args], stdout=out, stderr=err, env={})
    return status, out.getvalue(), err.getvalue()


def test_no_tls_off_loopback_needs_force(tmp_path: Path) -> None:
    status, out, err = _serve("--no-tls", "--host", "0.0.0.0", "--state-dir", str(tmp_path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "--force" in err


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--database-url", "oracle://x"], "unsupported database URL scheme"),
        (["--config", "/nonexistent/config.json"], "cannot read config file"),
        (["--flavor", "v3"], "invalid choice"),
        (["--pause-after", "-1"], "seconds must be >= 0"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], text: str) -> None:
    status, out, err = _serve(*args, "--state-dir", str(tmp_path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and text in err and "Traceback" not in err


def test_bad_config_file_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"keys": [{"access_key_id": "AKIAX"}]}))
    status, _, err = _serve("--config", str(config), "--state-dir", str(tmp_path))
    assert status == 2
    assert "keys[0] needs a non-empty string 'secret_access_key'" in err


def test_configured_secrets_never_printed(local_endpoint_factory: Any) -> None:
    secret = "veryPrivateSecretValue/1234567890"
    endpoint = local_endpoint_factory(
        "--verbose",
        config={"keys": [{"access_key_id": "AKIAPRIVATE000000001", "secret_access_key": secret,
                          "session_token": "privateToken123"}]},
    )  # fmt: skip
    endpoint.boto3_client().execute_statement(sql="SELECT 1", **endpoint.arns)
    endpoint.stop()
    logged = json.dumps(endpoint.info) + endpoint.stderr_text()
    assert secret not in logged and "privateToken123" not in logged
    assert "POST /Execute 200" in endpoint.stderr_text()


def test_module_entry_point_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigv4_dataapi", "serve", "--help"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    for flag in ("--database-url", "--flavor", "--no-tls", "--pause-after", "--resume-seconds"):
        assert flag in done.stdout
