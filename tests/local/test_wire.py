"""Request heads: parsing, and what a malformed one gets back."""

from __future__ import annotations

import io
import json
import socket
from typing import Any

import pytest

from sigv4_dataapi._server.http.head import BadHead, read_head


def test_headers_keep_order_repeats_and_folds() -> None:
    rest = io.BytesIO(
        b"Host: a\r\nX-Dup: 1\r\nx-dup: 2\r\nX-Long: one\r\n  two\r\nConnection: close\r\n\r\nBODY"
    )
    head = read_head(b"POST /Execute HTTP/1.1\r\n", rest)
    assert (head.method, head.target, head.version) == ("POST", "/Execute", "HTTP/1.1")
    assert list(head.headers) == [
        ("Host", "a"), ("X-Dup", "1"), ("x-dup", "2"), ("X-Long", "one two"),
        ("Connection", "close"),
    ]  # fmt: skip
    assert head.get("x-dup") == "1" and not head.keep_alive
    assert rest.read() == b"BODY"


@pytest.mark.parametrize(
    ("line", "rest", "status"),
    [
        (b"GARBAGE\r\n", b"\r\n", 400),
        (b"POST / HTTP/2.0\r\n", b"\r\n", 400),
        (b"POST / HTTP/1.1\r\n", b"NoColonHere\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\n", b"X: " + b"y" * 70000 + b"\r\n\r\n", 431),
    ],
)
def test_bad_heads(line: bytes, rest: bytes, status: int) -> None:
    with pytest.raises(BadHead) as caught:
        read_head(line, io.BytesIO(rest))
    assert caught.value.status == status


def _raw_exchange(endpoint: Any, request: bytes) -> tuple[bytes, bytes]:
    host, port = endpoint.endpoint.split("//")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture(scope="module")
def plain(local_endpoint_module_factory: Any) -> Any:
    return local_endpoint_module_factory("--no-tls")


def test_a_malformed_request_gets_a_json_answer(plain: Any) -> None:
    head, body = _raw_exchange(plain, b"POST /Execute HTTP/1.1\r\nBroken header\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"x-amzn-ErrorType: BadRequestException" in head
    assert b"x-amzn-RequestId: " in head
    assert json.loads(body) == {"message": "Bad header line"}


def test_chunked_bodies_are_refused(plain: Any) -> None:
    head, body = _raw_exchange(
        plain, b"POST /Execute HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 411 ")
    assert "Content-Length" in json.loads(body)["message"]
