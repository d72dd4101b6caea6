"""``scripts/bench decode``: a ~1 MiB ExecuteStatement response, decoded three ways.

Candidates, timed interleaved in one process so machine noise hits them alike:

- ``json.loads``: the floor (parses the JSON, converts nothing);
- ``parse_execute_response(body)``: ours, Fields unwrapped, blobs decoded, and
  column types applied (Decimal, datetime/date, timestamptz aware, JSON parsed);
- ``parse_execute_response(body, convert=False)``: ours, without column types;
- botocore's ``RestJSONParser`` with the rds-data model, as boto3 parses the
  body (it unwraps nothing: each Field stays a dict, blobs become bytes).

The body mixes every Field kind (long, string, double, boolean, null, blob,
array with nulls) with PostgreSQL-style column metadata. One more line
decodes the same body with its ``jsonb`` column typed ``text``, to show what
parsing the JSON documents themselves costs.

Each round times every candidate once, in process CPU time (``--clock wall``
for wall time): on a shared machine CPU time is what stays comparable. The
figures are the minimum and the median over rounds; the ratios divide by
``json.loads`` (issue 4's target: <= 1.6x).
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

COLUMNS = [  # (label, typeName, JDBC type)
    ("id", "int8", -5),
    ("name", "text", 12),
    ("price", "numeric", 2),
    ("created", "timestamptz", 93),
    ("day", "date", 91),
    ("active", "bool", -7),
    ("score", "float8", 8),
    ("digest", "bytea", -2),
    ("tags", "_int4", 2003),
    ("doc", "jsonb", 1111),
]


def _metadata() -> list[dict[str, Any]]:
    return [
        {"name": label, "label": label, "type": code, "typeName": type_name, "precision": 10,
         "scale": 0, "nullable": 1, "isSigned": True, "isCurrency": False,
         "isAutoIncrement": False, "isCaseSensitive": False, "schemaName": "",
         "tableName": "t", "arrayBaseColumnType": 0}
        for label, type_name, code in COLUMNS
    ]  # fmt: skip


def _record(rnd: random.Random, i: int) -> list[dict[str, Any]]:
    fraction = f".{rnd.randrange(1, 999999):06d}".rstrip("0") if i % 3 else ""
    return [
        {"longValue": rnd.randrange(-(2**40), 2**40)},
        {"stringValue": f"customer {i} \u00e9"} if i % 7 else {"isNull": True},
        {"stringValue": f"{rnd.randrange(100000)}.{rnd.randrange(100):02d}"},
        {"stringValue": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} 03:04:05{fraction}"},
        {"stringValue": f"2024-02-{i % 28 + 1:02d}"},
        {"booleanValue": bool(i % 2)},
        {"doubleValue": rnd.random() * 1000},
        {"blobValue": base64.b64encode(rnd.randbytes(12)).decode()},
        {"arrayValue": {"longValues": [1, None, i]}},
        {"stringValue": json.dumps({"k": i, "v": [1, 2]})} if i % 5 else {"isNull": True},
    ]


def make_body(size: int, seed: int = 4) -> bytes:
    """A deterministic ExecuteStatement response of about ``size`` bytes."""
    rnd = random.Random(seed)
    records: list[list[dict[str, Any]]] = []
    meta = _metadata()
    overhead = len(json.dumps({"columnMetadata": meta, "records": [], "numberOfRecordsUpdated": 0}))
    used = overhead
    while used < size:
        record = _record(rnd, len(records))
        used += len(json.dumps(record)) + 2
        records.append(record)
    body = {"columnMetadata": meta, "records": records, "numberOfRecordsUpdated": 0}
    return json.dumps(body).encode()


def _botocore_parser(body: bytes) -> Callable[[], Any] | None:
    try:
        import botocore.parsers
        import botocore.session
    except ImportError:
        return None
    model = botocore.session.get_session().get_service_model("rds-data")
    shape = model.operation_model("ExecuteStatement").output_shape
    parser = botocore.parsers.create_parser("rest-json")
    response = {"body": body, "headers": {"content-type": "application/json"}, "status_code": 200}
    return lambda: parser.parse(response, shape)


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def _time_once(fn: Callable[[], Any], clock: Callable[[], float]) -> float:
    start = clock()
    result = fn()
    elapsed = clock() - start
    del result  # freeing is not timed, for every candidate alike
    return elapsed


def measure(
    candidates: dict[str, Callable[[], Any]], rounds: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()  # warm up
    for _ in range(rounds):
        for name, fn in candidates.items():
            gc.collect()
            times[name].append(_time_once(fn, clock))
    return times


def main(argv: list[str]) -> int:
    from sigv4_dataapi._decode import parse_execute_response

    parser = argparse.ArgumentParser(prog="scripts/bench decode", description=__doc__)
    parser.add_argument("--size", type=int, default=1 << 20, help="body size in bytes")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args(argv)

    body = make_body(args.size)
    body_no_json = body.replace(b'"typeName": "jsonb"', b'"typeName": "text"')
    result = parse_execute_response(body)
    print(f"body: {len(body)} bytes, {len(result.records)} records x {len(COLUMNS)} columns")

    candidates: dict[str, Callable[[], Any]] = {
        "json.loads": lambda: json.loads(body),
        "parse_execute_response": lambda: parse_execute_response(body),
        "parse_execute_response(convert=False)": lambda: parse_execute_response(
            body, convert=False
        ),
        "parse_execute_response(jsonb as text)": lambda: parse_execute_response(body_no_json),
    }
    boto = _botocore_parser(body)
    if boto is None:
        print("botocore not installed: its parser is skipped")
    else:
        candidates["botocore RestJSONParser"] = boto
    times = measure(candidates, args.rounds, CLOCKS[args.clock])
    print(f"clock: {args.clock}, {args.rounds} rounds")

    floor = times["json.loads"]
    print(
        f"{'candidate':40} {'min ms':>7} {'median ms':>9}  "
        f"{'x loads: min':>12} {'median':>6} {'paired':>6}"
    )
    for name, samples in times.items():
        best, middle = min(samples), statistics.median(samples)
        paired = statistics.median(a / b for a, b in zip(samples, floor, strict=True))
        print(
            f"{name:40} {best * 1e3:7.2f} {middle * 1e3:9.2f}  {best / min(floor):12.2f} "
            f"{middle / statistics.median(floor):6.2f} {paired:6.2f}"
        )
    print("paired: median over rounds of (candidate / json.loads) timed in the same round")
    if boto is not None:
        ours, theirs = times["parse_execute_response"], times["botocore RestJSONParser"]
        paired = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        print(f"parse_execute_response vs botocore (paired median): {paired:.2f}x")
    return 0
