"""Provider behaviour beyond one resolution: refresh re-reads, cache rewrites, real
subprocesses, and the promise that cheap resolutions import nothing heavy."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cred_fakes import FakeClock, ScriptedServer, sts_answer

from sigv4_dataapi._credentials.providers import CredentialSource, resolve_credentials
from sigv4_dataapi._credentials.providers._sso_token import cache_path
from sigv4_dataapi._errors import CredentialProviderError

NOW = datetime(2029, 12, 31, 23, 0, tzinfo=timezone.utc)


def _expiring_env_source() -> tuple[dict[str, str], FakeClock, CredentialSource]:
    """Environment credentials that expire in one hour, and the clock to move."""
    env = {
        "AWS_ACCESS_KEY_ID": "AKID1",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T00:00:00Z",
        "AWS_EC2_METADATA_DISABLED": "1",
        "HOME": "/nonexistent-home",
    }
    clock = FakeClock(NOW)
    return env, clock, resolve_credentials(env=env, clock=clock)


def test_env_refresh_rereads_the_live_environment() -> None:
    env, clock, source = _expiring_env_source()
    assert source.get().access_key_id == "AKID1"
    env.update(AWS_ACCESS_KEY_ID="AKID2", AWS_CREDENTIAL_EXPIRATION="2030-01-01T06:00:00Z")
    clock.now += timedelta(minutes=55)  # 5 min left: mandatory
    assert source.get().access_key_id == "AKID2"


def test_env_refresh_that_stays_expired_is_an_error() -> None:
    _, clock, source = _expiring_env_source()
    clock.now += timedelta(hours=2)
    with pytest.raises(CredentialProviderError, match="already expired"):
        source.get()


def _web_identity_answer(key: str) -> dict[str, object]:
    return {"body": sts_answer("AssumeRoleWithWebIdentity", key)}


def test_web_identity_token_file_is_reread_on_refresh(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("FIRST")
    script = [
        {"request": {"method": "POST", "path": "/"}, "response": _web_identity_answer("ASIA1")},
        {"request": {"method": "POST", "path": "/"}, "response": _web_identity_answer("ASIA2")},
    ]
    clock = FakeClock(NOW)
    with ScriptedServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
            "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
            "AWS_ENDPOINT_URL_STS": server.url,
        }
        source = resolve_credentials(env=env, clock=clock)
        assert source.get().access_key_id == "ASIA1"
        token.write_text("SECOND")
        clock.now += timedelta(minutes=52)
        assert source.get().access_key_id == "ASIA2"
        server.assert_played()
    assert b"WebIdentityToken=FIRST" in server.seen[0].body
    assert b"WebIdentityToken=SECOND" in server.seen[1].body


def test_sso_refresh_rewrites_the_token_cache(tmp_path: Path) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
        "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    env = {"HOME": str(tmp_path)}
    cache = cache_path_for(env, "s")
    cache.parent.mkdir(parents=True)
    cache.write_text(
        json.dumps(
            {
                "startUrl": "https://x.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "OLD",
                "expiresAt": "2029-12-31T23:01:00Z",
                "clientId": "C",
                "clientSecret": "CS",
                "registrationExpiresAt": "2030-03-01T00:00:00Z",
                "refreshToken": "R1",
            }
        )
    )
    role = {
        "roleCredentials": {
            "accessKeyId": "ASIASSO",
            "secretAccessKey": "s",
            "sessionToken": "t",
            "expiration": 1893459600000,
        }
    }
    script = [
        {
            "request": {"method": "POST", "path": "/token"},
            "response": {"body": {"accessToken": "NEW", "expiresIn": 3600}},
        },
        {
            "request": {
                "method": "GET",
                "headers": {"x-amz-sso_bearer_token": "NEW"},
                "path": "/federation/credentials?role_name=R&account_id=1",
            },
            "response": {"body": role},
        },
    ]
    with ScriptedServer(script) as server:
        env.update(AWS_ENDPOINT_URL=server.url)
        source = resolve_credentials(env=env, clock=lambda: NOW)
        assert source.get().access_key_id == "ASIASSO"
        server.assert_played()
    written = json.loads(cache.read_text())
    assert written["accessToken"] == "NEW"
    assert written["expiresAt"] == "2030-01-01T00:00:00Z"
    assert written["refreshToken"] == "R1"  # kept: CreateToken returned none
    assert written["clientSecret"] == "CS"
    assert cache.stat().st_mode & 0o077 == 0


def cache_path_for(env: dict[str, str], key: str) -> Path:
    from sigv4_dataapi._config import load_profile
    from sigv4_dataapi._credentials.providers._context import ProviderContext

    return cache_path(ProviderContext(env=env, profile=load_profile(env=env)), key)


def _helper(tmp_path: Path, body: str) -> str:
    script = tmp_path / "helper.py"
    script.write_text(textwrap.dedent(body))
    return f"{sys.executable} {script}"


def test_credential_process_runs_a_real_helper(tmp_path: Path) -> None:
    command = (
        _helper(
            tmp_path,
            """
        import json, sys
        print(json.dumps({"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": sys.argv[1],
                          "Expiration": "2030-01-01T06:00:00Z"}))
    """,
        )
        + " 'secret with spaces'"
    )
    (tmp_path / "config").write_text(f"[default]\ncredential_process = {command}\n")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    source = resolve_credentials(env=env, clock=lambda: NOW)
    creds = source.get()
    assert (source.provider, creds.access_key_id) == ("custom-process", "ASIAPROC")
    assert creds.secret_access_key == "secret with spaces"
    assert source.refreshable


def test_credential_process_failure_reports_stderr(tmp_path: Path) -> None:
    command = _helper(tmp_path, "import sys; sys.stderr.write('please log in\\n'); sys.exit(3)")
    (tmp_path / "config").write_text(f"[default]\ncredential_process = {command}\n")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    with pytest.raises(CredentialProviderError, match="status 3: please log in"):
        resolve_credentials(env=env)


def test_credential_process_missing_program(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[default]\ncredential_process = /nonexistent/helper\n")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    with pytest.raises(CredentialProviderError, match="cannot run '/nonexistent/helper'"):
        resolve_credentials(env=env)


def test_secrets_never_reach_error_messages(tmp_path: Path) -> None:
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAX\naws_secret_access_key = TOPSECRET\n"
        "aws_session_token = TOKENSECRET\n"
    )
    (tmp_path / ".aws" / "config").write_text("[default]\nrole_arn = arn:aws:iam::1:role/r\n")
    with pytest.raises(CredentialProviderError) as info:
        resolve_credentials(env={"HOME": str(tmp_path)})
    text = f"{info.value} {info.value!r}"
    assert "TOPSECRET" not in text and "TOKENSECRET" not in text
    source = resolve_credentials(
        env={"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "TOPSECRET"}
    )
    assert "TOPSECRET" not in repr(source) and "TOPSECRET" not in str(source.get())


def test_context_repr_hides_the_environment() -> None:
    from sigv4_dataapi._config import Profile
    from sigv4_dataapi._credentials.providers._context import ProviderContext

    ctx = ProviderContext(env={"AWS_SECRET_ACCESS_KEY": "ENVSECRET"}, profile=Profile("p"))
    assert "ENVSECRET" not in repr(ctx)


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("http://127.0.0.1:8080/creds", True),
        ("http://127.1.2.3/creds", True),
        ("http://[::1]/creds", True),
        ("http://localhost/creds", True),
        ("http://169.254.170.2/creds", True),
        ("http://169.254.170.23/v1/credentials", True),
        ("http://[fd00:ec2::23]/v1/credentials", True),
        ("https://creds.example.com/x", True),
        ("http://creds.example.com/x", False),
        ("http://10.0.0.1/x", False),
        ("http://169.254.169.254/x", False),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_container_full_uri_allow_list(url: str, allowed: bool) -> None:
    from sigv4_dataapi._config import Profile
    from sigv4_dataapi._credentials.providers._container import credentials_url
    from sigv4_dataapi._credentials.providers._context import ProviderContext

    ctx = ProviderContext(env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}, profile=Profile("p"))
    if allowed:
        assert credentials_url(ctx) == url
    else:
        with pytest.raises(CredentialProviderError, match="is not allowed"):
            credentials_url(ctx)


def test_imds_outage_keeps_still_valid_credentials(caplog: pytest.LogCaptureFixture) -> None:
    """Static stability: a failed IMDS refresh in the mandatory window keeps serving the
    credentials until a minute before their real expiry, then fails."""
    import httpx

    up = {"value": True}

    def imds(request: httpx.Request) -> httpx.Response:
        if not up["value"]:
            return httpx.Response(500)
        if request.method == "PUT":
            return httpx.Response(200, text="TOKEN")
        if request.url.path.endswith("/security-credentials/"):
            return httpx.Response(200, text="role")
        return httpx.Response(
            200,
            json={
                "Code": "Success",
                "AccessKeyId": "ASIAIMDS",
                "SecretAccessKey": "s",
                "Token": "t",
                "Expiration": "2030-01-01T00:00:00Z",
            },
        )

    clock = FakeClock(NOW)
    source = resolve_credentials(
        env={"HOME": "/nonexistent"}, clock=clock, transport=httpx.MockTransport(imds)
    )
    assert source.provider == "iam-role"
    up["value"] = False
    clock.now += timedelta(minutes=55)  # 5 min left: mandatory window, IMDS down
    creds = source.get()
    assert creds.access_key_id == "ASIAIMDS"
    assert creds.expiration == datetime(2030, 1, 1, tzinfo=timezone.utc)  # capped, not extended
    assert "IMDS refresh failed" in caplog.text
    clock.now += timedelta(minutes=4, seconds=30)  # 30 s left: no longer handed out
    with pytest.raises(CredentialProviderError, match="iam-role"):
        source.get()


def test_explicit_credentials_win_without_reading_anything(tmp_path: Path) -> None:
    from sigv4_dataapi._credentials.value import Credentials

    given = Credentials("AKIAEXPLICIT", "s")
    # AWS_PROFILE naming no profile does not matter either (botocore: ProfileNotFound,
    # boto/boto3#4121); a malformed config file is never read
    (tmp_path / "config").write_text("outside any section\n")
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAENV",
        "AWS_PROFILE": "typo",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
    }
    source = resolve_credentials(given, env=env)
    assert (source.provider, source.get()) == ("explicit", given)


def test_credential_process_stderr_goes_to_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the helper's prompts must be visible (99designs/aws-vault#1015)."""
    from sigv4_dataapi._credentials.providers import _process

    monkeypatch.setattr(_process, "_stderr_is_tty", lambda: True)
    command = _helper(tmp_path, "import sys; sys.stderr.write('Touch your key\\n'); sys.exit(1)")
    (tmp_path / "config").write_text(f"[default]\ncredential_process = {command}\n")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    with pytest.raises(CredentialProviderError, match="see its messages above"):
        resolve_credentials(env=env)
    assert "Touch your key" in capfd.readouterr().err
