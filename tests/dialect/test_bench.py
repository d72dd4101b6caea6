"""``scripts/bench sqlalchemy`` reports phases, calls, ratio and verdict (no timing here)."""

from __future__ import annotations

import collections
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "benches" / "sqlalchemy.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_sqlalchemy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(total: float) -> dict[str, float]:
    return {"insert": total / 4, "select": total / 4, "update": total / 4, "get": total / 4,
            "total": total}  # fmt: skip


def test_report_names_calls_ratio_and_verdict(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = {"ours": collections.Counter({"Execute": 300, "BeginTransaction": 4}),
             "peer": collections.Counter({"Execute": 330})}  # fmt: skip
    bench.report({"ours": [_run(0.5)] * 3, "peer": [_run(1.0)] * 3}, calls,
                 {"ours": [0.2] * 3, "peer": [0.3] * 3})  # fmt: skip
    out = capsys.readouterr().out
    assert "304 (BeginTransaction 4, Execute 300)" in out and "330 (Execute 330)" in out
    assert "0.50x (meets the <= 0.6x target)" in out


def test_calls_are_counted_from_the_endpoint_log(bench: ModuleType, tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    log.write_text(
        '127.0.0.1 - - [06/Dec/2026 05:26:47] POST /Execute 200 1.5ms id1\n'
        '127.0.0.1 - - [06/Dec/2026 05:26:47] POST /BeginTransaction 200 0.5ms id2\n'
        '127.0.0.1 - - [06/Dec/2026 05:26:48] POST /Execute 400 2.0ms id3\n'
    )  # fmt: skip
    counts, seconds, offset = bench.calls_since(log, 0)
    assert counts == {"Execute": 2, "BeginTransaction": 1}
    assert seconds == pytest.approx(0.004) and offset == len(log.read_text())
