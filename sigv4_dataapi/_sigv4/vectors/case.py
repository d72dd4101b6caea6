"""The vector harness's data: a case, the request it signs, and the verdicts.

A Case is one aws-c-auth folder or one legacy ``.req`` stem, read into memory
(``_vector_layouts``); an Outcome is the verdict of one (case, mode), with a
Mismatch per failed stage. ``parse_request`` reads the HTTP/1.1 text both
layouts use for requests and signed requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.signing_settings import SigningSettings

Mode = Literal["header", "query"]
MODES: tuple[Mode, ...] = ("header", "query")


@dataclass(frozen=True)
class RawRequest:
    """An HTTP/1.1 request as written in a vector file (obs-folded lines unfolded)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, lower_name: str) -> str | None:
        return next((v.strip() for n, v in self.headers if n.lower() == lower_name), None)


@dataclass(frozen=True)
class Context:
    """What to sign with: the parameters of ``context.json``."""

    credentials: Credentials
    region: str
    service: str
    now: datetime
    settings: SigningSettings = field(default_factory=SigningSettings)


@dataclass(frozen=True)
class Mismatch:
    """One failed stage of one (case, mode): expected vs actual text."""

    stage: str
    expected: str
    actual: str


@dataclass(frozen=True)
class Outcome:
    """The verdict of one (case, mode): passed, failed (with mismatches) or skipped."""

    case: str
    mode: Mode
    mismatches: tuple[Mismatch, ...] = ()
    skipped: str | None = None
    note: str | None = None  # a stage checked partially, and why

    @property
    def passed(self) -> bool:
        return self.skipped is None and not self.mismatches


def parse_request(data: bytes) -> RawRequest:
    """Parse a vector request: ``\\r`` stripped, continuation lines joined with a space.

    aws-c-auth keeps an obs-folded value's line breaks; our signer refuses line
    breaks in values, so the folding is undone here, as HTTP parsers may do
    (RFC 9112 §5.2); canonicalisation then collapses the spaces the same way.
    """
    head, _, body = data.replace(b"\r", b"").partition(b"\n\n")
    lines = head.decode("utf-8").split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rpartition(" ")[0] if rest.endswith(("HTTP/1.1", "HTTP/1.0")) else rest
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
        elif line:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return RawRequest(method, target, tuple(headers), body)


@dataclass(frozen=True)
class Case:
    """One case folder (aws-c-auth layout) or one ``.req`` stem (legacy layout)."""

    name: str
    request: RawRequest
    expected: dict[Mode, dict[str, str]]  # mode -> stage -> expected text
    context: Context
    signed_context: Context  # differs only for partial upstream cases
    public_key: tuple[int, int] | None = None  # SigV4a
    mask_signed_request: str | None = None  # why, for an upstream defect

    @property
    def modes(self) -> tuple[Mode, ...]:
        return tuple(mode for mode in MODES if mode in self.expected)
