"""A request signed by another SigV4 implementation: ``curl --aws-sigv4``."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def _curl(
    endpoint: Any, body: dict[str, Any], *, secret: str | None = None, extra: tuple[str, ...] = ()
) -> tuple[int, Any]:
    command = [
        "curl", "--silent", "--show-error", "--cacert", endpoint.ca_file,
        "--aws-sigv4", f"aws:amz:{endpoint.region}:rds-data",
        "--user", f"{endpoint.access_key_id}:{secret or endpoint.secret_access_key}",
        "-H", "Content-Type: application/json",
        "--data-binary", "@-", *extra,
        "--write-out", "\n%{http_code}",
        f"{endpoint.endpoint}/Execute",
    ]  # fmt: skip
    done = subprocess.run(
        command, input=json.dumps(body), capture_output=True, text=True, timeout=30, check=True
    )
    if "-v" in extra:
        assert "HTTP/1.1 100 Continue" in done.stderr
    text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(text)


def test_curl_aws_sigv4_gets_an_answer(local_endpoint: Any) -> None:
    status, reply = _curl(
        local_endpoint,
        {
            "sql": "SELECT :greeting AS greeting, 41 + 1 AS answer",
            "parameters": [{"name": "greeting", "value": {"stringValue": "hello"}}],
            "includeResultMetadata": True,
            **local_endpoint.arns,
        },
    )
    assert status == 200
    assert reply["records"] == [[{"stringValue": "hello"}, {"longValue": 42}]]
    assert [c["label"] for c in reply["columnMetadata"]] == ["greeting", "answer"]


def test_curl_with_a_wrong_secret_is_refused(local_endpoint: Any) -> None:
    status, reply = _curl(local_endpoint, {"sql": "SELECT 1", **local_endpoint.arns}, secret="x")
    assert status == 403
    assert reply["message"].startswith("The request signature we calculated does not match")


def test_curl_large_body_with_expect_100_continue(local_endpoint: Any) -> None:
    """curl sends ``Expect: 100-continue`` before a large body; the server must answer it."""
    text = "x" * (2 * 1024 * 1024)
    status, reply = _curl(
        local_endpoint,
        {
            "sql": "SELECT length(:p) AS n",
            "parameters": [{"name": "p", "value": {"stringValue": text}}],
            **local_endpoint.arns,
        },
        extra=("-v",),
    )
    assert status == 200
    assert reply["records"] == [[{"longValue": len(text)}]]
