"""``send`` when things go wrong: bad input, no credentials, no endpoint, a dropped or
silent connection. Each is one line on stderr and a documented exit status."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import ARTICLE, Stub, aws_env, request_file, run_cli, serve_stub

from sigv4_dataapi._cli.main import ExitStatus


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("make_file", "argv", "status", "message"),
    [
        (None, [], ExitStatus.USAGE, "request file not found"),
        (b'{"sql": "x",\n "a": }', [], ExitStatus.USAGE, "invalid JSON at line 2 column 7"),
        (b'{"transactionId": "t"}', [], ExitStatus.USAGE, "--operation"),
        (b"{}", ["--operation", "nope"], ExitStatus.USAGE, "invalid choice"),
        (ARTICLE, ["--set", "oops"], ExitStatus.USAGE, "KEY=VALUE"),
        (ARTICLE, ["--endpoint-url", "ftp://x"], ExitStatus.USAGE, "endpoint URL"),
        (ARTICLE, ["--ca-file", "/no/such/ca.pem"], ExitStatus.USAGE, "CA file not found"),
        (ARTICLE, ["--timeout", "-1"], ExitStatus.USAGE, "positive"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_sends_nothing(
    stub: Stub,
    tmp_path: Path,
    make_file: bytes | None,
    argv: list[str],
    status: int,
    message: str,
) -> None:
    path = request_file(tmp_path, make_file) if make_file is not None else str(tmp_path / "missing")
    result = run_cli(["send", path, "--endpoint-url", stub.url, *argv], aws_env(tmp_path))
    assert result.status == status, result.err
    assert message in result.err
    assert result.err.count("\n") == 1, result.err
    assert stub.requests == []
    assert result.out == ""


def test_no_credentials_is_exit_3(tmp_path: Path) -> None:
    env = {k: v for k, v in aws_env(tmp_path).items() if not k.startswith("AWS_SE")}
    del env["AWS_ACCESS_KEY_ID"]
    result = run_cli(["send", request_file(tmp_path), "--endpoint-url", "http://127.0.0.1:9"], env)
    assert result.status == ExitStatus.CREDENTIALS
    assert result.err.count("\n") == 1


def test_unreachable_endpoint_is_exit_5(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = run_cli(["send", request_file(tmp_path), "--endpoint-url", url], aws_env(tmp_path))
    assert result.status == ExitStatus.TRANSPORT
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


@pytest.fixture
def silent_server() -> Iterator[tuple[str, threading.Event]]:
    """Accepts and reads a request, then hangs up (or, once told, stays silent)."""
    listener = socket.create_server(("127.0.0.1", 0))
    hang = threading.Event()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                if hang.is_set():
                    stop.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", hang
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_dropped_connection_after_sending_is_not_replayed(
    silent_server: tuple[str, threading.Event], tmp_path: Path
) -> None:
    url, _ = silent_server
    result = run_cli(["send", request_file(tmp_path), "--endpoint-url", url], aws_env(tmp_path))
    assert result.status in (ExitStatus.TRANSPORT, ExitStatus.AMBIGUOUS)
    assert "may have run" in result.err
    assert result.err.count("\n") == 1


def test_no_answer_in_time_is_a_read_timeout(
    silent_server: tuple[str, threading.Event], tmp_path: Path
) -> None:
    url, hang = silent_server
    hang.set()
    result = run_cli(
        ["send", request_file(tmp_path), "--timeout", "0.3", "--endpoint-url", url],
        aws_env(tmp_path),
    )
    assert result.status in (ExitStatus.TRANSPORT, ExitStatus.AMBIGUOUS)
    assert "in time" in result.err
    assert result.err.count("\n") == 1
