"""``sigv4-dataapi sql "SELECT ..." -p name=value[:kind]``: one statement, typed parameters.

The resource ARN, secret ARN and database come from the flags, else
``DATA_API_RESOURCE_ARN``/``DATA_API_SECRET_ARN``/``DATA_API_DATABASE``, else the
profile (``data_api_resource_arn`` ... in the config file), so that a configured
shell needs nothing but the SQL.

A parameter's kind is explicit when a value could be read two ways: a suffix
names a Field kind (``:long :double :bool :string :blob :null``) or a typeHint
(``:DATE :TIME :TIMESTAMP :DECIMAL :JSON :UUID``, sent as a string). Without
one, a plain 64-bit integer is a long, a plain decimal number a double,
``true``/``false`` a boolean, anything else (``007`` included) a string; a
value's text is never sniffed for a typeHint (peers.md §3.3: guessing UUIDs
broke VARCHAR columns).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from sigv4_dataapi._cli.commands import _common, _dataapi
from sigv4_dataapi._cli.main import Context, ExitStatus, UsageError

HELP = "run one SQL statement with typed parameters and print the rows"

TYPE_HINTS = ("DATE", "TIME", "TIMESTAMP", "DECIMAL", "JSON", "UUID")
KINDS = ("long", "double", "bool", "string", "blob", "null")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LONG = re.compile(r"^[+-]?\d+$")
_CANONICAL_LONG = re.compile(r"^-?(0|[1-9]\d*)$")
_DOUBLE = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$")
_LONG_RANGE = (-(2**63), 2**63 - 1)

# (flag, CLI env var, config setting) for each body member the statement needs
SOURCES: Mapping[str, tuple[str, str, str]] = {
    "resourceArn": ("--resource-arn", "DATA_API_RESOURCE_ARN", "data_api_resource_arn"),
    "secretArn": ("--secret-arn", "DATA_API_SECRET_ARN", "data_api_secret_arn"),
    "database": ("--database", "DATA_API_DATABASE", "data_api_database"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", metavar="SQL", help="the statement (- reads it from stdin)")
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE[:KIND]",
        help="bind :NAME; KIND is long, double, bool, string, blob (base64), null, "
        "or a typeHint DATE, TIME, TIMESTAMP, DECIMAL, JSON, UUID",
    )
    parser.add_argument("--resource-arn", metavar="ARN", help="the cluster's ARN")
    parser.add_argument("--secret-arn", metavar="ARN", help="the Secrets Manager secret's ARN")
    parser.add_argument("--database", metavar="NAME", help="the database to use")
    parser.add_argument("--transaction-id", metavar="ID", help="run inside this transaction")
    parser.add_argument(
        "--continue-after-timeout",
        action="store_true",
        help="let DDL go on running after the 45 s call timeout",
    )
    parser.add_argument(
        "--idempotent",
        action="store_true",
        help="the statement is safe to run twice: retry it even when it may have run",
    )
    _dataapi.add_output_mode(parser, default=None)
    _common.add_connection_arguments(parser)
    _common.add_output_arguments(parser)


def parse_param(text: str) -> dict[str, Any]:
    """``name=value[:kind]`` into a ``SqlParameter`` (rds-data-api.md §4)."""
    name, sep, rest = text.partition("=")
    name = name.strip().lstrip(":")
    if not sep or not _NAME.match(name):
        raise UsageError(f"-p {text!r}: expected NAME=VALUE[:KIND]")
    value, kind = _split_kind(rest)
    param: dict[str, Any] = {"name": name}
    if kind is not None and kind.upper() in TYPE_HINTS:
        param["value"] = {"stringValue": value}
        param["typeHint"] = kind.upper()
        return param
    param["value"] = _field(name, value, kind)
    return param


def _split_kind(rest: str) -> tuple[str, str | None]:
    """A trailing ``:kind`` only when it names one: ``12:30:00`` stays a value."""
    value, sep, kind = rest.rpartition(":")
    if sep and (kind.lower() in KINDS or kind.upper() in TYPE_HINTS):
        return value, kind
    return rest, None


def _field(name: str, value: str, kind: str | None) -> dict[str, Any]:
    kind = kind.lower() if kind is not None else _inferred_kind(value)
    if kind == "null":
        return {"isNull": True}
    if kind == "string":
        return {"stringValue": value}
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise UsageError(f"-p {name}: {value!r} is not true or false")
        return {"booleanValue": value.lower() == "true"}
    if kind == "long":
        if not _LONG.match(value) or not _LONG_RANGE[0] <= int(value) <= _LONG_RANGE[1]:
            raise UsageError(f"-p {name}: {value!r} is not a 64-bit integer")
        return {"longValue": int(value)}
    if kind == "double":
        try:
            return {"doubleValue": float(value)}
        except ValueError:
            raise UsageError(f"-p {name}: {value!r} is not a number") from None
    return {"blobValue": _base64(name, value)}


def _inferred_kind(value: str) -> str:
    """Only what reads one way: ``007`` (a code, not 7), an integer beyond 64 bits
    (no double could hold it exactly) and ``1e400`` stay strings."""
    if _CANONICAL_LONG.match(value):
        return "long" if _LONG_RANGE[0] <= int(value) <= _LONG_RANGE[1] else "string"
    if _DOUBLE.match(value) and math.isfinite(float(value)):
        return "double"
    if value in ("true", "false"):
        return "bool"
    return "string"


def _base64(name: str, value: str) -> str:
    import base64
    import binascii

    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise UsageError(f"-p {name}: a blob must be base64") from None
    return value


def statement_body(args: argparse.Namespace, ctx: Context, sql: str) -> dict[str, Any]:
    """The ExecuteStatement request, members in the service's order."""
    found = resolve_target(args, ctx)
    body: dict[str, Any] = {
        "resourceArn": found["resourceArn"],
        "secretArn": found["secretArn"],
        "sql": sql,
    }
    if found["database"]:
        body["database"] = found["database"]
    if args.param:
        body["parameters"] = [parse_param(p) for p in args.param]
    if args.transaction_id:
        body["transactionId"] = args.transaction_id
    body["includeResultMetadata"] = True  # the column names for table, json and csv
    if args.continue_after_timeout:
        body["continueAfterTimeout"] = True
    return body


def resolve_target(args: argparse.Namespace, ctx: Context) -> dict[str, str | None]:
    """``resourceArn``, ``secretArn``, ``database``: flags, then env, then the profile.

    Shared with ``shell`` so both resolve the target the same way.
    """
    found = {member: _setting(args, ctx, member) for member in SOURCES}
    for member in ("resourceArn", "secretArn"):
        if not found[member]:
            flag, var, key = SOURCES[member]
            raise UsageError(f"no {member}: use {flag}, set {var}, or add {key} to the profile")
    return found


def _setting(args: argparse.Namespace, ctx: Context, member: str) -> str | None:
    from sigv4_dataapi import _config

    flag, var, key = SOURCES[member]
    value = getattr(args, flag[2:].replace("-", "_")) or ctx.env.get(var)
    if value:
        return str(value)
    return _config.resolve_setting(key, env=ctx.env, profile=args.profile).value


def run(args: argparse.Namespace, ctx: Context) -> int:
    sql = args.sql
    if sql == "-":
        try:
            sql = ctx.stdin.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"the SQL on stdin is not UTF-8 (byte {exc.start})") from None
    if not sql.strip():
        raise UsageError("the SQL statement is empty")
    body = statement_body(args, ctx, sql)
    mode = args.output or ("table" if ctx.stdout_is_tty else "json")
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    response = _dataapi.call(
        args, ctx, "ExecuteStatement", raw, resource_arn=body["resourceArn"],
        idempotent=args.idempotent, raw_errors=mode == "raw",
    )  # fmt: skip
    if response is not None:
        _dataapi.emit(args, ctx, response, mode, "ExecuteStatement")
    return ExitStatus.OK
