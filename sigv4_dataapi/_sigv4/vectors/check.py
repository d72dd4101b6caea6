"""Checking a vector case stage by stage: canonical request, string to sign, signature,
signed request, in pipeline order, so a failure says whether canonicalisation or
the crypto is wrong. SigV4a signatures are randomised: they are verified with the
case's public key, and the derived public key is compared too.
"""

from __future__ import annotations

from dataclasses import replace

from sigv4_dataapi._errors import DataAPIError, MissingDependencyError
from sigv4_dataapi._sigv4.sign import AUTHORIZATION, SIGV4, SigningResult, sign_request
from sigv4_dataapi._sigv4.vectors.case import (
    Case,
    Context,
    Mismatch,
    Mode,
    Outcome,
    RawRequest,
    parse_request,
)


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


def sign(case: Case, context: Context, mode: Mode) -> SigningResult:
    """Sign the case's request as written (bare target + Host header, raw bytes)."""
    request = case.request
    return sign_request(
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


def _check_signature(case: Case, expected: str | None, result: SigningResult) -> list[Mismatch]:
    if case.public_key is not None:
        return _check_v4a(case, case.public_key, result)
    if expected is None:
        return []
    actual = result.signature
    if expected.startswith(SIGV4):  # legacy .authz: the whole Authorization value
        actual = result.headers.get(AUTHORIZATION, actual)
    return [] if expected.strip() == actual else [Mismatch("signature", expected.strip(), actual)]


def _check_v4a(case: Case, point: tuple[int, int], result: SigningResult) -> list[Mismatch]:
    """ECDSA is randomised: check the derived public key, then verify our signature with it."""
    from sigv4_dataapi._sigv4 import v4a as _sigv4a

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


def signed_request(request: RawRequest, result: SigningResult) -> RawRequest:
    """The request as it would be sent: the caller's headers plus the signature's."""
    replaced = {name.lower() for name in result.headers} | {"authorization", "x-amz-date"}
    kept = [(n, v) for n, v in request.headers if n.lower() not in replaced]
    return replace(request, target=result.url, headers=(*kept, *result.headers.items()))


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
    """Replace the hex after ``Signature=`` in the Authorization line and the query."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("authorization:", "X-Amz-Signature=")):
            lines[i] = line.partition("Signature=")[0] + "Signature=<masked>"
    return "\n".join(lines)
