"""``scripts/bench decode``: a ~1 MiB ExecuteStatement response, decoded three ways.

Candidates, timed interleaved in one process so machine noise hits them alike:

- ``json.loads``: the floor (parses the JSON, converts nothing);
- ``parse_execute_response(body)``: ours, Fields unwrapped, blobs decoded, and
  column types applied (Decimal, datetime/date, timestamptz aware, JSON parsed);
- ``parse_execute_response(body, convert=False)``: ours, without column types;
- botocore's ``RestJSONParser`` with the rds-data model, as boto3 parses the
  body (it unwraps nothing: each Field stays a dict, blobs become bytes).

The default body (``--mix orders``) is a PostgreSQL table of 14 columns with
every Field kind and every converted type: longs, text, a numeric, a
timestamptz and a nullable timestamp with trimmed fractions, a nullable date,
booleans, doubles, nullable blobs, a text array with NULLs and a nullable jsonb
column of small nested documents; the run prints each column's share of NULLs
and of the bytes. ``--mix c1`` is the first body (10 columns, half of them
converted, tiny jsonb documents in 80% of the rows). One more line decodes the
body with its ``jsonb`` column typed ``text``, to show what parsing the JSON
documents themselves costs. Our candidates return ``.records``, the values
users get.

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

NEEDS = ("botocore",)  # peers, checked by scripts/bench first

# (label, typeName, JDBC type, Field kind, share of NULLs): a PostgreSQL table of orders
COLUMNS = [
    ("id", "int8", -5, "longValue", 0.0),
    ("customer", "text", 12, "stringValue", 0.05),
    ("email", "varchar", 12, "stringValue", 0.1),
    ("status", "text", 12, "stringValue", 0.0),
    ("amount", "numeric", 2, "stringValue", 0.0),
    ("quantity", "int4", 4, "longValue", 0.0),
    ("created_at", "timestamptz", 93, "stringValue", 0.0),
    ("updated_at", "timestamp", 93, "stringValue", 0.3),
    ("birthday", "date", 91, "stringValue", 0.2),
    ("active", "bool", -7, "booleanValue", 0.0),
    ("score", "float8", 8, "doubleValue", 0.1),
    ("avatar", "bytea", -2, "blobValue", 0.5),
    ("tags", "_text", 2003, "arrayValue", 0.2),
    ("attrs", "jsonb", 1111, "stringValue", 0.4),
]
# C1's first body (``--mix c1``): 10 columns, half converted, 80% tiny jsonb documents
C1_COLUMNS = [
    ("id", "int8", -5, "longValue", 0.0),
    ("name", "text", 12, "stringValue", 1 / 7),
    ("price", "numeric", 2, "stringValue", 0.0),
    ("created", "timestamptz", 93, "stringValue", 0.0),
    ("day", "date", 91, "stringValue", 0.0),
    ("active", "bool", -7, "booleanValue", 0.0),
    ("score", "float8", 8, "doubleValue", 0.0),
    ("digest", "bytea", -2, "blobValue", 0.0),
    ("tags", "_int4", 2003, "arrayValue", 0.0),
    ("doc", "jsonb", 1111, "stringValue", 0.2),
]
MIXES = {"orders": COLUMNS, "c1": C1_COLUMNS}
Column = tuple[str, str, int, str, float]
_STATUSES = ("new", "paid", "shipped", "delivered", "cancelled", "refunded")
_WORDS = ("red", "blue", "gift", "bulk", "vip", "eu", "us", "fragile", "promo", "b2b")


def _metadata(columns: list[Column]) -> list[dict[str, Any]]:
    return [
        {"name": label, "label": label, "type": code, "typeName": type_name, "precision": 10,
         "scale": 0, "nullable": 1, "isSigned": True, "isCurrency": False,
         "isAutoIncrement": False, "isCaseSensitive": False, "schemaName": "",
         "tableName": "t", "arrayBaseColumnType": 0}
        for label, type_name, code, _, _ in columns
    ]  # fmt: skip


def _fraction(rnd: random.Random) -> str:
    """The service trims trailing zeros of fractional seconds (F9): 0 to 6 digits."""
    return f".{rnd.randrange(1, 10**6):06d}".rstrip("0") if rnd.random() < 0.7 else ""


def _document(rnd: random.Random, i: int) -> str:
    doc: dict[str, Any] = {"source": rnd.choice(("web", "app", "api")), "items": i % 9 + 1}
    if rnd.random() < 0.5:
        doc["coupon"] = {"code": f"SAVE{rnd.randrange(100)}", "pct": rnd.randrange(5, 50)}
    if rnd.random() < 0.3:
        doc["notes"] = [rnd.choice(_WORDS) for _ in range(rnd.randrange(1, 4))]
    return json.dumps(doc)  # as PostgreSQL prints jsonb: ", " and ": "


def _value(type_name: str, rnd: random.Random, i: int) -> dict[str, Any]:
    """One non-NULL Field of a column of type ``type_name``, as the service sends it."""
    day = f"20{rnd.randrange(10, 26)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
    clock = f"{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:{rnd.randrange(60):02d}"
    text = {
        "text": f"Customer {i} {rnd.choice(_WORDS).title()} Ltd\u00e9",
        "varchar": f"user{rnd.randrange(10**6)}@example.com",
        "numeric": f"{rnd.randrange(100000)}.{rnd.randrange(100):02d}",
        "timestamptz": f"{day} {clock}{_fraction(rnd)}",
        "timestamp": f"{day} {clock}{_fraction(rnd)}",
        "date": day,
        "jsonb": _document(rnd, i),
    }
    if type_name in text:
        return {"stringValue": text[type_name]}
    return {
        "int8": {"longValue": rnd.randrange(-(2**40), 2**40)},
        "int4": {"longValue": rnd.randrange(1, 100)},
        "bool": {"booleanValue": rnd.random() < 0.5},
        "float8": {"doubleValue": rnd.random() * 1000},
        "bytea": {"blobValue": base64.b64encode(rnd.randbytes(rnd.randrange(8, 48))).decode()},
        "_int4": {"arrayValue": {"longValues": [1, None, i]}},
        "_text": {"arrayValue": {"stringValues": [rnd.choice((*_WORDS, None)) for _ in "ab"]}},
    }[type_name]


def _record(columns: list[Column], rnd: random.Random, i: int) -> list[dict[str, Any]]:
    return [
        {"isNull": True} if rnd.random() < nulls else _value(type_name, rnd, i)
        for _, type_name, _, _, nulls in columns
    ]


def make_body(size: int, seed: int = 4, mix: str = "orders") -> bytes:
    """A deterministic ExecuteStatement response of about ``size`` bytes."""
    columns = MIXES[mix]
    rnd = random.Random(seed)
    meta = _metadata(columns)
    records: list[list[dict[str, Any]]] = []
    used = len(_compact({"columnMetadata": meta, "records": [], "numberOfRecordsUpdated": 0}))
    while used < size:
        record = _record(columns, rnd, len(records))
        used += len(_compact(record)) + 1
        records.append(record)
    body = {"columnMetadata": meta, "records": records, "numberOfRecordsUpdated": 0}
    return _compact(body).encode()


def _compact(data: object) -> str:
    """The service's JSON is compact (no blanks after ``,`` and ``:``)."""
    return json.dumps(data, separators=(",", ":"))


def describe(body: bytes, mix: str) -> list[str]:
    """One line per column: type, Field kind, share of NULLs and of the records' bytes."""
    records = json.loads(body)["records"]
    total = sum(len(_compact(field)) for record in records for field in record)
    lines = []
    for i, (label, type_name, _, kind, _) in enumerate(MIXES[mix]):
        fields = [record[i] for record in records]
        nulls = sum("isNull" in field for field in fields) / len(fields)
        share = sum(len(_compact(field)) for field in fields) / total
        lines.append(
            f"  {label:11} {type_name:12} {kind:13} nulls {nulls:4.0%}  bytes {share:4.0%}"
        )
    return lines


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
    from sigv4_dataapi._codec.decode import parse_execute_response

    parser = argparse.ArgumentParser(prog="scripts/bench decode", description=__doc__)
    parser.add_argument("--size", type=int, default=1 << 20, help="body size in bytes")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument("--mix", choices=sorted(MIXES), default="orders", help="the columns")
    args = parser.parse_args(argv)

    body = make_body(args.size, mix=args.mix)
    body_no_json = body.replace(b'"typeName":"jsonb"', b'"typeName":"text"')
    result = parse_execute_response(body)
    print(f"body ({args.mix}): {len(body)} bytes, {len(result.records)} records x "
          f"{len(MIXES[args.mix])} columns:")  # fmt: skip
    print("\n".join(describe(body, args.mix)))

    # every candidate of ours produces the values users get: .records
    candidates: dict[str, Callable[[], Any]] = {
        "json.loads": lambda: json.loads(body),
        "parse_execute_response": lambda: parse_execute_response(body).records,
        "parse_execute_response(convert=False)": lambda: (
            parse_execute_response(body, convert=False).records
        ),
        "parse_execute_response(jsonb as text)": lambda: (
            parse_execute_response(body_no_json).records
        ),
    }
    boto = _botocore_parser(body)
    if boto is None:
        print("botocore not installed: its parser is skipped")
    else:
        candidates["botocore RestJSONParser"] = boto
    times = measure(candidates, args.rounds, CLOCKS[args.clock])
    print(f"clock: {args.clock}, {args.rounds} rounds")
    _report(times, boto is not None)
    return 0


def _report(times: dict[str, list[float]], boto: bool) -> None:
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
    if boto:
        ours, theirs = times["parse_execute_response"], times["botocore RestJSONParser"]
        paired = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        print(f"parse_execute_response vs botocore (paired median): {paired:.2f}x")
