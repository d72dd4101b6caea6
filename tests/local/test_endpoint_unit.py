"""The HTTP-free request pipeline: ordering, and replies for unexpected failures."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._server import server_settings as _settings
from sigv4_dataapi._server.api import ops as _ops
from sigv4_dataapi._server.auth import access as _access
from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.http import server as _server
from sigv4_dataapi._sigv4.sign import sign_request

REGION = "us-east-1"


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[_server.Dispatcher]:
    api = _ops.DataApi(
        _settings.ServeSettings(), _access.AccessConfig(), f"sqlite://{tmp_path / 'db'}",
        opener=open_backend,
    )  # fmt: skip
    yield _server.Dispatcher(api, log=io.StringIO())
    api.close()


def _signed(body: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes]:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1:1"}
    credentials = Credentials(_settings.DEV_ACCESS_KEY_ID, _settings.DEV_SECRET_ACCESS_KEY)
    signed = sign_request(
        "POST", "https://127.0.0.1:1/Execute", headers=headers, body=data,
        credentials=credentials, region=REGION, service="rds-data",
        now=datetime.now(timezone.utc),
    )  # fmt: skip
    return [*headers.items(), *signed.headers.items()], data


def _body(sql: str) -> dict[str, Any]:
    return {
        "resourceArn": _settings.example_resource_arn(REGION),
        "secretArn": _settings.example_secret_arn(REGION),
        "sql": sql,
    }


def test_success(endpoint: _server.Dispatcher) -> None:
    headers, data = _signed(_body("SELECT 1"))
    reply = endpoint.handle("POST", "/Execute", headers, data)
    assert reply.status == 200 and reply.error_type is None
    assert json.loads(reply.body) == {"numberOfRecordsUpdated": 0, "records": [[{"longValue": 1}]]}


def test_unexpected_failure_is_a_json_500(
    endpoint: _server.Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(operation: str, data: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(endpoint.api, "call", broken)
    headers, data = _signed(_body("SELECT 1"))
    reply = endpoint.handle("POST", "/Execute", headers, data)
    assert reply.status == 500
    assert reply.error_type is not None
    assert reply.error_type.startswith("InternalServerErrorException:")
    assert json.loads(reply.body) == {"message": ""}  # a body even for 5xx (reference §3.2)


def test_authentication_comes_before_the_body_is_read(endpoint: _server.Dispatcher) -> None:
    reply = endpoint.handle("POST", "/Execute", [("Host", "x")], b"{not json")
    assert (reply.status, reply.error_type) == (403, "MissingAuthenticationTokenException")
