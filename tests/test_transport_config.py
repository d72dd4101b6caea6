"""Where a call goes and as whom: region, endpoint, TLS trust, timeouts, credentials."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from sigv4_dataapi import Client
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import ConfigurationError, NoCredentialsError
from sigv4_dataapi._transport.driver import DEFAULT_TIMEOUT, Transport, as_timeout
from sigv4_dataapi._transport.endpoint import (
    Endpoint,
    proxy_for,
    region_from_arn,
    resolve_endpoint,
    resolve_region,
    ssl_context,
)

ARN = "arn:aws:rds:eu-west-3:123456789012:cluster:mydb"
SECRET = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:s-AbCdEf"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """An environment whose shared config files are ours (a profile with a region)."""
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n[profile other]\nregion = sa-east-1\n")
    return {"AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}  # fmt: skip


@pytest.mark.parametrize(
    ("explicit", "env", "profile", "expected"),
    [
        ("us-west-2", {"AWS_REGION": "eu-west-1"}, None, "us-west-2"),
        (None, {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}, None, "eu-west-1"),
        (None, {"AWS_DEFAULT_REGION": "eu-west-2"}, None, "eu-west-2"),
        (None, {}, None, "ap-south-1"),
        (None, {}, "other", "sa-east-1"),
    ],
)
def test_region_order(
    files: dict[str, str], explicit: str | None, env: dict[str, str], profile: str | None,
    expected: str,
) -> None:  # fmt: skip
    assert resolve_region(explicit, resource_arn=ARN, env={**files, **env},
                          profile=profile) == expected  # fmt: skip


def test_region_from_the_arn_last(tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": str(tmp_path / "x"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "y")}  # fmt: skip
    assert resolve_region(None, resource_arn=ARN, env=env) == "eu-west-3"
    with pytest.raises(ConfigurationError, match="no region"):
        resolve_region(None, resource_arn="not-an-arn", env=env)


@pytest.mark.parametrize("arn", ["", "arn:aws:rds::1:cluster:x", "arn:aws:rds", "x:y:z:w:v:u"])
def test_arns_without_a_region(arn: str) -> None:
    assert region_from_arn(arn) is None


@pytest.mark.parametrize(
    ("explicit", "env", "options", "url"),
    [
        ("https://vpce-1.rds-data.us-east-1.vpce.amazonaws.com/", {}, {},
         "https://vpce-1.rds-data.us-east-1.vpce.amazonaws.com"),
        (None, {"AWS_ENDPOINT_URL_RDS_DATA": "http://localhost:1",
                "AWS_ENDPOINT_URL": "http://localhost:2"}, {}, "http://localhost:1"),
        (None, {"AWS_ENDPOINT_URL": "http://localhost:2"}, {}, "http://localhost:2"),
        (None, {}, {}, "https://rds-data.us-east-1.amazonaws.com"),
        (None, {}, {"fips": True}, "https://rds-data-fips.us-east-1.amazonaws.com"),
        (None, {}, {"dualstack": True}, "https://rds-data.us-east-1.api.aws"),
        (None, {}, {"fips": True, "dualstack": True}, "https://rds-data-fips.us-east-1.api.aws"),
        (None, {"AWS_USE_FIPS_ENDPOINT": "true"}, {},
         "https://rds-data-fips.us-east-1.amazonaws.com"),
        (None, {"AWS_USE_DUALSTACK_ENDPOINT": "true"}, {}, "https://rds-data.us-east-1.api.aws"),
        ("http://localhost:3", {"AWS_USE_FIPS_ENDPOINT": "true"}, {}, "http://localhost:3"),
    ],
)  # fmt: skip
def test_endpoint_order(
    files: dict[str, str], explicit: str | None, env: dict[str, str], options: dict[str, Any],
    url: str,
) -> None:  # fmt: skip
    endpoint = resolve_endpoint(explicit, region="us-east-1", env={**files, **env}, **options)
    assert endpoint == Endpoint(url, "us-east-1")


@pytest.mark.parametrize("url", ["ftp://x", "localhost:8080", "https://", "https://h/?q=1"])
def test_bad_endpoint_urls(files: dict[str, str], url: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint URL"):
        resolve_endpoint(url, region="us-east-1", env=files)


def test_fips_with_a_custom_endpoint_is_an_error(files: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="fips"):
        resolve_endpoint("https://x", region="us-east-1", env=files, fips=True)


def test_timeouts() -> None:
    assert as_timeout(None) is DEFAULT_TIMEOUT
    assert DEFAULT_TIMEOUT.read is not None and DEFAULT_TIMEOUT.read >= 60  # F4
    short = as_timeout(3)
    assert (short.connect, short.read, short.write) == (3.0, 3.0, 3.0)
    assert as_timeout(120).connect == 10.0
    with pytest.raises(ConfigurationError, match="positive"):
        as_timeout(0)


def test_tls_contexts(tmp_path: Path) -> None:
    from test_transport_server import self_signed

    _, ca = self_signed(tmp_path)
    given = ssl.create_default_context()
    assert ssl_context(given) is given
    assert ssl_context(False) is False
    for value in (True, str(ca), ca, str(tmp_path)):
        context = ssl_context(value)
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert len(ssl_context(str(ca)).get_ca_certs()) == 1  # type: ignore[union-attr]
    with pytest.raises(ConfigurationError, match="cannot load CA bundle"):
        ssl_context(str(tmp_path / "missing.pem"))


def _mock(seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"transactionId": "tx-1"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_credentials_come_from_the_chain_at_the_first_call(files: dict[str, str]) -> None:
    seen: list[httpx.Request] = []
    env = {**files, "AWS_ACCESS_KEY_ID": "AKIDFROMENV", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_SESSION_TOKEN": "tok"}  # fmt: skip
    client = Client(ARN, SECRET, env=env, http_client=_mock(seen))
    assert client.begin_transaction() == "tx-1"
    assert "Credential=AKIDFROMENV/" in seen[0].headers["authorization"]
    assert seen[0].headers["x-amz-security-token"] == "tok"
    assert str(seen[0].url) == "https://rds-data.ap-south-1.amazonaws.com/BeginTransaction"


def test_missing_credentials_fail_at_the_first_call_and_list_what_was_tried(
    files: dict[str, str],
) -> None:
    seen: list[httpx.Request] = []
    client = Client(ARN, SECRET, env={**files, "AWS_EC2_METADATA_DISABLED": "true"},
                    http_client=_mock(seen))  # fmt: skip
    with pytest.raises(NoCredentialsError, match="env") as caught:
        client.begin_transaction()
    assert seen == []
    tried = [name for name, _ in caught.value.attempts]
    assert tried[:2] == ["env", "profile"]  # and every other provider of the chain after them
    assert "AWS_ACCESS_KEY_ID is not set" in str(caught.value)


def test_credentials_from_the_shared_files_by_profile(tmp_path: Path) -> None:
    """``AWS_PROFILE`` picks a profile of ``AWS_SHARED_CREDENTIALS_FILE``/``AWS_CONFIG_FILE``."""
    shared = tmp_path / "credentials"
    shared.write_text("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n"
                      "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s\n"
                      "aws_session_token = worktoken\n")  # fmt: skip
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = eu-north-1\n"
                      "[profile cfg]\naws_access_key_id = AKIDCONFIG\n"
                      "aws_secret_access_key = s\n")  # fmt: skip
    files = {"AWS_SHARED_CREDENTIALS_FILE": str(shared), "AWS_CONFIG_FILE": str(config)}
    for profile, key, token in [(None, "AKIDDEFAULT", None), ("work", "AKIDWORK", "worktoken"),
                                ("cfg", "AKIDCONFIG", None)]:  # fmt: skip
        seen: list[httpx.Request] = []
        env = {**files, **({"AWS_PROFILE": profile} if profile else {})}
        Client(ARN, SECRET, env=env, http_client=_mock(seen)).begin_transaction()
        assert f"Credential={key}/" in seen[0].headers["authorization"]
        assert seen[0].headers.get("x-amz-security-token") == token
        if profile == "work":  # the profile's region too
            assert str(seen[0].url).startswith("https://rds-data.eu-north-1.amazonaws.com/")
    explicit = Credentials("AKIDEXPLICIT", "s")
    seen = []
    Client(ARN, SECRET, env={**files, "AWS_ACCESS_KEY_ID": "AKIDENV",
                             "AWS_SECRET_ACCESS_KEY": "s"},
           credentials=explicit, http_client=_mock(seen)).begin_transaction()  # fmt: skip
    assert "Credential=AKIDEXPLICIT/" in seen[0].headers["authorization"]


def test_building_a_client_opens_nothing(files: dict[str, str]) -> None:
    """No TLS context, no connection pool, no credential lookup before the first call."""
    transport: Any = Client(ARN, SECRET, env=files).transport
    assert transport._http is None and transport._pool is None
    assert isinstance(transport, Transport)


@pytest.mark.parametrize(
    ("url", "env", "proxy"),
    [
        ("https://rds-data.us-east-1.amazonaws.com", {"HTTPS_PROXY": "http://p:3128"},
         "http://p:3128"),
        ("https://rds-data.us-east-1.amazonaws.com", {"https_proxy": "http://p:1"}, "http://p:1"),
        ("http://127.0.0.1:8080", {"HTTPS_PROXY": "http://p:3128"}, None),
        ("http://127.0.0.1:8080", {"HTTP_PROXY": "http://p:3128"}, "http://p:3128"),
        ("https://h.example", {"ALL_PROXY": "http://p:9"}, "http://p:9"),
        ("https://rds-data.us-east-1.amazonaws.com",
         {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "localhost,.amazonaws.com"}, None),
        ("https://h.example", {"HTTPS_PROXY": "http://p:3128", "no_proxy": "*"}, None),
        ("https://h.example", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "other.example"},
         "http://p:3128"),
    ],
)  # fmt: skip
def test_proxy_from_the_environment(url: str, env: dict[str, str], proxy: str | None) -> None:
    assert proxy_for(url, env) == proxy


def test_requests_go_through_the_configured_proxy(files: dict[str, str]) -> None:
    from test_transport_server import ScriptedServer, ok

    proxy = ScriptedServer([ok({"transactionId": "via-proxy"})])
    try:
        env = {**files, "HTTP_PROXY": proxy.url}
        client = Client(ARN, SECRET, env=env, endpoint_url="http://rds-data.invalid:8080",
                        credentials=Credentials("AKID", "secret"))  # fmt: skip
        with client:
            assert client.begin_transaction() == "via-proxy"
        assert proxy.requests[0].path == "http://rds-data.invalid:8080/BeginTransaction"
        assert proxy.requests[0].headers["host"] == "rds-data.invalid:8080"
    finally:
        proxy.close()


def test_secrets_never_show_in_repr(files: dict[str, str]) -> None:
    client = Client(ARN, SECRET, env=files, credentials=Credentials("AKID", "SECRETKEY", "TOKEN"))
    text = repr(client) + repr(client.transport.settings)
    assert "SECRETKEY" not in text and "TOKEN" not in text


@pytest.mark.parametrize("where", ["verify", "AWS_CA_BUNDLE"])
def test_a_missing_ca_bundle_fails_when_the_client_is_built(
    files: dict[str, str], tmp_path: Path, where: str
) -> None:
    missing = str(tmp_path / "missing.pem")
    options: dict[str, Any] = (
        {"verify": missing} if where == "verify" else {"env": {**files, "AWS_CA_BUNDLE": missing}}
    )
    options.setdefault("env", files)
    with pytest.raises(ConfigurationError, match=f"{where}.*missing.pem.*does not exist"):
        Client(ARN, SECRET, **options)


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("Execute", {}, "unknown operation 'Execute'"),
        ("ExecuteStatement", {"sql": b"bytes"}, "cannot be sent as JSON"),
        ("ExecuteStatement", {"x": float("nan")}, "cannot be sent as JSON"),
    ],
)
def test_call_rejects_bad_requests_before_sending(
    files: dict[str, str], operation: str, params: dict[str, Any], message: str
) -> None:
    seen: list[httpx.Request] = []
    client = Client(ARN, SECRET, env=files, credentials=Credentials("AKID", "secret"),
                    http_client=_mock(seen))  # fmt: skip
    with pytest.raises(ConfigurationError, match=message):
        client.call(operation, params)
    assert seen == []


def test_call_fills_in_the_arns_by_operation(files: dict[str, str]) -> None:
    seen: list[httpx.Request] = []
    client = Client(ARN, SECRET, env=files, credentials=Credentials("AKID", "secret"),
                    http_client=_mock(seen))  # fmt: skip
    client.call("ExecuteSql", {"sqlStatements": "select 1"})
    client.call("ExecuteStatement", {"sql": "select 1", "resourceArn": "arn:other"})
    import json

    assert json.loads(seen[0].content) == {"dbClusterOrInstanceArn": ARN,
                                           "awsSecretStoreArn": SECRET,
                                           "sqlStatements": "select 1"}  # fmt: skip
    assert json.loads(seen[1].content)["resourceArn"] == "arn:other"
    assert str(seen[0].url).endswith("/ExecuteSql") and str(seen[1].url).endswith("/Execute")
