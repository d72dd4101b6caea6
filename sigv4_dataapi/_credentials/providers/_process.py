"""``credential_process``: run a helper, read one JSON document from its stdout.

The command line is split with ``shlex`` (no shell, as botocore on POSIX).  The
output must be ``{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
"Expiration"?}``; with an ``Expiration`` (which must carry a zone) the helper is run
again inside the refresh windows.  It runs eagerly, when the chain is resolved.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Sequence
from typing import Any

from sigv4_dataapi._config import Profile
from sigv4_dataapi._credentials.providers._context import ProviderContext
from sigv4_dataapi._credentials.providers._document import expiration, lacking
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

NAME = "custom-process"
TIMEOUT = 300.0  # seconds: room for a human at an MFA or browser prompt, not forever


def provide(ctx: ProviderContext, profile: Profile) -> CredentialSource:
    command = profile.get("credential_process") or ""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialProviderError(NAME, f"cannot split credential_process: {exc}") from None
    if not argv:
        raise CredentialProviderError(NAME, "credential_process is empty")
    creds = run(ctx, argv)
    if creds.expiration is None:
        return CredentialSource(NAME, credentials=creds)
    return CredentialSource(NAME, credentials=creds, fetch=lambda: run(ctx, argv), clock=ctx.clock)


def _default_run(argv: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    """On a terminal the helper's stderr goes to it, so its prompts (MFA, browser
    login) are seen; otherwise it is captured for the error message."""
    stderr = None if _stderr_is_tty() else subprocess.PIPE
    return subprocess.run(
        list(argv), stdout=subprocess.PIPE, stderr=stderr, timeout=TIMEOUT, check=False
    )


def _stderr_is_tty() -> bool:
    import sys

    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def run(ctx: ProviderContext, argv: Sequence[str]) -> Credentials:
    runner = ctx.run_process or _default_run
    try:
        done = runner(argv)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CredentialProviderError(NAME, f"cannot run {argv[0]!r}: {exc}") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip() if done.stderr else ""
        detail = " ".join(stderr.split())[:500] or "see its messages above, if any"
        raise CredentialProviderError(
            NAME, f"{argv[0]!r} exited with status {done.returncode}: {detail}"
        )
    return parse_output(done.stdout)


def parse_output(stdout: bytes) -> Credentials:
    try:
        body: Any = json.loads(stdout)
    except ValueError:
        raise CredentialProviderError(NAME, "the output is not one JSON document") from None
    if not isinstance(body, dict):
        raise CredentialProviderError(NAME, "the output is not a JSON object")
    version = body.get("Version")
    if version != 1 or isinstance(version, bool):
        raise CredentialProviderError(NAME, f"Version must be the number 1, not {version!r}")
    missing = lacking(body, ("AccessKeyId", "SecretAccessKey"))
    if missing:
        raise CredentialProviderError(NAME, f"the output lacks {', '.join(missing)}")
    token = body.get("SessionToken")
    if token is not None and not isinstance(token, str):
        raise CredentialProviderError(NAME, "SessionToken must be a string")
    expiry = body.get("Expiration")
    expires = None if expiry is None else expiration(expiry, NAME)
    return Credentials(body["AccessKeyId"], body["SecretAccessKey"], token or None, expires)
