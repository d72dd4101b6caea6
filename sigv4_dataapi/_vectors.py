"""Signing test vectors: discover cases, sign them, check stage by stage.

Two layouts are read. The aws-c-auth one (a folder per case: ``context.json``,
``request.txt``, ``{header,query}-{canonical-request,string-to-sign,signature,
signed-request}.txt``, ``public-key.json`` for SigV4a) and the legacy
"aws-sig-v4-test-suite" one (``<case>.req/.creq/.sts/.authz/.sreq``). A
(case, mode) is the unit that passes or fails; stages are checked in pipeline
order so a failure says whether canonicalisation or the crypto is wrong.
Partial upstream folders without ``context.json`` (smithy-rs's extras) take
their time, scope and key from their own expected files, as documented in
``shared/vectors/SOURCE.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from sigv4_dataapi import _sigv4
from sigv4_dataapi._credentials import Credentials
from sigv4_dataapi._errors import DataAPIError, MissingDependencyError

# Published test credentials, by access key id (the suite's and smithy-rs's for_tests()).
TEST_SECRETS = {
    "AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "ANOTREAL": "notrealrnrELgWzOk3IfjzDKtFBhDby",
}
# Legacy cases whose token is added after signing (the suite's post-sts-token/readme.txt).
LEGACY_TOKEN_AFTER = frozenset({"post-sts-header-after"})
# Upstream files that contradict their own case: file -> why its signed request is
# compared with signatures masked (every other stage is still checked in full).
UPSTREAM_DEFECTS = {
    "get-vanilla-with-session-token.sreq": "its Authorization carries get-vanilla's "
    "signature (5fa00fa3...) under SignedHeaders with the token; .authz has the right one",
}
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)
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
    settings: _sigv4.SigningSettings = field(default_factory=_sigv4.SigningSettings)


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


def _read(path: Path) -> str:
    return path.read_bytes().replace(b"\r", b"").decode("utf-8").removesuffix("\n")


def _timestamp(text: str) -> datetime:
    compact = text.strip()
    if "-" in compact:
        return datetime.fromisoformat(compact.replace("Z", "+00:00"))
    return datetime.strptime(compact, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


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


STAGE_FILES = {
    "canonical request": "canonical-request.txt",
    "string to sign": "string-to-sign.txt",
    "signature": "signature.txt",
    "signed request": "signed-request.txt",
}
LEGACY_FILES = {
    "canonical request": ".creq",
    "string to sign": ".sts",
    "signature": ".authz",
    "signed request": ".sreq",
}


def discover(paths: Iterable[Path]) -> Iterator[tuple[str, Path, str]]:
    """Yield (name, location, layout) for every case under ``paths``, in sorted order.

    Layouts: ``crt``, ``legacy`` and ``partial`` (an aws-c-auth folder without
    ``context.json``). A folder with ``request.txt`` but no expected files is
    not a case (the two v4a orphans upstream never ran). Names are relative
    to the given path.
    """
    for root in paths:
        if root.is_file() and root.suffix == ".req":
            yield root.stem, root, "legacy"
            continue
        for request in sorted([*root.rglob("request.txt"), *root.rglob("*.req")]):
            rel = request.parent.relative_to(root).as_posix()
            label = root.name if rel == "." else rel
            if request.suffix == ".req":
                yield (label if label.endswith(request.stem) else f"{label}/{request.stem}",
                       request, "legacy")  # fmt: skip
            elif any((request.parent / f"{m}-canonical-request.txt").exists() for m in MODES):
                complete = (request.parent / "context.json").exists()
                yield label, request.parent, "crt" if complete else "partial"


def select(paths: Iterable[Path]) -> tuple[list[tuple[str, Path, str]], list[str]]:
    """The cases to run under ``paths``, and the partial ones left out.

    Partial cases are opt-in: under a path that also holds complete cases they
    are left out (and named), so a suite's count does not depend on upstream's
    unfinished extras; a path holding only partial cases runs them.
    """
    chosen: list[tuple[str, Path, str]] = []
    left_out: list[str] = []
    for root in paths:
        found = list(discover([root]))
        complete = any(layout != "partial" for _, _, layout in found)
        for entry in found:
            if complete and entry[2] == "partial":
                left_out.append(entry[0])
            else:
                chosen.append(entry)
    return chosen, left_out


def load(name: str, location: Path, layout: str) -> Case:
    """Read one case into memory (requests, expected texts, context)."""
    return _load_legacy(name, location) if layout == "legacy" else _load_crt(name, location)


def _load_crt(name: str, folder: Path) -> Case:
    request = parse_request((folder / "request.txt").read_bytes())
    expected = {
        mode: {
            stage: _read(folder / f"{mode}-{suffix}")
            for stage, suffix in STAGE_FILES.items()
            if (folder / f"{mode}-{suffix}").exists()
        }
        for mode in MODES
        if (folder / f"{mode}-canonical-request.txt").exists()
    }
    key_file = folder / "public-key.json"
    public_key = None
    if key_file.exists():
        point = json.loads(key_file.read_text(encoding="utf-8"))
        public_key = (int(point["X"], 16), int(point["Y"], 16))
    algorithm = _sigv4.SIGV4A if public_key else _sigv4.SIGV4
    context_file = folder / "context.json"
    if context_file.exists():
        context = _crt_context(json.loads(context_file.read_text(encoding="utf-8")), algorithm)
        return Case(name, request, expected, context, context, public_key)
    header = expected.get("header", {})
    return Case(name, request, expected, _partial_context(request, header),
                _signed_request_context(request, header), public_key)  # fmt: skip


def _crt_context(data: dict[str, object], algorithm: str) -> Context:
    creds = data["credentials"]
    if not isinstance(creds, dict):
        raise ValueError("context.json: credentials must be an object")
    settings = _sigv4.SigningSettings(
        normalize_path=bool(data.get("normalize", True)),
        omit_session_token=bool(data.get("omit_session_token", False)),
        content_sha256_header=bool(data.get("sign_body", False)),
        expires_in=int(str(data.get("expiration_in_seconds", 3600))),
        algorithm=_sigv4.SIGV4A if algorithm == _sigv4.SIGV4A else _sigv4.SIGV4,
    )
    credentials = Credentials(
        creds["access_key_id"], creds["secret_access_key"], creds.get("token")
    )
    return Context(credentials, str(data["region"]), str(data["service"]),
                   _timestamp(str(data["timestamp"])), settings)  # fmt: skip


def _scope_of(authorization: str | None) -> list[str]:
    """[key id, date, region, service] from an Authorization header's Credential=."""
    credential = (authorization or "").partition("Credential=")[2].partition(",")[0]
    return credential.split("/")[:4] if credential.count("/") >= 4 else []


def _partial_context(request: RawRequest, header: dict[str, str]) -> Context:
    """Context of a case without context.json, for the canonical and string-to-sign stages."""
    creq = header.get("canonical request", "")
    stamp = next((line[11:] for line in creq.split("\n") if line.startswith("x-amz-date:")), "")
    sts_lines = header.get("string to sign", "").split("\n")
    signed = parse_request(header.get("signed request", "").encode("utf-8"))
    scope = sts_lines[2].split("/") if len(sts_lines) > 2 else _scope_of(
        signed.header("authorization"))[1:]  # fmt: skip
    key_id = (_scope_of(signed.header("authorization")) or ["AKIDEXAMPLE"])[0]
    now = _timestamp(stamp) if stamp else SUITE_TIME
    region, service = (scope[1], scope[2]) if len(scope) >= 3 else ("us-east-1", "service")
    return Context(_test_credentials(key_id), region, service, now)


def _test_credentials(access_key_id: str) -> Credentials:
    if access_key_id not in TEST_SECRETS:
        raise ValueError(f"no published test secret for access key {access_key_id!r}")
    return Credentials(access_key_id, TEST_SECRETS[access_key_id])


def _signed_request_context(request: RawRequest, header: dict[str, str]) -> Context:
    """Context that reproduces a partial case's signed request (its own key, time, scope)."""
    signed = parse_request(header.get("signed request", "").encode("utf-8"))
    scope = _scope_of(signed.header("authorization"))
    base = _partial_context(request, header)
    if len(scope) < 4:
        return base
    stamp = signed.header("x-amz-date")
    now = _timestamp(stamp) if stamp else base.now
    return replace(base, credentials=_test_credentials(scope[0]), region=scope[2],
                   service=scope[3], now=now)  # fmt: skip


def _load_legacy(name: str, req: Path) -> Case:
    """A legacy case: the suite's fixed parameters; a token only in .sreq was added after."""
    request = parse_request(req.read_bytes())
    expected: dict[Mode, dict[str, str]] = {
        "header": {
            stage: _read(req.with_suffix(suffix))
            for stage, suffix in LEGACY_FILES.items()
            if req.with_suffix(suffix).exists()
        }
    }
    signed = parse_request(expected["header"].get("signed request", "").encode("utf-8"))
    token = request.header("x-amz-security-token") or signed.header("x-amz-security-token")
    after = req.stem in LEGACY_TOKEN_AFTER
    stamp = request.header("x-amz-date")
    context = Context(
        Credentials("AKIDEXAMPLE", TEST_SECRETS["AKIDEXAMPLE"], token),
        "us-east-1",
        "service",
        _timestamp(stamp) if stamp else SUITE_TIME,
        _sigv4.SigningSettings(omit_session_token=after),
    )
    defect = UPSTREAM_DEFECTS.get(req.with_suffix(".sreq").name)
    return Case(name, request, expected, context, context, mask_signed_request=defect)


def load_all(paths: Iterable[Path]) -> list[Case]:
    """Load every case :func:`select` chooses under ``paths``."""
    return [load(name, location, layout) for name, location, layout in select(paths)[0]]


def run_case(name: str, location: Path, layout: str) -> list[Outcome]:
    """Load and check one discovered case; an unreadable case is one failure, not a crash."""
    try:
        case = load(name, location, layout)
    except (OSError, ValueError, KeyError, TypeError, DataAPIError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
        return [Outcome(name, "header", (Mismatch("load", "a readable case", problem),))]
    return check(case)


def check(case: Case) -> list[Outcome]:
    """Check every mode of ``case`` stage by stage; a missing extra is a skip with its reason."""
    outcomes = []
    for mode in case.modes:
        try:
            mismatches = check_mode(case, mode)
        except MissingDependencyError as exc:
            outcomes.append(Outcome(case.name, mode, skipped=str(exc)))
            continue
        except DataAPIError as exc:
            mismatches = [Mismatch("signing", "a signature", f"{type(exc).__name__}: {exc}")]
        note = None
        if case.mask_signed_request and "signed request" in case.expected[mode]:
            note = f"signed request compared with signatures masked: {case.mask_signed_request}"
        outcomes.append(Outcome(case.name, mode, tuple(mismatches), note=note))
    return outcomes


def sign(case: Case, context: Context, mode: Mode) -> _sigv4.SigningResult:
    """Sign the case's request as written (bare target + Host header, raw bytes)."""
    request = case.request
    return _sigv4.sign_request(
        request.method, request.target, headers=request.headers, body=request.body,
        credentials=context.credentials, region=context.region, service=context.service,
        now=context.now, settings=replace(context.settings, signature_location=mode),
    )  # fmt: skip


def check_mode(case: Case, mode: Mode) -> list[Mismatch]:
    """Canonical request, string to sign, signature, signed request: in pipeline order."""
    expected = case.expected[mode]
    result = sign(case, case.context, mode)
    actual = {
        "canonical request": result.canonical_request,
        "string to sign": result.string_to_sign,
    }
    mismatches = [
        Mismatch(stage, expected[stage], text)
        for stage, text in actual.items()
        if stage in expected and expected[stage] != text
    ]
    mismatches += _check_signature(case, expected.get("signature"), result)
    if "signed request" in expected:
        if case.signed_context != case.context:
            result = sign(case, case.signed_context, mode)
        want = render_signed(parse_request(expected["signed request"].encode("utf-8")), case)
        got = render_signed(signed_request(case.request, result), case)
        if want != got:
            mismatches.append(Mismatch("signed request", want, got))
    return mismatches


def _check_signature(
    case: Case, expected: str | None, result: _sigv4.SigningResult
) -> list[Mismatch]:
    if case.public_key is not None:
        return _check_v4a(case, case.public_key, result)
    if expected is None:
        return []
    actual = result.signature
    if expected.startswith(_sigv4.SIGV4):  # legacy .authz: the whole Authorization value
        actual = result.headers.get(_sigv4.AUTHORIZATION, actual)
    return [] if expected.strip() == actual else [Mismatch("signature", expected.strip(), actual)]


def _check_v4a(case: Case, point: tuple[int, int], result: _sigv4.SigningResult) -> list[Mismatch]:
    """ECDSA is randomised: check the derived public key, then verify our signature with it."""
    from sigv4_dataapi import _sigv4a

    mismatches = []
    derived = _sigv4a.public_point(case.context.credentials)
    if derived != point:
        mismatches.append(Mismatch("public key", _point_text(point), _point_text(derived)))
    try:
        public_key = _sigv4a.public_key_from_point(*point)
    except ValueError:
        return [
            *mismatches,
            Mismatch("signature", "public-key.json to verify with", "no P-256 point"),
        ]
    if not _sigv4a.verify_signature(public_key, result.signature, result.string_to_sign):
        mismatches.append(
            Mismatch(
                "signature", "a signature that verifies with public-key.json", result.signature
            )
        )
    return mismatches


def _point_text(point: tuple[int, int]) -> str:
    return f"X={point[0]:064x}\nY={point[1]:064x}"


def signed_request(request: RawRequest, result: _sigv4.SigningResult) -> RawRequest:
    """The request as it would be sent: the caller's headers plus the signature's."""
    replaced = {name.lower() for name in result.headers} | {"authorization", "x-amz-date"}
    kept = [(n, v) for n, v in request.headers if n.lower() not in replaced]
    target = result.url if result.url != request.target else request.target
    return replace(request, target=target, headers=(*kept, *result.headers.items()))


def render_signed(request: RawRequest, case: Case) -> str:
    """A comparable text: query parameters and headers in a stable order (upstream
    compares them as sets), values trimmed; SigV4a signatures masked (randomised)."""
    path, _, query = request.target.partition("?")
    params = sorted(p for p in query.split("&") if p)
    headers = sorted(((n.lower(), v.strip()) for n, v in request.headers), key=lambda h: h[0])
    lines = [f"{request.method} {path}", *params, *(f"{n}:{v}" for n, v in headers)]
    text = "\n".join(lines) + "\n\n" + request.body.decode("utf-8", "replace")
    if case.public_key is not None or case.mask_signed_request:
        text = _mask_signatures(text)
    return text


def _mask_signatures(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        for marker in ("Signature=", "X-Amz-Signature="):
            head, found, _ = line.partition(marker)
            if found and line.startswith(("authorization:", "X-Amz-Signature=")):
                line = f"{head}{marker}<masked>"
        lines.append(line)
    return "\n".join(lines)
