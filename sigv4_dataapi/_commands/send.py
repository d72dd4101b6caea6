"""``sigv4-dataapi send FILE``: sign and POST a Data API request file, byte for byte.

The file is sent exactly as written (the article's ``"includeResultMetadata":
"true"``, a string, included): the service, not this tool, decides what it
accepts. Only ``--set`` changes the body, and then it is re-serialised once.
The operation comes from ``--operation``, else from the body's keys.

This module also holds :func:`call` and :func:`emit`, the Data API round trip
that ``sql`` shares: the transport's retries, ``-v``, resume progress, and the
output modes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._cli import Context, ExitStatus, UsageError
from sigv4_dataapi._commands import _common

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from sigv4_dataapi._credentials import Credentials
    from sigv4_dataapi._sigv4 import SigningResult
    from sigv4_dataapi._transport import RawResponse

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
OUTPUT_MODES = ("raw", "table", "json", "jsonl", "csv")  # mirrors _output.OUTPUT_MODES


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
    add_output_mode(parser, default="raw")
    _common.add_connection_arguments(parser)
    _common.add_output_arguments(parser)


def add_output_mode(parser: argparse.ArgumentParser, *, default: str | None) -> None:
    fallback = default or "table on a terminal, else json"
    parser.add_argument(
        "--output",
        choices=OUTPUT_MODES,
        default=default,
        metavar="MODE",
        help=f"{', '.join(OUTPUT_MODES)}: raw is the service's JSON as is (default {fallback})",
    )


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
    response = call(
        args, ctx, operation, raw,
        resource_arn=arn if isinstance(arn, str) else None,
        idempotent=args.idempotent, raw_errors=args.output == "raw",
    )  # fmt: skip
    if response is not None:
        emit(args, ctx, response, args.output)
    return ExitStatus.OK


# -- the round trip, shared with ``sql`` -------------------------------------------


def call(
    args: argparse.Namespace,
    ctx: Context,
    operation: str,
    body: bytes,
    *,
    resource_arn: str | None,
    idempotent: bool,
    raw_errors: bool,
) -> RawResponse | None:
    """Send ``body`` as ``operation`` (None when ``--print-curl``/``--dry-run`` printed it)."""
    from sigv4_dataapi import _retry, _transport

    conn = _common.resolve_connection(args, ctx, resource_arn=resource_arn)
    source = _common.credential_source(args, ctx, conn.region)
    credentials = source.get()
    if args.print_curl or args.dry_run:
        _print_instead(args, ctx, conn, operation, body, credentials)
        return None
    verbose = _common.Verbose(ctx, _common.Redactor(credentials), args.verbose)
    progress = _common.ResumeProgress(ctx)
    seen = _Seen()
    hooks = _transport.TransportHooks(
        on_signed=lambda signed, request: _show_signed(verbose, signed, request),
        on_response=lambda response: _show_response(verbose, seen, response),
        on_resume_wait=progress,
    )
    transport = _transport.Transport(
        region=conn.region, endpoint_url=conn.endpoint_url, credentials=source,
        verify=conn.verify, timeout=conn.timeout, env=ctx.env,
        retry=_retry.RetryPolicy(resume_timeout=conn.resume_timeout),
        http_transport=_common.http_transport(conn, conn.endpoint_url or "", ctx),
    )  # fmt: skip
    ok = False
    try:
        with transport:
            response = transport.send(operation, body, idempotent=idempotent, hooks=hooks)
        ok = True
    except Exception:
        if raw_errors and not args.fail and seen.error is not None:
            _write_raw(args, ctx, seen.error.status_line, seen.error.headers, seen.error.body)
        raise
    finally:
        progress.done(ok)
    return response


class _Error:
    """An error answer as it came (the transport has consumed the response)."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_line = _status_line(response)
        self.headers = response.headers.multi_items()
        self.body = response.content


class _Seen:
    """The last error answer, so that raw mode can print its body as curl would."""

    error: _Error | None = None


def _status_line(response: httpx.Response) -> str:
    return f"{response.http_version} {response.status_code} {response.reason_phrase}"


def _show_signed(verbose: _common.Verbose, signed: SigningResult, request: httpx.Request) -> None:
    verbose.signed(signed.canonical_request, signed.string_to_sign)
    verbose.request("POST", request.url.raw_path.decode("ascii"), request.headers.multi_items())


def _show_response(verbose: _common.Verbose, seen: _Seen, response: httpx.Response) -> None:
    verbose.response(_status_line(response), response.headers.multi_items())
    seen.error = None if response.is_success else _Error(response)


def _print_instead(
    args: argparse.Namespace,
    ctx: Context,
    conn: _common.Connection,
    operation: str,
    body: bytes,
    credentials: Credentials,
) -> None:
    """Sign exactly as the transport would, then print instead of sending."""
    from urllib.parse import urlsplit

    from sigv4_dataapi import _endpoint, _output, _transport
    from sigv4_dataapi._sigv4 import sign_request

    url = f"{conn.endpoint_url}{_transport.OPERATIONS[operation]}"
    headers = {"Content-Type": _transport.CONTENT_TYPE}
    signed = sign_request(
        "POST", url, headers=headers, body=body, credentials=credentials, region=conn.region,
        service=_endpoint.SERVICE, now=_common.utc_now(), settings=_transport.SIGNING,
    )  # fmt: skip
    _common.Verbose(ctx, _common.Redactor(credentials), args.verbose).signed(
        signed.canonical_request, signed.string_to_sign
    )
    wire = [*headers.items(), *signed.headers.items()]
    if args.print_curl:
        verify = False if conn.insecure else (conn.ca_file or True)
        text = _output.curl_command("POST", url, wire, body, verify=verify)
        _common.token_notice(ctx, credentials, "curl command")
    else:
        parts = urlsplit(url)
        text = _output.http_request_text("POST", parts.path, [("Host", parts.netloc), *wire], body)
        _common.token_notice(ctx, credentials, "printed request")
    _common.print_stdout(ctx, text)


# -- output ------------------------------------------------------------------------


def emit(args: argparse.Namespace, ctx: Context, response: RawResponse, mode: str) -> None:
    """Write the answer: raw bytes, or decoded rows in a row mode."""
    if mode == "raw":
        status = f"HTTP/1.1 {response.status_code} OK"
        _write_raw(args, ctx, status, response.headers.multi_items(), response.content)
        return
    from sigv4_dataapi import _output

    columns, rows, summary = _output.decode_rows(response.content)
    sink = _output.Sink(ctx.stdout, args.output_file)
    try:
        if args.include:
            status = f"HTTP/1.1 {response.status_code} OK"
            head = _output.head_text(status, response.headers.multi_items())
            sink.write_bytes(head.encode("latin-1", "replace"))
        if columns is not None:
            _output.write_rows(mode, columns, rows, sink.text())
        elif mode in ("json", "jsonl"):  # no rows: the answer itself is the data
            sink.write_bytes(_output.compact_json(response.content) + b"\n")
        elif summary:
            ctx.warn(summary)
    finally:
        sink.close()


def _write_raw(
    args: argparse.Namespace,
    ctx: Context,
    status_line: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> None:
    from sigv4_dataapi import _output

    sink = _output.Sink(ctx.stdout, args.output_file)
    try:
        if args.include:
            sink.write_bytes(_output.head_text(status_line, headers).encode("latin-1", "replace"))
        sink.write_bytes(body)
        if args.output_file is None and ctx.stdout_is_tty and not body.endswith(b"\n"):
            sink.write_bytes(b"\n")  # keep the shell prompt on its own line
    finally:
        sink.close()
