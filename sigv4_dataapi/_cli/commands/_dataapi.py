"""The Data API round trip that ``send`` and ``sql`` share, and their output.

:func:`call` goes through the library's transport (its retries, waiting out a
paused database) with hooks for ``-v`` and the resume progress, or prints the
signed request instead (``--print-curl``, ``--dry-run``). :func:`emit` writes
the answer: raw bytes, or decoded rows in a row mode.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sigv4_dataapi._cli.commands import _common, _show
from sigv4_dataapi._cli.main import Context

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from sigv4_dataapi._credentials.providers import CredentialSource
    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._sigv4.sign import SigningResult
    from sigv4_dataapi._transport.driver import RawResponse, Transport, TransportHooks

OUTPUT_MODES = ("raw", "table", "json", "jsonl", "csv")  # mirrors _output.OUTPUT_MODES


def add_output_mode(parser: argparse.ArgumentParser, *, default: str | None) -> None:
    fallback = default or "table on a terminal, else json"
    parser.add_argument(
        "--output",
        choices=OUTPUT_MODES,
        default=default,
        metavar="MODE",
        help=f"{', '.join(OUTPUT_MODES)}: raw is the service's JSON as is (default {fallback})",
    )


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
    conn = _common.resolve_connection(args, ctx, resource_arn=resource_arn)
    source = _common.credential_source(args, ctx, conn.region)
    credentials = source.get()
    if args.print_curl or args.dry_run:
        _print_instead(args, ctx, conn, operation, body, credentials)
        return None
    verbose = _show.Verbose(ctx, _show.Redactor(credentials), args.verbose)
    progress = _show.ResumeProgress(ctx)
    seen = _Seen()
    hooks = _hooks(verbose, seen, progress)
    ok = False
    try:
        with _transport_for(conn, source, ctx) as transport:
            response = transport.send(operation, body, idempotent=idempotent, hooks=hooks)
        ok = True
    except Exception:
        if raw_errors and not args.fail and seen.error is not None:
            _write_raw(args, ctx, seen.error.status_line, seen.error.headers, seen.error.body)
        raise
    finally:
        progress.done(ok)
    return response


def _hooks(verbose: _show.Verbose, seen: _Seen, progress: _show.ResumeProgress) -> TransportHooks:
    from sigv4_dataapi._transport import driver as _transport

    return _transport.TransportHooks(
        on_signed=lambda signed, request: _show_signed(verbose, signed, request),
        on_response=lambda response: _show_response(verbose, seen, response),
        on_resume_wait=progress,
    )


def _transport_for(conn: _common.Connection, source: CredentialSource, ctx: Context) -> Transport:
    from sigv4_dataapi._transport import driver as _transport
    from sigv4_dataapi._transport import retry as _retry

    # No http_transport: the library's default is already http.client-based (_stdhttp),
    # and httpx's own transport when a proxy applies.
    return _transport.Transport(
        region=conn.region, endpoint_url=conn.endpoint_url, credentials=source,
        verify=conn.verify, timeout=conn.timeout, env=ctx.env,
        retry=_retry.RetryPolicy(resume_timeout=conn.resume_timeout),
    )  # fmt: skip


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


def _show_signed(verbose: _show.Verbose, signed: SigningResult, request: httpx.Request) -> None:
    verbose.signed(signed.canonical_request, signed.string_to_sign)
    verbose.request("POST", request.url.raw_path.decode("ascii"), request.headers.multi_items())


def _show_response(verbose: _show.Verbose, seen: _Seen, response: httpx.Response) -> None:
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
    from sigv4_dataapi._cli.commands import _printed
    from sigv4_dataapi._sigv4.sign import sign_request
    from sigv4_dataapi._transport import driver as _transport
    from sigv4_dataapi._transport import endpoint as _endpoint

    url = f"{conn.endpoint_url}{_transport.OPERATIONS[operation]}"
    headers = {"Content-Type": _transport.CONTENT_TYPE}
    signed = sign_request(
        "POST", url, headers=headers, body=body, credentials=credentials, region=conn.region,
        service=_endpoint.SERVICE, now=_common.utc_now(), settings=_transport.SIGNING,
    )  # fmt: skip
    _show.Verbose(ctx, _show.Redactor(credentials), args.verbose).signed(
        signed.canonical_request, signed.string_to_sign
    )
    wire = [*headers.items(), *signed.headers.items()]
    _printed.print_signed(args, ctx, conn, credentials, ("POST", url, wire, body))


# -- output ------------------------------------------------------------------------


def emit(
    args: argparse.Namespace, ctx: Context, response: RawResponse, mode: str, operation: str
) -> None:
    """Write the answer: raw bytes, or decoded rows in a row mode."""
    status = f"HTTP/1.1 {response.status_code} OK"
    if mode == "raw":
        _write_raw(args, ctx, status, response.headers.multi_items(), response.content)
        return
    from sigv4_dataapi._cli import output as _output
    from sigv4_dataapi._cli.commands import _answer

    # json/jsonl carry the library's typed values; table/csv the service's own text
    answer = _answer.decode_rows(response.content, operation, convert=mode in ("json", "jsonl"))
    sink = _output.Sink(ctx.stdout, args.output_file)
    try:
        if args.include:
            head = _output.head_text(status, response.headers.multi_items())
            sink.write_bytes(head.encode("latin-1", "replace"))
        if answer.keys is not None:
            _output.write_rows(mode, answer.keys, answer.rows, sink.text())
        elif mode in ("json", "jsonl"):  # no rows: the answer itself is the data
            sink.write_bytes(_answer.compact_json(response.content) + b"\n")
        elif answer.summary:
            ctx.warn(answer.summary)
    finally:
        sink.close()


def _write_raw(
    args: argparse.Namespace,
    ctx: Context,
    status_line: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> None:
    from sigv4_dataapi._cli import output as _output

    sink = _output.Sink(ctx.stdout, args.output_file)
    try:
        if args.include:
            sink.write_bytes(_output.head_text(status_line, headers).encode("latin-1", "replace"))
        sink.write_bytes(body)
        if args.output_file is None and ctx.stdout_is_tty and not body.endswith(b"\n"):
            sink.write_bytes(b"\n")  # keep the shell prompt on its own line
    finally:
        sink.close()
