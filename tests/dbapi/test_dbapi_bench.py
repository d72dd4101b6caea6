"""``scripts/bench dbapi`` without its peer: one line saying how to install it, no crash."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "benches" / "dbapi.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dbapi", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_dbapi"] = module
    spec.loader.exec_module(module)
    return module


def test_missing_peer_is_one_line_naming_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = bench()
    monkeypatch.setattr(module, "PEER_PY", tmp_path / "absent" / "python")
    ran: list[str] = []
    for name in ("bench_small", "bench_stream", "bench_executemany"):
        monkeypatch.setattr(module, name, lambda *_a, _n=name: ran.append(_n))
    assert module.peer({}, "small", 1) is None
    assert module.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["peer aurora-data-api not installed: run `scripts/bench dbapi --install-peer`"]
    assert ran == ["bench_small", "bench_stream", "bench_executemany"]
