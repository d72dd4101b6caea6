"""Starting ``serve``: ready when it says so, TLS for every loopback name, zero configuration.

- the first stdout line comes only once the socket accepts connections: the fixture
  returns right after reading it, and a connection made at once (no retry) succeeds;
- the server certificate verifies against the named CA for 127.0.0.1 and localhost;
- without a config file any well-formed cluster/secret ARN works (a malformed one is
  the service's ``BadRequestException``) and the dev key pair is the documented example;
- the documented defaults (45 s statement timeout, 3 min idle / 24 h transactions).
"""

from __future__ import annotations

import argparse
import socket
import ssl
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError

from sigv4_dataapi._cli.commands import serve as _command


def test_accepts_connections_as_soon_as_the_first_line_is_out(local_endpoint_factory: Any) -> None:
    endpoint = local_endpoint_factory()
    parts = urlsplit(endpoint.endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as raw:
        context = ssl.create_default_context(cafile=endpoint.ca_file)
        with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_certificate_verifies_for_localhost_too(local_endpoint: Any) -> None:
    port = urlsplit(local_endpoint.endpoint).port
    with httpx.Client(verify=local_endpoint.httpx_verify) as client:
        reply = client.post(f"https://localhost:{port}/Execute", content=b"{}")
    assert reply.status_code == 403  # TLS verified; unsigned, so the front door says no
    assert reply.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize(
    ("resource_arn", "secret_arn"),
    [
        ("arn:aws:rds:eu-west-3:210987654321:cluster:whatever-name",
         "arn:aws:secretsmanager:eu-west-3:210987654321:secret:any/path-XyZ123"),
        ("arn:aws-cn:rds:cn-north-1:123456789012:cluster:c1",
         "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:s-AbCdEf"),
    ],
)  # fmt: skip
def test_zero_config_accepts_any_well_formed_arn(
    local_endpoint: Any, resource_arn: str, secret_arn: str
) -> None:
    reply = local_endpoint.rds.execute_statement(
        sql="SELECT 5", resourceArn=resource_arn, secretArn=secret_arn
    )
    assert reply["records"] == [[{"longValue": 5}]]


@pytest.mark.parametrize(
    ("member", "value", "text"),
    [
        ("resourceArn", "arn:aws:rds:us-east-1:123:cluster:x", "Invalid resource ARN"),
        ("secretArn", "arn:aws:s3:::bucket/key", "Invalid secret ARN"),
    ],
)
def test_malformed_arn_is_a_bad_request(
    local_endpoint: Any, member: str, value: str, text: str
) -> None:
    with pytest.raises(ClientError) as caught:
        local_endpoint.rds.execute_statement(sql="SELECT 1", **{**local_endpoint.arns,
                                                               member: value})  # fmt: skip
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert text in caught.value.response["Error"]["Message"]


def test_documented_defaults() -> None:
    parser = argparse.ArgumentParser()
    _command.add_arguments(parser)
    settings = _command.build_settings(parser.parse_args([]))
    assert settings.limits.statement_timeout == 45.0
    assert (settings.transactions.idle, settings.transactions.total) == (180.0, 86400.0)
    assert settings.flavor == "v2" and settings.pause.pause_after is None


def test_help_documents_the_example_key_pair() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigv4_dataapi", "serve", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    text = " ".join(done.stdout.split())
    assert "AKIAIOSFODNN7EXAMPLE" in text and "never a real key" in text
    assert "statement timeout (default 45)" in text
