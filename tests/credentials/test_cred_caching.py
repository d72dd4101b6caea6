"""Caching and disk hygiene: assumed-role and SSO role credentials live in memory for
their lifetime (one call, however many users), nothing secret reaches the disk that
the AWS CLI would not write, and IMDS neither hangs a laptop nor refetches the same
near-expiry credentials on every call (reference §14, pitfalls 1-3)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cred_fakes import FakeClock, ScriptedServer, sts_answer

from sigv4_dataapi._credentials.providers import resolve_credentials
from sigv4_dataapi._errors import NoCredentialsError

NOW = datetime(2029, 12, 31, 23, 0, tzinfo=timezone.utc)
ROLE_SECRET = "fakeRoleSecretThatMustNeverTouchTheDisk"
ROLE_TOKEN = "FAKEroleTOKENthatMustNeverTouchTheDisk=="


def _snapshot(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in home.rglob("*") if p.is_file()}


def _hammer(get: object, threads: int = 8, calls: int = 25) -> set[str]:
    """Call ``get()`` from many threads at once; the set of access key ids seen."""
    seen: set[str] = set()
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait(5)
        for _ in range(calls):
            seen.add(get().access_key_id)  # type: ignore[operator]

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(10)
    return seen


def _assume_role_home(home: Path) -> None:
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        "[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = src\n"
    )
    (home / ".aws" / "credentials").write_text(
        "[src]\naws_access_key_id = AKIASRC\naws_secret_access_key = srcSecret\n"
    )


def test_assumed_role_credentials_are_cached_in_memory_only(tmp_path: Path) -> None:
    _assume_role_home(tmp_path)
    before = _snapshot(tmp_path)
    answer = sts_answer(
        "AssumeRole",
        "ASIAROLE",
        secret=ROLE_SECRET,
        token=ROLE_TOKEN,
        expiration="2030-01-01T01:00:00Z",
    )
    script = [{"request": {"method": "POST", "path": "/"}, "response": {"body": answer}}]
    clock = FakeClock(NOW)
    with ScriptedServer(script) as server:
        env = {"HOME": str(tmp_path), "AWS_ENDPOINT_URL_STS": server.url}
        source = resolve_credentials(env=env, clock=clock)
        assert _hammer(source.get) == {"ASIAROLE"}
        clock.now += timedelta(minutes=44)  # 16 min left: still outside the windows
        assert source.get().access_key_id == "ASIAROLE"
        server.assert_played()  # exactly one AssumeRole for 201 calls
    assert _snapshot(tmp_path) == before  # no ~/.aws/cli/cache, no boto cache, nothing


def _sso_home(home: Path, expires: str) -> Path:
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        "[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
        "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    cache = home / ".aws" / "sso" / "cache" / f"{hashlib.sha1(b's').hexdigest()}.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(
        json.dumps(
            {
                "accessToken": "OLD",
                "expiresAt": expires,
                "clientId": "C",
                "clientSecret": "CS",
                "registrationExpiresAt": "2030-03-01T00:00:00Z",
                "refreshToken": "R1",
            }
        )
    )
    return cache


ROLE = {
    "roleCredentials": {
        "accessKeyId": "ASIASSOROLE",
        "secretAccessKey": ROLE_SECRET,
        "sessionToken": ROLE_TOKEN,
        "expiration": 1893459600000,  # 2030-01-01T01:00:00Z
    }
}
PORTAL = {
    "request": {"path": "/federation/credentials?role_name=R&account_id=1"},
    "response": {"body": ROLE},
}


def test_sso_role_credentials_are_cached_in_memory_only(tmp_path: Path) -> None:
    _sso_home(tmp_path, "2030-01-01T08:00:00Z")
    before = _snapshot(tmp_path)
    with ScriptedServer([PORTAL]) as server:
        env = {"HOME": str(tmp_path), "AWS_ENDPOINT_URL_SSO": server.url}
        source = resolve_credentials(env=env, clock=lambda: NOW)
        assert _hammer(source.get) == {"ASIASSOROLE"}
        server.assert_played()  # one GetRoleCredentials for 200 calls
    assert _snapshot(tmp_path) == before


def test_sso_token_refresh_writes_only_what_the_cli_writes(tmp_path: Path) -> None:
    """The refreshed token goes back into the CLI's own cache file (owner-only); the
    role credentials never reach the disk, and no other file appears."""
    cache = _sso_home(tmp_path, "2029-12-31T23:05:00Z")
    before = set(_snapshot(tmp_path))
    token = {
        "request": {"method": "POST", "path": "/token"},
        "response": {"body": {"accessToken": "NEW", "expiresIn": 3600}},
    }
    with ScriptedServer([token, PORTAL]) as server:
        env = {"HOME": str(tmp_path), "AWS_ENDPOINT_URL": server.url}
        assert resolve_credentials(env=env, clock=lambda: NOW).get().access_key_id == "ASIASSOROLE"
        server.assert_played()
    after = _snapshot(tmp_path)
    assert set(after) == before  # the same files: no temp file left, no role cache
    assert json.loads(cache.read_text())["accessToken"] == "NEW"
    assert cache.stat().st_mode & 0o077 == 0
    for content in after.values():
        assert ROLE_SECRET.encode() not in content and ROLE_TOKEN.encode() not in content


def _imds_script(expiration: str, rounds: int) -> list[dict[str, object]]:
    doc = {
        "Code": "Success",
        "AccessKeyId": "ASIAIMDS",
        "SecretAccessKey": "s",
        "Token": "t",
        "Expiration": expiration,
    }
    one = [
        {"request": {"method": "PUT", "path": "/latest/api/token"}, "response": {"body": "T"}},
        {
            "request": {"path": "/latest/meta-data/iam/security-credentials/"},
            "response": {"body": "role"},
        },
        {
            "request": {"path": "/latest/meta-data/iam/security-credentials/role"},
            "response": {"body": doc},
        },
    ]
    return one * rounds


def test_imds_serving_the_same_near_expiry_credentials_is_not_refetched_per_call(
    tmp_path: Path,
) -> None:
    """IMDS may keep serving credentials with < 15 min left (it rotates ~5 min before
    expiry; aws/aws-sdk-js#2440): the windows shrink with the lifetime seen at each fetch
    (the first one included, issue 14) instead of refetching on every call."""
    clock = FakeClock(NOW)
    with ScriptedServer(_imds_script("2029-12-31T23:12:00Z", 2)) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
            "AWS_EC2_METADATA_DISABLED": "false",
        }
        source = resolve_credentials(env=env, clock=clock)  # round 1: 12 min of lifetime
        for _ in range(50):
            assert source.get().access_key_id == "ASIAIMDS"  # cached
        clock.now += timedelta(minutes=7)  # 5 min left: inside half the lifetime
        for _ in range(50):
            assert source.get().access_key_id == "ASIAIMDS"  # round 2, then quiet again
        server.assert_played()  # two rounds for 100 calls, not 100


def test_imds_silence_does_not_hang_with_default_settings(tmp_path: Path) -> None:
    """A network where IMDS swallows requests (hop limit, firewall): with the default
    1 s timeout and one attempt the chain gives up in about two seconds."""
    silent = {"response": {"hang": 3.0}}
    script = [
        {"request": {"method": "PUT", "path": "/latest/api/token"}, **silent},
        {"request": {"path": "/latest/meta-data/iam/security-credentials/"}, **silent},
    ]
    with ScriptedServer(script) as server:
        env = {
            "HOME": str(tmp_path),
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
            "AWS_EC2_METADATA_DISABLED": "false",
        }
        started = time.monotonic()
        with pytest.raises(NoCredentialsError) as info:
            resolve_credentials(env=env)
        elapsed = time.monotonic() - started
        server.assert_played()
    assert elapsed < 2.9, elapsed  # 1 s token PUT + 1 s v1 GET, never the 3 s silence
    assert info.value.attempts[-1][0] == "iam-role"
    assert "ReadTimeout" in info.value.attempts[-1][1]
