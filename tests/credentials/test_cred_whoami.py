"""``sigv4-dataapi whoami``: provider, setting sources, secrets masked."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sigv4_dataapi._cli import ExitStatus, main

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKENVALUE=="


def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["whoami", *argv], env=env, stdin=io.BytesIO(), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _home(tmp_path: Path) -> dict[str, str]:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text(
        "[profile dev]\nregion = eu-west-1\nservices = local\n"
        "data_api_resource_arn = arn:aws:rds:eu-west-1:1:cluster:c\n"
        "[services local]\nrds_data =\n  endpoint_url = https://localhost:8443\n"
    )
    (aws / "credentials").write_text(
        f"[dev]\naws_access_key_id = AKIAEXAMPLEKEY12ABCD\naws_secret_access_key = {SECRET}\n"
        f"aws_session_token = {TOKEN}\n"
    )
    return {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}


def test_table_names_provider_and_sources_and_masks_secrets(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "AWS_PROFILE": "dev", "DATA_API_DATABASE": "app"}
    status, out, err = _run([], env)
    assert status == ExitStatus.OK, err
    lines = {line.split()[0]: line.split(None, 2)[1:] for line in out.splitlines()}
    assert lines["profile"] == ["dev", "env AWS_PROFILE"]
    assert lines["credentials"] == ["shared-credentials-file", "provider chain"]
    assert lines["region"][0] == "eu-west-1" and lines["region"][1].startswith("profile 'dev'")
    assert lines["endpoint_url"] == [
        "https://localhost:8443",
        f"[services local] in {tmp_path}/.aws/config",
    ]
    assert lines["data_api_database"] == ["app", "env DATA_API_DATABASE"]
    assert lines["access_key_id"][0] == "****ABCD"
    assert lines["secret_access_key"][0] == "****EKEY"
    assert SECRET not in out and TOKEN not in out and "AKIAEXAMPLEKEY12ABCD" not in out


def test_json_output(tmp_path: Path) -> None:
    status, out, _ = _run(["--json", "--profile", "dev", "--region", "us-west-2"], _home(tmp_path))
    body = json.loads(out)
    assert status == ExitStatus.OK
    assert body["region"] == {"value": "us-west-2", "source": "argument"}
    assert body["profile"] == {"value": "dev", "source": "argument"}
    assert body["session_token"]["value"] == "****" + TOKEN[-4:]
    assert SECRET not in out and TOKEN not in out


def test_default_endpoint_is_shown_with_its_reason(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x" * 20}
    status, out, _ = _run(["--json", "--region", "eu-central-1"], env)
    body = json.loads(out)
    assert status == ExitStatus.OK
    assert body["endpoint_url"] == {
        "value": "https://rds-data.eu-central-1.amazonaws.com",
        "source": "default for eu-central-1",
    }
    assert body["credentials"]["value"] == "env"


def test_broken_provider_still_prints_settings_then_exits_3(tmp_path: Path) -> None:
    env = {**_home(tmp_path), "AWS_PROFILE": "typo"}
    status, out, err = _run([], env)
    assert status == ExitStatus.CREDENTIALS
    assert out.splitlines()[0].split()[:3] == ["profile", "typo", "env"]
    assert "credentials" not in [line.split()[0] for line in out.splitlines()]
    assert "profile 'typo'" in err and "not defined" in err
    assert err.count("\n") == 1  # one line, no traceback


def test_no_credentials_lists_attempts(tmp_path: Path) -> None:
    status, _, err = _run([], {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"})
    assert status == ExitStatus.CREDENTIALS
    assert "no AWS credentials found (tried env:" in err and "iam-role:" in err
