"""End to end: the client, given no explicit credentials, runs a statement against the
local endpoint with credentials from each provider in turn.

The endpoint's config file adds one key pair (with a session token where the
provider issues one) per provider and turns the dev key off, so a statement
succeeds only if the chain delivered exactly that provider's credentials.
Loopback stand-ins play STS, the SSO portal, the container endpoint and IMDS.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cred_fakes import StaticServer, sts_answer

from sigv4_dataapi._client.client import Client
from sigv4_dataapi._credentials.providers import resolve_credentials

PROVIDERS = (
    "env",
    "shared-credentials-file",
    "config-file",
    "custom-process",
    "assume-role",
    "assume-role-with-web-identity",
    "sso",
    "container-role",
    "iam-role",
)
EXPIRY = "2099-01-01T00:00:00Z"


def _key(provider: str, *, token: bool = True) -> dict[str, str]:
    tag = "".join(c for c in provider.upper() if c.isalpha())[:12]
    key = {"access_key_id": f"ASIA{tag:X<16}", "secret_access_key": f"secret-of-{provider}"}
    if token:
        key["session_token"] = f"token-of-{provider}"
    return key


KEYS = {p: _key(p, token=p not in ("shared-credentials-file", "config-file")) for p in PROVIDERS}


def _sts_xml(action: str, key: dict[str, str]) -> str:
    return sts_answer(
        action,
        key["access_key_id"],
        secret=key["secret_access_key"],
        token=key["session_token"],
        expiration=EXPIRY,
    )


def _aws_json(key: dict[str, str]) -> dict[str, str]:
    return {
        "AccessKeyId": key["access_key_id"],
        "SecretAccessKey": key["secret_access_key"],
        "Token": key["session_token"],
        "Expiration": EXPIRY,
        "Code": "Success",
    }


@pytest.fixture(scope="module")
def fakes() -> Iterator[StaticServer]:
    sso = KEYS["sso"]
    routes: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/"): {"body": ""},  # replaced per test: AssumeRole or web identity
        ("GET", "/federation/credentials"): {
            "body": {
                "roleCredentials": {
                    "accessKeyId": sso["access_key_id"],
                    "secretAccessKey": sso["secret_access_key"],
                    "sessionToken": sso["session_token"],
                    "expiration": 4070908800000,
                }
            }
        },
        ("GET", "/container/credentials"): {"body": _aws_json(KEYS["container-role"])},
        ("PUT", "/latest/api/token"): {"body": "IMDSTOKEN"},
        ("GET", "/latest/meta-data/iam/security-credentials/"): {"body": "role"},
        ("GET", "/latest/meta-data/iam/security-credentials/role"): {
            "body": _aws_json(KEYS["iam-role"])
        },
    }
    with StaticServer(routes) as server:
        yield server


@pytest.fixture(scope="module")
def endpoint(local_endpoint_module_factory: Callable[..., Any]) -> Any:
    return local_endpoint_module_factory(config={"dev_key": False, "keys": list(KEYS.values())})


def _files(home: Path, provider: str, server: str) -> dict[str, str]:
    """Write the shared files for ``provider``; return the extra environment it needs."""
    aws = home / ".aws"
    aws.mkdir(parents=True)
    key = KEYS[provider]
    source = KEYS["shared-credentials-file"]  # the static source profile for assume-role
    config, credentials, env = "", "", {}
    if provider == "env":
        env = {
            "AWS_ACCESS_KEY_ID": key["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": key["secret_access_key"],
            "AWS_SESSION_TOKEN": key["session_token"],
            "AWS_CREDENTIAL_EXPIRATION": EXPIRY,
        }
    elif provider in ("shared-credentials-file", "config-file"):
        text = (
            f"[default]\naws_access_key_id = {key['access_key_id']}\n"
            f"aws_secret_access_key = {key['secret_access_key']}\n"
        )
        config, credentials = (text, "") if provider == "config-file" else ("", text)
    elif provider == "custom-process":
        script = home / "helper.py"
        output = {
            "Version": 1,
            "AccessKeyId": key["access_key_id"],
            "Expiration": EXPIRY,
            "SecretAccessKey": key["secret_access_key"],
            "SessionToken": key["session_token"],
        }
        script.write_text(f"print({json.dumps(json.dumps(output))})\n")
        config = f"[default]\ncredential_process = {sys.executable} {script}\n"
    elif provider == "assume-role":
        config = "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = src\n"
        credentials = (
            f"[src]\naws_access_key_id = {source['access_key_id']}\n"
            f"aws_secret_access_key = {source['secret_access_key']}\n"
        )
        env = {"AWS_ENDPOINT_URL_STS": server}
    elif provider == "assume-role-with-web-identity":
        (home / "token").write_text("eyJ.FAKE.sig")
        env = {
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(home / "token"),
            "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
            "AWS_ENDPOINT_URL_STS": server,
        }
    elif provider == "sso":
        config = (
            "[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
            "[sso-session s]\nsso_start_url = https://x.awsapps.com/start\n"
            "sso_region = us-east-1\n"
        )
        cache = aws / "sso" / "cache" / f"{hashlib.sha1(b's').hexdigest()}.json"
        cache.parent.mkdir(parents=True)
        cache.write_text(json.dumps({"accessToken": "SSOTOKEN", "expiresAt": EXPIRY}))
        env = {"AWS_ENDPOINT_URL_SSO": server}
    elif provider == "container-role":
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{server}/container/credentials"}
    elif provider == "iam-role":
        env = {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server}
    (aws / "config").write_text(config)
    (aws / "credentials").write_text(credentials)
    return env


def _client(endpoint: Any, env: dict[str, str]) -> Client:
    """A client of the local endpoint given no credentials: the chain must find them."""
    return Client(
        endpoint.resource_arn,
        endpoint.secret_arn,
        region=endpoint.region,
        endpoint_url=endpoint.endpoint,
        verify=endpoint.ca_file or False,
        env=env,
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_client_runs_a_statement_with_each_provider(
    provider: str, endpoint: Any, fakes: StaticServer, tmp_path: Path
) -> None:
    if provider.startswith("assume-role"):
        action = "AssumeRoleWithWebIdentity" if "web" in provider else "AssumeRole"
        fakes.routes[("POST", "/")] = {"body": _sts_xml(action, KEYS[provider])}
    env = {
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        **_files(tmp_path, provider, fakes.url),
    }
    assert resolve_credentials(env=env, region=endpoint.region).provider == provider
    with _client(endpoint, env) as client:
        result = client.execute("SELECT 41 + 1 AS answer")
    assert result.records == [[42]]
    assert not fakes.problems, fakes.problems


def test_wrong_credentials_are_refused(endpoint: Any, tmp_path: Path) -> None:
    """The control: a key the endpoint does not know fails, so the passes above mean it."""
    from sigv4_dataapi._errors import ServiceError

    env = {
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    }
    with _client(endpoint, env) as client, pytest.raises(ServiceError):
        client.execute("SELECT 1")
