"""``scripts/bench cli`` reports what issue 5 asks for, from any samples (no timing here).

The benchmark itself runs only by hand (``scripts/bench cli``); this checks that
its report names wall time, CPU and peak memory for both commands, the ratios,
and the verdict against the 0.35x target, computed from the samples given.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "benches" / "cli.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_cli", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _results(bench: ModuleType, ours: float, theirs: float) -> dict[str, list[object]]:
    return {
        "sigv4-dataapi sql": [bench.Sample(ours, ours / 2, 20480)] * 3,
        "aws rds-data execute-statement": [bench.Sample(theirs, theirs / 2, 40960)] * 3,
    }


def test_the_report_has_every_figure_and_the_verdict(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    bench._report(_results(bench, 0.2, 1.0), 3)
    out = capsys.readouterr().out
    assert "median s" in out and "CPU s" in out and "RSS MiB" in out
    assert "ratio median wall (ours / AWS CLI): 0.20x (meets the 0.35x target)" in out
    assert "ratio of back-to-back pairs, median: 0.20x" in out
    assert "ratio median CPU time: 0.20x" in out
    assert "ratio median peak memory: 0.50x" in out


def test_a_miss_is_reported_as_a_miss(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    bench._report(_results(bench, 0.5, 1.0), 3)
    assert "0.50x (misses the 0.35x target)" in capsys.readouterr().out
