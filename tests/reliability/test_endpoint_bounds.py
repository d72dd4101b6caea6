"""The endpoint under hostile input: bad bodies are 400s, connections and threads are bounded."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rel_fuzz
import rel_serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rel_serve.Served]:
    served = rel_serve.start(tmp_path_factory.mktemp("bounds"), "--no-tls")
    yield served
    served.stop()


def _answer(served: rel_serve.Served, body: bytes) -> tuple[int, dict[str, str], bytes]:
    with rel_serve.connect(served) as sock:
        sock.sendall(rel_serve.signed_request(served, "/Execute", body))
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, payload


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # the 100,000 nested arrays
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"resourceArn":"arn:aws:rds:us-east-1:123456789012:cluster:local","secretArn":'
        b'"arn:aws:secretsmanager:us-east-1:123456789012:secret:local-AbCdEf",'
        b'"sql":"SELECT \'\\ud800\'"}',  # the lone surrogate, in the SQL
        b'{"resourceArn":"arn:aws:rds:us-east-1:123456789012:cluster:local","secretArn":'
        b'"arn:aws:secretsmanager:us-east-1:123456789012:secret:local-AbCdEf","sql":"SELECT :a",'
        b'"parameters":[{"name":"a","value":{"stringValue":"x\\udfff"}}]}',
    ],
    ids=["nested-arrays", "nested-objects", "surrogate-sql", "surrogate-parameter"],
)
def test_bad_input_is_a_400_validation_answer(served: rel_serve.Served, body: bytes) -> None:
    status, headers, payload = _answer(served, body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "ValidationException")
    assert json.loads(payload)["message"]
    ok, _, _ = _answer(served, json.dumps(rel_serve.target_body(served, sql="SELECT 1")).encode())
    assert ok == 200  # still up
    assert "Traceback" not in served.stderr_text()


def test_connections_over_the_bound_are_closed_and_the_rest_served(tmp_path: Path) -> None:
    served = rel_serve.start(tmp_path, "--no-tls", "--max-connections", "8")
    try:
        idle = rel_serve.proc_stats(served.pid)["threads"]
        stalled = [rel_serve.connect(served) for _ in range(8)]
        for sock in stalled:
            sock.sendall(b"POST /Execute HTTP/1.1\r\n")
        count = lambda: rel_serve.proc_stats(served.pid)["threads"]  # noqa: E731
        assert rel_serve.wait_until(lambda: count() >= idle + 8, 10), (idle, count())
        threads = count()
        refused = [rel_serve.connect(served) for _ in range(5)]
        for sock in refused:  # closed at once, no thread started
            sock.settimeout(5)
            with contextlib.suppress(ConnectionResetError):
                assert sock.recv(1) == b""
            sock.close()
        assert rel_serve.proc_stats(served.pid)["threads"] <= threads
        for sock in stalled:
            sock.close()
        time.sleep(0.3)
        body = json.dumps(rel_serve.target_body(served, sql="SELECT 1")).encode()
        assert (
            rel_fuzz.exchange(served, rel_serve.signed_request(served, "/Execute", body)) == "200"
        )
    finally:
        served.stop()
