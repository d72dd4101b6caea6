"""``sigv4-dataapi request``: sign any HTTP request for any AWS service (like awscurl).

curl's flags (``-X -H -d -i -o -v --fail``) on top of the project's own
signer, SigV4 or SigV4a (``--sigv4a --region-set``). The body is sent exactly
as read (``-d @file`` is not stripped of newlines as curl's ``-d`` would), so
the signed payload hash is the hash of what goes on the wire.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sigv4_dataapi._cli.commands import _common, _printed, _show
from sigv4_dataapi._cli.main import Context, ExitStatus, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from sigv4_dataapi._cli import output as _output
    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._sigv4.sign import SigningResult

HELP = "sign and send any HTTP request to any AWS service (an awscurl replacement)"

# RFC 9110 token characters; a value may not hold CR, LF or NUL (header injection)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_BAD_VALUE = re.compile(r"[\r\n\0]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the full URL, e.g. https://sts.amazonaws.com/")
    parser.add_argument("-X", "--request", metavar="METHOD", help="method (GET, or POST with -d)")
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="add a header (repeatable); it is signed",
    )
    parser.add_argument(
        "-d", "--data", metavar="@FILE|@-|TEXT", help="the body: a file, stdin, or the text"
    )
    parser.add_argument("--service", required=True, help="signing name, e.g. rds-data, sts, s3")
    parser.add_argument("--sigv4a", action="store_true", help="sign with SigV4a (ECDSA P-256)")
    parser.add_argument(
        "--region-set",
        metavar="REGIONS",
        help="SigV4a region set, e.g. '*' or 'us-east-1,us-west-2'",
    )
    _common.add_connection_arguments(parser, endpoint=False)
    _common.add_output_arguments(parser)


def parse_header(text: str) -> tuple[str, str]:
    """``'Name: value'`` (the space is optional) into a checked pair."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.match(name):
        raise UsageError(f"-H {text!r}: expected 'Name: value'")
    value = value.strip(" \t")
    if _BAD_VALUE.search(value):
        raise UsageError(f"-H {name}: a header value may not contain CR, LF or NUL")
    return name, value


def read_data(spec: str | None, ctx: Context) -> bytes:
    """curl's ``-d``: ``@FILE``, ``@-`` (stdin) or the text itself (UTF-8)."""
    if spec is None:
        return b""
    if spec.startswith("@"):
        return _common.read_source(spec[1:], ctx, "data file")
    return spec.encode("utf-8")


def run(args: argparse.Namespace, ctx: Context) -> int:
    method = (args.request or ("POST" if args.data is not None else "GET")).upper()
    if not _HEADER_NAME.match(method):
        raise UsageError(f"-X {args.request!r}: not an HTTP method")
    url = _check_url(args.url)
    headers = [parse_header(h) for h in args.header]
    body = read_data(args.data, ctx)
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("Content-Type", "application/json"))
    if args.region_set and not args.sigv4a:
        raise UsageError("--region-set needs --sigv4a")
    conn = _common.resolve_connection(args, ctx, need_region=not args.region_set)
    credentials = _common.resolve_credentials(args, ctx)
    signed = _sign(args, conn, credentials, (method, url, headers, body))
    verbose = _show.Verbose(ctx, _show.Redactor(credentials), args.verbose)
    verbose.signed(signed.canonical_request, signed.string_to_sign)
    wire_headers = [*headers, *signed.headers.items()]
    if args.print_curl or args.dry_run:
        printed = (method, signed.url, wire_headers, body)
        _printed.print_signed(args, ctx, conn, credentials, printed)
        return ExitStatus.OK
    with _http_client(conn, signed.url, ctx) as client:
        request = client.build_request(method, signed.url, headers=wire_headers, content=body)
        verbose.request(method, request.url.raw_path.decode("ascii"), request.headers.multi_items())
        return _send(client, request, args, ctx, verbose)


def _sign(
    args: argparse.Namespace,
    conn: _common.Connection,
    credentials: Credentials,
    request: tuple[str, str, list[tuple[str, str]], bytes],
) -> SigningResult:
    """SigV4 or SigV4a; S3 signs the path as sent (pitfall 6) and wants its payload hash."""
    from sigv4_dataapi._sigv4 import sign as _sigv4

    method, url, headers, body = request
    s3 = args.service.startswith("s3")
    settings = _sigv4.SigningSettings(
        algorithm=_sigv4.SIGV4A if args.sigv4a else _sigv4.SIGV4,
        normalize_path=not s3,
        double_encode_path=not s3,
        content_sha256_header=s3,
    )
    return _sigv4.sign_request(
        method, url, headers=headers, body=body, credentials=credentials,
        region=args.region_set or (conn.region if not args.sigv4a else "*"),
        service=args.service, now=_common.utc_now(), settings=settings,
    )  # fmt: skip


def _check_url(url: str) -> str:
    if not re.match(r"^https?://[^/?#\s]+", url):
        raise UsageError(f"URL must start with http:// or https:// and name a host: {url!r}")
    if any(ch.isspace() for ch in url):
        raise UsageError(f"URL may not contain spaces (percent-encode them): {url!r}")
    return url


def _send(
    client: httpx.Client,
    request: httpx.Request,
    args: argparse.Namespace,
    ctx: Context,
    verbose: _show.Verbose,
) -> int:
    from sigv4_dataapi._cli import output as _output

    sink = _output.Sink(ctx.stdout, args.output_file)
    try:
        with _translate_errors(str(request.url)):
            response = client.send(request, stream=True)
            try:
                return _deliver(response, args, sink, verbose)
            finally:
                response.close()
    finally:
        sink.close()


def _deliver(
    response: httpx.Response,
    args: argparse.Namespace,
    sink: _output.Sink,
    verbose: _show.Verbose,
) -> int:
    """Stream the body out (unless ``--fail`` and an error); an error raises after."""
    from sigv4_dataapi._cli import output as _output

    status_line = f"{response.http_version} {response.status_code} {response.reason_phrase}"
    headers = response.headers.multi_items()
    verbose.response(status_line, headers)
    failed = response.status_code >= 400
    if failed:
        body = response.read()
        if not args.fail:
            _write(sink, args.include, _output.head_text(status_line, headers), [body])
        raise _error_from_response(response, body)
    _write(sink, args.include, _output.head_text(status_line, headers), response.iter_bytes())
    return ExitStatus.OK


# -- HTTP: the client, its errors, the service's errors -------------------------------


def _http_client(conn: _common.Connection, url: str, ctx: Context) -> httpx.Client:
    """A client with the connection's TLS trust, timeout and proxy (from the env)."""
    import httpx

    from sigv4_dataapi import __version__
    from sigv4_dataapi._transport import endpoint as _endpoint
    from sigv4_dataapi._transport.stdhttp import StdlibTransport

    proxy = _endpoint.proxy_for(url, ctx.env)
    # http.client is loaded already; httpx's own transport (httpcore) only for a proxy
    transport = None if proxy is not None else StdlibTransport(conn.verify)
    return httpx.Client(
        headers={"User-Agent": f"sigv4-dataapi/{__version__}"},
        verify=conn.verify,
        timeout=conn.timeout,
        transport=transport,
        proxy=proxy,
        trust_env=False,  # the proxy comes from the injected environment
        follow_redirects=False,  # a redirect would need a new signature
    )


@contextlib.contextmanager
def _translate_errors(url: str) -> Iterator[None]:
    """httpx's exceptions become the package's transport errors, one line each."""
    import httpx

    from sigv4_dataapi import _errors

    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise _errors.ConnectError(f"timed out connecting to {url}") from exc
    except httpx.ConnectError as exc:
        raise _errors.ConnectError(f"cannot connect to {url}: {_reason(exc)}") from exc
    except httpx.TimeoutException as exc:
        raise _errors.ReadTimeoutError(f"no answer from {url} in time") from exc
    except httpx.TransportError as exc:
        raise _errors.ConnectionLostError(f"connection to {url} failed: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    """The innermost reason (``certificate verify failed``, ``Connection refused``)."""
    while exc.__context__ is not None and not str(exc):
        exc = exc.__context__
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "TLS certificate verify failed (use --ca-file, or AWS_CA_BUNDLE)"
    return " ".join(text.split())


def _error_from_response(response: httpx.Response, body: bytes) -> Exception:
    """The service's error code, message and request id (restJson1, or XML for others).

    Without them (an empty 403 to a HEAD), botocore's fallback: the status as the
    code, the reason phrase as the message.
    """
    from sigv4_dataapi import _errors

    fields = _error_fields(body)
    headers = response.headers
    code = headers.get("x-amzn-errortype") or fields.get("code") or str(response.status_code)
    code = code.split(":", 1)[0].rsplit("#", 1)[-1]
    message = fields.get("message") or response.reason_phrase
    request_id = headers.get("x-amzn-requestid") or headers.get("x-amz-request-id")
    return _errors.service_error(
        code, message, status_code=response.status_code, request_id=request_id
    )


def _error_fields(body: bytes) -> dict[str, str]:
    import json

    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        code = data.get("code") or data.get("Code") or data.get("__type") or ""
        message = data.get("message") or data.get("Message") or ""
        return {"code": str(code), "message": str(message)}
    found = {}
    for key in ("Code", "Message"):  # the query/XML protocols (STS, S3)
        match = re.search(rf"<{key}>(.*?)</{key}>", text, re.DOTALL)
        if match:
            found[key.lower()] = match.group(1).strip()
    return found


def _write(sink: _output.Sink, include: bool, head: str, chunks: Iterable[bytes]) -> None:
    if include:
        sink.write_bytes(head.encode("latin-1", "replace"))
    for chunk in chunks:
        sink.write_bytes(chunk)
