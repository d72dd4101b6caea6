"""Lazy imports: a provider that needs HTTP, a subprocess or XML is imported only
when the chain reaches it, and an HTTP provider whose call is deferred (STS, SSO)
imports httpx only at its first ``get()``.  Each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROVIDERS = "sigv4_dataapi._credentials.providers"
HEAVY = ("httpx", "subprocess", "ssl", "xml.etree", "sigv4_dataapi._sigv4.sign",
         f"{PROVIDERS}._sts", f"{PROVIDERS}._http")  # fmt: skip

PROBE = """
import json, sys
HEAVY = {heavy!r}
def loaded():
    return [m for m in HEAVY if m in sys.modules]
import sigv4_dataapi
from sigv4_dataapi._errors import CredentialsError
from sigv4_dataapi._credentials.providers import resolve_credentials
report = {{"import": loaded()}}
try:
    source = resolve_credentials(env={env!r})
    report["provider"] = source.provider
    report["resolve"] = loaded()
    source.get()
except CredentialsError as exc:
    report["error"] = type(exc).__name__
report["get"] = loaded()
print(json.dumps(report))
"""

HELPER = 'print(\'{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"}\')\n'


def _probe(tmp_path: Path, env: dict[str, str], config: str, credentials: str) -> dict[str, object]:
    (tmp_path / ".aws").mkdir()
    (tmp_path / "helper.py").write_text(HELPER)
    helper = f"{sys.executable} {tmp_path / 'helper.py'}"
    (tmp_path / ".aws" / "config").write_text(config.replace("{helper}", helper))
    (tmp_path / ".aws" / "credentials").write_text(credentials)
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **env}
    code = PROBE.format(heavy=HEAVY, env=env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    report: dict[str, object] = json.loads(out.stdout)
    return report


STATIC = "[default]\naws_access_key_id = A\naws_secret_access_key = S\n"
ROLE = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = src\nregion = eu-west-1\n"
SSO = (
    "[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
    "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
)
CLOSED = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # nothing listens: get() fails fast


@pytest.mark.parametrize(
    "name,env,config,credentials,at_resolve,at_get",
    [
        ("env", {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"}, "", "", [], []),
        ("static", {}, "", STATIC, [], []),
        ("nothing", {}, "", "", None, []),
        ("process", {}, "[default]\ncredential_process = {helper}\n", "", ["subprocess"],
         ["subprocess"]),
        ("assume-role", CLOSED, ROLE, STATIC.replace("default", "src"), [],
         ["httpx", "ssl", "xml.etree", "sigv4_dataapi._sigv4.sign", f"{PROVIDERS}._sts",
          f"{PROVIDERS}._http"]),
        ("sso", CLOSED, SSO, "", [], ["httpx", "ssl", f"{PROVIDERS}._http"]),
    ],
)  # fmt: skip
def test_heavy_modules_wait_for_the_provider_that_needs_them(
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    config: str,
    credentials: str,
    at_resolve: list[str] | None,
    at_get: list[str],
) -> None:
    report = _probe(tmp_path, env, config, credentials)
    assert report["import"] == [], report  # import sigv4_dataapi: none of them
    if at_resolve is not None:
        assert report["resolve"] == at_resolve, report
    got = report["get"]
    assert isinstance(got, list)
    assert [m for m in HEAVY if m in got and m != "ssl"] == [m for m in at_get if m != "ssl"], (
        report
    )
    if name in ("assume-role", "sso"):
        assert report.get("error") == "CredentialProviderError", report  # it did try the call
