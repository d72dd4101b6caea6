"""What a command shows about a request on stderr, never a secret.

Everything printed about a request goes through :class:`Redactor`, which
knows the secret key and the session token and replaces them wherever they
appear: the verbose dump cannot leak them by forgetting a header.
:class:`ResumeProgress` tells the user a paused database is being waited for.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sigv4_dataapi._cli.main import Context

if TYPE_CHECKING:  # pragma: no cover
    from sigv4_dataapi._credentials.value import Credentials

REDACTED = "<redacted>"
TOKEN_HEADER = "x-amz-security-token"
SIGNATURE_LIFETIME = "about 5 minutes"  # AWS rejects a signature older than 5 minutes


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


def token_notice(ctx: Context, credentials: Credentials, what: str) -> None:
    """The printed request must carry the session token to work: say so."""
    if credentials.session_token:
        ctx.warn(
            f"note: the {what} carries your session token (X-Amz-Security-Token) "
            "but never your secret key; treat it as a secret"
        )
    ctx.warn(f"note: the signature is valid for {SIGNATURE_LIFETIME}")
