"""``sigv4-dataapi whoami``: provider, setting sources, secrets masked."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from sigv4_dataapi._cli.main import ExitStatus, main

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


def test_region_falls_back_to_the_resource_arn(tmp_path: Path) -> None:
    """As the client does: no region anywhere, but data_api_resource_arn names one."""
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[default]\ndata_api_resource_arn = arn:aws:rds:ap-south-1:1:cluster:c\n"
    )
    env = {"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x" * 20}
    status, out, _ = _run(["--json"], env)
    body = json.loads(out)
    assert status == ExitStatus.OK
    assert body["region"]["value"] == "ap-south-1"
    assert body["region"]["source"].startswith("data_api_resource_arn (profile 'default'")
    assert body["endpoint_url"]["value"] == "https://rds-data.ap-south-1.amazonaws.com"


# Recognisable (random) secrets: any 6 consecutive characters of one in the output is a leak.
SECRETS = {
    "env_secret": "k/Heas8VOcI/z0myHl2QlU0G4mzLmfzU/ydUF3MT",
    "env_token": "plzoINzW9CrAbyvcQNVWXLq/gx2Ym4Fl55Wj==",
    "file_secret": "28M0kyI5/wccpGUyG5QG01/I89/sW+N7PUuWIOY/",
    "file_token": "uLa5hxdoVU+hytIb2/j8DmVUsFOsemnf97id==",
    "role_secret": "qkuH5+cry4945J9iLUKUekJJJ834VekFEewRVegA",
    "role_token": "3RjuoZr7+jqjSdxtxKtXCCq1uOEaXyPW4bYr==",
}


def _leaks(text: str) -> list[str]:
    return [
        name
        for name, secret in SECRETS.items()
        if any(secret[i : i + 6] in text for i in range(len(secret) - 5))
    ]


def _secret_home(tmp_path: Path, sts_url: str) -> dict[str, str]:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text(
        "[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/r\n"
        f"source_profile = static\nendpoint_url = {sts_url}\n"
    )
    (aws / "credentials").write_text(
        "[static]\naws_access_key_id = AKIAFILE0000000000001\n"
        f"aws_secret_access_key = {SECRETS['file_secret']}\n"
        f"aws_session_token = {SECRETS['file_token']}\n"
    )
    return {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}


ENV_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAENV0000000000001",
    "AWS_SECRET_ACCESS_KEY": SECRETS["env_secret"],
    "AWS_SESSION_TOKEN": SECRETS["env_token"],
}


@pytest.mark.parametrize("flags", [[], ["--json"], ["--traceback"], ["--json", "--traceback"]])
@pytest.mark.parametrize("setup", ["env", "static", "role", "role-denied", "broken-profile"])
def test_whoami_never_prints_a_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, setup: str, flags: list[str]
) -> None:
    """Every output path: table, JSON, a failing STS call and a broken profile with
    ``--traceback``, and the logs at DEBUG (httpx included)."""
    from cred_fakes import ScriptedServer, sts_answer

    answer = sts_answer(
        "AssumeRole", "ASIAROLE0000000000001",
        secret=SECRETS["role_secret"], token=SECRETS["role_token"],
    )  # fmt: skip
    denied = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error>"
    body = denied + "</ErrorResponse>" if setup == "role-denied" else answer
    script = [{"request": {"method": "POST"}, "response": {"status": 200, "body": body}}]
    if setup == "role-denied":
        script[0]["response"]["status"] = 403  # type: ignore[index]
    caplog.set_level(logging.DEBUG)
    with ScriptedServer(script if setup.startswith("role") else []) as server:
        env = _secret_home(tmp_path, server.url)
        if setup == "env":
            env.update(ENV_KEYS)
        argv = {"env": [], "static": ["--profile", "static"], "broken-profile": []}.get(
            setup, ["--profile", "role"]
        )
        if setup == "broken-profile":  # static keys lacking the secret, env keys present
            env.update(ENV_KEYS, AWS_PROFILE="role")
            argv = ["--profile", "role"]
            (tmp_path / ".aws" / "config").write_text(
                "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = static\n"
                "credential_source = Environment\n"
            )
        status, out, err = _run([*flags, *argv], env)
    everything = out + err + caplog.text
    assert _leaks(everything) == [], everything
    ok = setup in ("env", "static", "role")
    assert (status == ExitStatus.OK) is ok, err
    if ok:
        provider = {"env": "env", "static": "shared-credentials-file", "role": "assume-role"}
        assert provider[setup] in out
        assert "****" in out
