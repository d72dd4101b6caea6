"""What ``send``, ``sql`` and ``request`` share: flags, settings, credentials, input.

The flags are curl's and the AWS CLI's (``-v -i -o --fail``, ``--region
--profile --endpoint-url``), so nothing has to be learnt twice. What a command
prints about a request is in ``_show`` (redacted); its HTTP is the library's ``_stdhttp``.

Module level imports are standard library only (argparse must stay cheap).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._cli.main import Context, UsageError
from sigv4_dataapi._errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    from sigv4_dataapi._credentials.providers import CredentialSource
    from sigv4_dataapi._credentials.value import Credentials

DEFAULT_TIMEOUT = 70.0  # the service may take 45 s to answer a statement; leave a margin
DEFAULT_RESUME_TIMEOUT = 90.0  # the transport's default: a resume takes ~15 s, v1 up to 60


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
    from sigv4_dataapi._transport import endpoint as _endpoint

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
    ca_file, verify = _trust(args, ctx)
    return Connection(
        region=region,
        endpoint_url=endpoint_url,
        verify=verify,
        ca_file=ca_file,
        insecure=bool(args.no_verify_ssl),
        timeout=args.timeout,
        resume_timeout=getattr(args, "resume_timeout", DEFAULT_RESUME_TIMEOUT),
    )


def _trust(args: argparse.Namespace, ctx: Context) -> tuple[str | None, Any]:
    """The CA file in use (``--ca-file``, else AWS_CA_BUNDLE) and what httpx verifies with."""
    from sigv4_dataapi._transport import endpoint as _endpoint

    ca_file = args.ca_file or _endpoint.ca_bundle(ctx.env, args.profile)
    if ca_file and not os.path.exists(ca_file):
        raise ConfigurationError(f"CA file not found: {ca_file}")
    if args.no_verify_ssl:
        ctx.warn("warning: TLS certificates are not verified (--no-verify-ssl)")
        return None, False
    return ca_file, _endpoint.ssl_context(True, bundle=ca_file)


def credential_source(
    args: argparse.Namespace, ctx: Context, region: str | None = None
) -> CredentialSource:
    """The credential chain (env, profile, process, SSO, container, IMDS)."""
    from sigv4_dataapi._credentials.providers import resolve_credentials

    return resolve_credentials(profile=args.profile, env=ctx.env, region=region or None)


def resolve_credentials(args: argparse.Namespace, ctx: Context) -> Credentials:
    return credential_source(args, ctx).get()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# -- input and output --------------------------------------------------------------


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


def print_stdout(ctx: Context, text: str) -> None:
    ctx.stdout.write(text if text.endswith("\n") else text + "\n")
    ctx.stdout.flush()
