"""Reading vector cases from files: the aws-c-auth layout, its partial form, the legacy one.

aws-c-auth: a folder per case with ``context.json``, ``request.txt``,
``{header,query}-{canonical-request,string-to-sign,signature,signed-request}.txt``
and ``public-key.json`` for SigV4a. Legacy "aws-sig-v4-test-suite":
``<case>.req/.creq/.sts/.authz/.sreq`` with the suite's fixed parameters.
Partial upstream folders without ``context.json`` (smithy-rs's extras) take
their time, scope and key from their own expected files, as documented in
``shared/vectors/SOURCE.md``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.signing_settings import SigningSettings
from sigv4_dataapi._sigv4.string_to_sign import SIGV4, SIGV4A
from sigv4_dataapi._sigv4.vectors.case import MODES, Case, Context, Mode, RawRequest, parse_request

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


def _read(path: Path) -> str:
    return path.read_bytes().replace(b"\r", b"").decode("utf-8").removesuffix("\n")


def _timestamp(text: str) -> datetime:
    compact = text.strip()
    if "-" in compact:
        return datetime.fromisoformat(compact.replace("Z", "+00:00"))
    return datetime.strptime(compact, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def load(name: str, location: Path, layout: str) -> Case:
    """Read one case into memory (requests, expected texts, context)."""
    return load_legacy(name, location) if layout == "legacy" else load_crt(name, location)


def load_crt(name: str, folder: Path) -> Case:
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
    algorithm = SIGV4A if public_key else SIGV4
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
    settings = SigningSettings(
        normalize_path=bool(data.get("normalize", True)),
        omit_session_token=bool(data.get("omit_session_token", False)),
        content_sha256_header=bool(data.get("sign_body", False)),
        expires_in=int(str(data.get("expiration_in_seconds", 3600))),
        algorithm=SIGV4A if algorithm == SIGV4A else SIGV4,
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


def load_legacy(name: str, req: Path) -> Case:
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
        SigningSettings(omit_session_token=after),
    )
    defect = UPSTREAM_DEFECTS.get(req.with_suffix(".sreq").name)
    return Case(name, request, expected, context, context, mask_signed_request=defect)
