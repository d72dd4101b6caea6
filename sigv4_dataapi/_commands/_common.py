"""What ``send``, ``sql`` and ``request`` share: flags, settings, credentials, output.

The flags are curl's and the AWS CLI's (``-v -i -o --fail``, ``--region
--profile --endpoint-url``), so nothing has to be learnt twice. Everything a
command prints about a request goes through :class:`Redactor`, which knows the
secret key and the session token and replaces them wherever they appear: the
verbose dump cannot leak them by forgetting a header.

Module level imports are standard library only (argparse must stay cheap).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from sigv4_dataapi._cli import Context, UsageError
from sigv4_dataapi._errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from sigv4_dataapi._credentials import Credentials
    from sigv4_dataapi._providers import CredentialSource

REDACTED = "<redacted>"
TOKEN_HEADER = "x-amz-security-token"
DEFAULT_TIMEOUT = 70.0  # the service may take 45 s to answer a statement; leave a margin
DEFAULT_RESUME_TIMEOUT = 90.0  # the transport's default: a resume takes ~15 s, v1 up to 60
SIGNATURE_LIFETIME = "about 5 minutes"  # AWS rejects a signature older than 5 minutes


def add_connection_arguments(parser: argparse.ArgumentParser, *, endpoint: bool = True) -> None:
    """``--region --profile [--endpoint-url] --ca-file --no-verify-ssl --timeout``."""
    group = parser.add_argument_group("connection")
    group.add_argument("--region", help="AWS region (else AWS_REGION, the profile's region)")
    group.add_argument("--profile", help="profile of the shared config files (else AWS_PROFILE)")
    if endpoint:
        group.add_argument(
            "--endpoint-url",
            metavar="URL",
            help="send to URL (else AWS_ENDPOINT_URL_RDS_DATA, the profile, the AWS endpoint)",
        )
        group.add_argument(
            "--resume-timeout",
            type=_seconds,
            default=DEFAULT_RESUME_TIMEOUT,
            metavar="S",
            help="how long to wait for a paused database to resume "
            f"(default {DEFAULT_RESUME_TIMEOUT:g})",
        )
    group.add_argument(
        "--ca-file", metavar="PEM", help="trust these CA certificates (else AWS_CA_BUNDLE)"
    )
    group.add_argument(
        "--no-verify-ssl", action="store_true", help="do not verify TLS certificates (unsafe)"
    )
    group.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"connect/read timeout in seconds (default {DEFAULT_TIMEOUT:g})",
    )


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """curl's habits: ``-v -i -o --fail``, plus ``--print-curl`` and ``--dry-run``."""
    group = parser.add_argument_group("output")
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print the canonical request, string to sign and headers to stderr (redacted)",
    )
    group.add_argument(
        "-i", "--include", action="store_true", help="include the response's status and headers"
    )
    group.add_argument("-o", "--output-file", metavar="FILE", help="write the body to FILE")
    group.add_argument(
        "--fail",
        action="store_true",
        help="on an HTTP error write no body, only the one-line error (exit status unchanged)",
    )
    group.add_argument(
        "--print-curl",
        action="store_true",
        help="print a signed, ready-to-run curl command instead of sending",
    )
    group.add_argument(
        "--dry-run", action="store_true", help="print the signed HTTP request instead of sending"
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


# -- settings --------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """Where and how to connect, resolved once from flags, environment and profile."""

    region: str
    endpoint_url: str | None  # None for ``request`` (its URL is an argument)
    verify: Any  # what httpx takes: an ssl.SSLContext, or False
    ca_file: str | None  # the CA file in use, for --print-curl's --cacert
    insecure: bool
    timeout: float
    resume_timeout: float


def resolve_connection(
    args: argparse.Namespace,
    ctx: Context,
    *,
    resource_arn: str | None = None,
    need_region: bool = True,
) -> Connection:
    """Flags beat the environment, which beats the profile (the AWS CLI's order)."""
    from sigv4_dataapi import _endpoint

    region = ""
    if need_region:
        region = _endpoint.resolve_region(
            args.region, resource_arn=resource_arn, env=ctx.env, profile=args.profile
        )
    endpoint_url = None
    if hasattr(args, "endpoint_url"):
        endpoint_url = _endpoint.resolve_endpoint(
            args.endpoint_url, region=region, env=ctx.env, profile=args.profile
        ).url
    ca_file = args.ca_file or _endpoint.ca_bundle(ctx.env, args.profile)
    if ca_file and not os.path.exists(ca_file):
        raise ConfigurationError(f"CA file not found: {ca_file}")
    if args.no_verify_ssl:
        ctx.warn("warning: TLS certificates are not verified (--no-verify-ssl)")
        verify: Any = False
    else:
        verify = _endpoint.ssl_context(True, bundle=ca_file)
    return Connection(
        region=region,
        endpoint_url=endpoint_url,
        verify=verify,
        ca_file=None if args.no_verify_ssl else ca_file,
        insecure=bool(args.no_verify_ssl),
        timeout=args.timeout,
        resume_timeout=getattr(args, "resume_timeout", DEFAULT_RESUME_TIMEOUT),
    )


def credential_source(
    args: argparse.Namespace, ctx: Context, region: str | None = None
) -> CredentialSource:
    """The credential chain (env, profile, process, SSO, container, IMDS)."""
    from sigv4_dataapi._providers import resolve_credentials

    return resolve_credentials(profile=args.profile, env=ctx.env, region=region or None)


def resolve_credentials(args: argparse.Namespace, ctx: Context) -> Credentials:
    return credential_source(args, ctx).get()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# -- redaction and verbose output ------------------------------------------------


class Redactor:
    """Replaces the secret key and the session token wherever they appear."""

    def __init__(self, credentials: Credentials | None) -> None:
        secrets = []
        if credentials is not None:
            secrets = [credentials.secret_access_key, credentials.session_token or ""]
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def header_lines(prefix: str, headers: Iterable[tuple[str, str]], redact: Redactor) -> str:
    lines = []
    for name, value in headers:
        shown = REDACTED if name.lower() == TOKEN_HEADER else redact(value)
        lines.append(f"{prefix}{name}: {shown}")
    return "\n".join(lines)


class Verbose:
    """curl ``-v`` on stderr: ``*`` notes, ``>`` request, ``<`` response lines."""

    def __init__(self, ctx: Context, redact: Redactor, enabled: bool) -> None:
        self._out = ctx.stderr
        self._redact = redact
        self.enabled = enabled

    def note(self, text: str) -> None:
        if self.enabled:
            for line in self._redact(text).splitlines() or [""]:
                print(f"* {line}", file=self._out)
            self._out.flush()

    def signed(self, canonical_request: str, string_to_sign: str) -> None:
        self.note("canonical request:\n" + _indent(canonical_request))
        self.note("string to sign:\n" + _indent(string_to_sign))

    def request(self, method: str, target: str, headers: Iterable[tuple[str, str]]) -> None:
        if self.enabled:
            print(f"> {method} {target}", file=self._out)
            print(header_lines("> ", headers, self._redact), file=self._out)
            print(">", file=self._out, flush=True)

    def response(self, status_line: str, headers: Iterable[tuple[str, str]]) -> None:
        if self.enabled:
            print(f"< {status_line}", file=self._out)
            print(header_lines("< ", headers, self._redact), file=self._out)
            print("<", file=self._out, flush=True)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


class ResumeProgress:
    """Shows that a paused database is being waited for: live on a TTY, else lines."""

    def __init__(self, ctx: Context) -> None:
        self._out = ctx.stderr
        self._live = ctx.stderr_is_tty
        self._shown = False

    def __call__(self, attempt: int, waited: float, deadline: float) -> None:
        text = (
            f"waiting for the database to resume (attempt {attempt}, "
            f"{waited:.0f}s so far, giving up after {deadline:.0f}s)"
        )
        if self._live:
            self._out.write("\r\x1b[K" + text)
        else:
            self._out.write(f"sigv4-dataapi: {text}\n")
        self._out.flush()
        self._shown = True

    def done(self, ok: bool) -> None:
        if not self._shown:
            return
        if self._live:
            self._out.write("\r\x1b[K")
        self._out.write("sigv4-dataapi: the database is up\n" if ok else "")
        self._out.flush()
        self._shown = False


# -- bodies, output sinks ---------------------------------------------------------


def read_source(spec: str, ctx: Context, what: str) -> bytes:
    """``-`` is stdin; anything else a file path. Errors are one line."""
    if spec == "-":
        return ctx.stdin.read()
    try:
        with open(spec, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {spec}") from None
    except IsADirectoryError:
        raise UsageError(f"{what} is a directory: {spec}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {spec}: {exc.strerror or exc}") from None


# -- HTTP without httpcore ---------------------------------------------------------


def http_transport(conn: Connection, url: str, ctx: Context) -> httpx.BaseTransport | None:
    """The CLI's one-shot HTTP transport, or None when a proxy applies (httpx's then).

    A command sends one request per process: a connection pool buys nothing, and
    importing httpcore and h11 for it is ~20% of a ``sql "SELECT 1"`` run. The
    standard library's ``http.client`` (already loaded by httpx) does the same
    round trip; the transport's retry and error logic is unchanged above it.
    """
    from sigv4_dataapi import _endpoint

    if _endpoint.proxy_for(url, ctx.env) is not None:
        return None
    return cast("httpx.BaseTransport", OneShotTransport(conn.verify, conn.timeout))


class OneShotTransport:
    """httpx's transport interface (``handle_request``, ``close``) over ``http.client``.

    One connection per request, closed when the body has been read. Failures
    are httpx's exceptions, split as httpx splits them: before the request left
    (``ConnectError``, ``ConnectTimeout``) or after (``ReadTimeout``,
    ``ReadError``), which is what tells a safe retry from an ambiguous one.
    """

    def __init__(self, verify: Any, timeout: float) -> None:
        self._verify = verify  # an ssl.SSLContext, or False
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import httpx

        url = request.url
        conn = self._connection(url.scheme, url.host, url.port)
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            conn.close()
            raise httpx.ConnectError(str(exc), request=request) from exc
        with _after_sending(request, conn):
            conn.putrequest(request.method, url.raw_path.decode("ascii"),
                            skip_host=True, skip_accept_encoding=True)  # fmt: skip
            for name, value in request.headers.raw:
                conn.putheader(name.decode("latin-1"), value)
            conn.endheaders(request.content or None)
            answer = conn.getresponse()
        version = b"HTTP/1.0" if answer.version == 10 else b"HTTP/1.1"
        return httpx.Response(
            answer.status, headers=answer.getheaders(), request=request,
            content=_chunks(request, conn, answer),  # streamed: `request -o` may be large
            extensions={"http_version": version, "reason_phrase": answer.reason.encode("latin-1")},
        )  # fmt: skip

    def _connection(self, scheme: str, host: str, port: int | None) -> Any:
        import http.client
        import ssl

        if scheme == "http":
            return http.client.HTTPConnection(host, port, timeout=self._timeout)
        context = self._verify
        if not isinstance(context, ssl.SSLContext):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, port, timeout=self._timeout, context=context)

    def close(self) -> None:
        """Nothing stays open between requests."""

    def __enter__(self) -> OneShotTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _chunks(request: httpx.Request, conn: Any, answer: Any) -> Iterator[bytes]:
    """The body as it arrives; the connection closes once it is read (or dropped)."""
    try:
        with _after_sending(request, conn):
            while chunk := answer.read(65536):
                yield chunk
    finally:
        conn.close()


@contextlib.contextmanager
def _after_sending(request: httpx.Request, conn: Any) -> Iterator[None]:
    """Failures once the request may have left are httpx's read errors (ambiguous)."""
    import http.client

    import httpx

    try:
        yield
    except TimeoutError as exc:
        conn.close()
        raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


def token_notice(ctx: Context, credentials: Credentials, what: str) -> None:
    """The printed request must carry the session token to work: say so."""
    if credentials.session_token:
        ctx.warn(
            f"note: the {what} carries your session token (X-Amz-Security-Token) "
            "but never your secret key; treat it as a secret"
        )
    ctx.warn(f"note: the signature is valid for {SIGNATURE_LIFETIME}")


def print_stdout(ctx: Context, text: str) -> None:
    ctx.stdout.write(text if text.endswith("\n") else text + "\n")
    ctx.stdout.flush()
