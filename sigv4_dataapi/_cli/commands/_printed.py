"""``--print-curl`` and ``--dry-run``: the signed request printed instead of sent.

The printed request works only if it carries what the signature covers, the
session token included; it never carries the secret key (it is not sent, only
used to sign). :func:`print_signed` says so on stderr every time.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sigv4_dataapi._cli.commands import _common, _show
from sigv4_dataapi._cli.main import Context
from sigv4_dataapi._errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    from sigv4_dataapi._credentials.value import Credentials


def print_signed(
    args: argparse.Namespace,
    ctx: Context,
    conn: _common.Connection,
    credentials: Credentials,
    request: tuple[str, str, list[tuple[str, str]], bytes],
) -> None:
    """Print ``(method, url, signed headers, body)`` as curl (``--print-curl``) or HTTP."""
    method, url, headers, body = request
    if args.print_curl:
        verify = False if conn.insecure else (conn.ca_file or True)
        text = curl_command(method, url, headers, body, verify=verify)
        _show.token_notice(ctx, credentials, "curl command")
    else:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        text = http_request_text(method, target, [("Host", parts.netloc), *headers], body)
        _show.token_notice(ctx, credentials, "printed request")
    _common.print_stdout(ctx, text)


def curl_command(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    verify: bool | str,
) -> str:
    """A runnable ``curl`` command for a signed request, with the same TLS trust.

    ``Expect:`` stops curl adding an unsigned ``Expect: 100-continue`` to big
    bodies; ``--data-binary`` sends the bytes untouched (``-d`` strips newlines).
    """
    parts = ["curl", "-sS", "-X", method, shlex.quote(url)]
    if isinstance(verify, str):
        parts += ["--cacert", shlex.quote(verify)]
    elif verify is False:
        parts.append("-k")
    for name, value in headers:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    parts += ["-H", "'Expect:'"]
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = "\0"
        if "\0" in text:
            raise ConfigurationError("the body is not text: it cannot go on a command line")
        parts += ["--data-binary", shlex.quote(text)]
    return " ".join(parts)


def http_request_text(
    method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes
) -> str:
    """The signed request as HTTP/1.1 puts it on the wire, for ``--dry-run``."""
    lines = [f"{method} {target} HTTP/1.1", *(f"{n}: {v}" for n, v in headers), "", ""]
    return "\n".join(lines) + body.decode("utf-8", "replace")
