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


def test_a_dripped_request_is_cut_off_an_idle_connection_is_not(tmp_path: Path) -> None:
    served = rel_serve.start(tmp_path, "--no-tls", "--request-timeout", "1")
    try:
        idle = rel_serve.connect(served)
        drip = rel_serve.connect(served)
        started = time.monotonic()
        closed_after = None
        for byte in b"POST /Execute HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            try:
                drip.sendall(bytes([byte]))
                drip.settimeout(0.25)
                if drip.recv(1) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                continue  # still open: drip on
            except OSError:
                closed_after = time.monotonic() - started
                break
        assert closed_after is not None and 0.9 < closed_after < 3.0, closed_after
        idle.settimeout(0.2)  # no request begun: the idle timeout (600 s) applies, not 1 s
        with pytest.raises(TimeoutError):
            idle.recv(1)
        body = json.dumps(rel_serve.target_body(served, sql="SELECT 1")).encode()
        idle.sendall(rel_serve.signed_request(served, "/Execute", body))
        idle.settimeout(5)
        assert idle.recv(12).startswith(b"HTTP/1.1 200")
        idle.close()
        drip.close()
    finally:
        served.stop()
