"""``sigv4-dataapi send FILE``: sign and POST a Data API request file, byte for byte.

The file is sent exactly as written (the article's ``"includeResultMetadata":
"true"``, a string, included): the service, not this tool, decides what it
accepts. Only ``--set`` changes the body, and then it is re-serialised once.
The operation comes from ``--operation``, else from the body's keys.

The round trip and the output modes, shared with ``sql``, are in ``_dataapi``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sigv4_dataapi._cli.commands import _common, _dataapi
from sigv4_dataapi._cli.main import Context, ExitStatus, UsageError

HELP = "sign and POST a Data API request file (JSON) exactly as written"

# CLI name -> the service's operation name (rds-data-api.md §2)
OPERATIONS: Mapping[str, str] = {
    "execute-statement": "ExecuteStatement",
    "batch-execute-statement": "BatchExecuteStatement",
    "begin-transaction": "BeginTransaction",
    "commit-transaction": "CommitTransaction",
    "rollback-transaction": "RollbackTransaction",
    "execute-sql": "ExecuteSql",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the JSON request body, or - for stdin")
    parser.add_argument(
        "--operation",
        choices=list(OPERATIONS),
        metavar="OP",
        help=f"one of {', '.join(OPERATIONS)} (default: inferred from the body's keys)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="sets",
        help="fill or replace a top-level field with a string (KEY:=JSON for any JSON value)",
    )
    parser.add_argument(
        "--idempotent",
        action="store_true",
        help="the call is safe to run twice: retry it even when it may have run",
    )
    _dataapi.add_output_mode(parser, default="raw")
    _common.add_connection_arguments(parser)
    _common.add_output_arguments(parser)


# -- the request file --------------------------------------------------------------


def parse_document(raw: bytes, name: str) -> dict[str, Any]:
    """The file's JSON object; a bad file is one line naming where it broke."""
    if not raw.strip():
        raise UsageError(f"{name}: the request file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 (byte {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{name}: the request must be a JSON object, not {type(doc).__name__}")
    return doc


def infer_operation(doc: Mapping[str, Any]) -> str:
    """Each operation has a key no other has (rds-data-api.md §2), but commit/rollback."""
    keys = set(doc)
    if keys & {"dbClusterOrInstanceArn", "awsSecretStoreArn", "sqlStatements"}:
        return "ExecuteSql"
    if "parameterSets" in keys:
        return "BatchExecuteStatement"
    if "sql" in keys:
        return "ExecuteStatement"
    if "transactionId" in keys:
        raise UsageError(
            "cannot tell commit-transaction from rollback-transaction by the body: use --operation"
        )
    if {"resourceArn", "secretArn"} <= keys:
        return "BeginTransaction"
    raise UsageError(
        "cannot infer the operation from the body's keys "
        f"({', '.join(sorted(keys)) or 'none'}): use --operation"
    )


def apply_sets(doc: dict[str, Any], sets: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` sets a string; ``KEY:=JSON`` sets any JSON value (HTTPie's syntax)."""
    result = dict(doc)
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key or key == ":":
            raise UsageError(f"--set {item!r}: expected KEY=VALUE or KEY:=JSON")
        if key.endswith(":"):
            key = key[:-1]
            try:
                result[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise UsageError(f"--set {key}:= invalid JSON: {exc.msg}") from None
        else:
            result[key] = value
    return result


def run(args: argparse.Namespace, ctx: Context) -> int:
    name = "stdin" if args.file == "-" else args.file
    raw = _common.read_source(args.file, ctx, "request file")
    doc = parse_document(raw, name)
    if args.sets:
        doc = apply_sets(doc, args.sets)
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    operation = OPERATIONS[args.operation] if args.operation else infer_operation(doc)
    arn = doc.get("resourceArn") or doc.get("dbClusterOrInstanceArn")
    response = _dataapi.call(
        args, ctx, operation, raw,
        resource_arn=arn if isinstance(arn, str) else None,
        idempotent=args.idempotent, raw_errors=args.output == "raw",
    )  # fmt: skip
    if response is not None:
        _dataapi.emit(args, ctx, response, args.output, operation)
    return ExitStatus.OK
