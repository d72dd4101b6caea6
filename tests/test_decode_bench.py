"""``scripts/bench decode`` stays runnable: its body is valid and every candidate runs.

No timing is asserted (benchmarks report figures, tests check behaviour); a tiny
body and one round keep this fast.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from sigv4_dataapi._decode import parse_execute_response

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "benches" / "decode.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_decode", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_body_has_every_field_kind_and_decodes() -> None:
    bench = load_bench()
    body = bench.make_body(50_000)
    assert 50_000 <= len(body) < 52_000
    kinds = {key for record in json.loads(body)["records"] for field in record for key in field}
    assert kinds == {"isNull", "booleanValue", "longValue", "doubleValue", "stringValue",
                     "blobValue", "arrayValue"}  # fmt: skip
    result = parse_execute_response(body)
    assert len(result.rows) == len(json.loads(body)["records"])
    assert bench.make_body(50_000) == body  # deterministic


def test_main_runs_every_candidate(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_bench().main(["--size", "5000", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("json.loads", "parse_execute_response", "convert=False", "botocore"):
        assert name in out
