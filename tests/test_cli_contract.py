"""Issue 5's contract as a whole: documented exit codes, every named flag, Ctrl-C,
and large results written without a second copy of the rows."""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import Stub, aws_env, serve_stub

from sigv4_dataapi._cli import output as _output
from sigv4_dataapi._cli.commands import _answer, _dataapi
from sigv4_dataapi._cli.main import ExitStatus, build_parser, main
from sigv4_dataapi._codec import decode as _decode

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
ARN = "arn:aws:rds:us-east-1:123456789012:cluster:demo"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf"


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


def test_the_documented_exit_statuses_are_the_ones_returned() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## Exit status", 1)[1]
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert documented == {int(status) for status in ExitStatus}


# every flag issue 5 names, per command
FLAGS = {
    "send": ["--operation", "--set", "--output"],
    "sql": ["-p", "--resource-arn", "--secret-arn", "--database", "--output"],
    "request": ["-X", "-H", "-d", "--service", "--sigv4a", "--region-set"],
}
COMMON = ["--region", "--profile", "--ca-file", "--timeout", "--no-verify-ssl"]
CURL = ["-v", "-i", "-o", "--fail", "--print-curl", "--dry-run"]
DATA_API = ["--endpoint-url", "--resume-timeout"]


@pytest.mark.parametrize("command", sorted(FLAGS))
def test_every_flag_the_issue_names_exists_and_is_documented(command: str) -> None:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command")
    options = {s for a in sub.choices[command]._actions for s in a.option_strings}  # type: ignore[attr-defined]
    wanted = FLAGS[command] + COMMON + CURL + (DATA_API if command != "request" else [])
    assert set(wanted) <= options, set(wanted) - options
    docs = DOCS.read_text(encoding="utf-8")
    assert all(f"`{flag}" in docs or f"{flag} " in docs for flag in wanted)


def test_output_modes_are_the_issue_s_five() -> None:
    assert set(_output.OUTPUT_MODES) == {"raw", "table", "json", "jsonl", "csv"}
    assert _dataapi.OUTPUT_MODES == _output.OUTPUT_MODES  # the parser's copy (cheap import)


class _CtrlCWhileWaiting(io.StringIO):
    """stderr that raises KeyboardInterrupt once the resume wait is shown."""

    def write(self, text: str) -> int:
        written = super().write(text)
        if "waiting for the database to resume" in text:
            raise KeyboardInterrupt
        return written


def test_ctrl_c_while_waiting_for_a_resume_is_exit_130_and_one_line(
    stub: Stub, tmp_path: Path
) -> None:
    for _ in range(3):
        stub.reply(400, {"message": "resuming"}, x_amzn_ErrorType="DatabaseResumingException")
    out, err = io.StringIO(), _CtrlCWhileWaiting()
    env = aws_env(tmp_path, DATA_API_RESOURCE_ARN=ARN, DATA_API_SECRET_ARN=SECRET_ARN)
    status = main(
        ["sql", "SELECT 1", "--endpoint-url", stub.url],
        env=env, stdin=io.BytesIO(), stdout=out, stderr=err,
    )  # fmt: skip
    assert status == ExitStatus.INTERRUPTED
    assert out.getvalue() == ""
    assert err.getvalue().splitlines()[-1] == "sigv4-dataapi: interrupted"
    assert "Traceback" not in err.getvalue()
    assert len(stub.requests) == 1  # stopped while waiting: nothing more was sent


def _big_answer(rows: int) -> bytes:
    record = [{"longValue": 1}, {"stringValue": "x" * 40}, {"doubleValue": 1.5}]
    return json.dumps({
        "columnMetadata": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
        "records": [record] * rows,
    }).encode()  # fmt: skip


class _Counting(io.TextIOBase):
    """A stdout that keeps nothing: only what the writers allocate counts."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def _peak(action: object) -> int:
    tracemalloc.start()
    try:
        action()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("mode", ["json", "jsonl", "csv"])
def test_a_large_result_is_not_held_twice(mode: str) -> None:
    """Decoding plus writing peaks near decoding alone: the rows are not copied."""
    body = _big_answer(20_000)
    decode_only = _peak(lambda: _decode.parse_execute_response(body))
    sink = _Counting()

    def decode_and_write() -> None:
        decoded = _answer.decode_rows(body, "ExecuteStatement", convert=mode != "csv")
        _output.write_rows(mode, decoded.keys or (), decoded.rows, sink)  # type: ignore[arg-type]

    both = _peak(decode_and_write)
    assert sink.chars > 20_000 * 40
    assert both < decode_only * 1.15, (both, decode_only)  # a dict per row: ~1.3x
