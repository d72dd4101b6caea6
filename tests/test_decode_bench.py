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

from sigv4_dataapi._codec.decode import parse_execute_response

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


@pytest.mark.parametrize("mix", ["orders", "c1"])
def test_every_column_of_each_mix_is_filled_and_described(mix: str) -> None:
    bench = load_bench()
    body = bench.make_body(60_000, mix=mix)
    records = json.loads(body)["records"]
    for i, (label, _, _, kind, nulls) in enumerate(bench.MIXES[mix]):
        kinds = {next(iter(record[i])) for record in records}
        assert kind in kinds, label
        assert ("isNull" in kinds) == (nulls > 0), label
    described = bench.describe(body, mix)
    assert [line.split()[0] for line in described] == [c[0] for c in bench.MIXES[mix]]


def test_the_converted_values_are_the_ones_users_get() -> None:
    """The bench times ``.records``: every converted type must be present in them."""
    bench = load_bench()
    result = parse_execute_response(bench.make_body(60_000))
    kinds = {type(value).__name__ for record in result.records for value in record}
    assert {"Decimal", "datetime", "date", "dict", "list", "bytes", "float", "bool"} <= kinds


def test_main_runs_every_candidate(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_bench().main(["--size", "5000", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("json.loads", "parse_execute_response", "convert=False", "botocore", "nulls"):
        assert name in out
