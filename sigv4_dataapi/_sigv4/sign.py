"""SigV4 (``AWS4-HMAC-SHA256``): ``sign_request()``, and the signer's names in one place.

The pipeline follows the spec's nouns in order, one module each: the signable
request (``_signable``) becomes a CanonicalRequest (``_canonical``, memoised
per request shape by ``_plan``), then a StringToSign over a CredentialScope
(``_string_to_sign``), then a Signature made with the derived signing key
(``_signing_key``); ``sign_request`` returns a ``SigningResult``
(``_signing_result``): the headers to add, or a presigned URL (``_presign``),
plus every intermediate artifact. It is pure: the time comes in as ``now=``,
nothing is read from the environment and nothing passed in is mutated.
This module re-exports the pieces other modules use (``__all__``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.plan import plan
from sigv4_dataapi._sigv4.presign import presign
from sigv4_dataapi._sigv4.signable import HeadersInput, body_hash, check_credentials
from sigv4_dataapi._sigv4.signing_key import SIGNING_KEYS, derive_signing_key, signature
from sigv4_dataapi._sigv4.signing_result import (
    AUTHORIZATION,
    X_AMZ_CONTENT_SHA256,
    X_AMZ_DATE,
    X_AMZ_SECURITY_TOKEN,
    SigningResult,
)
from sigv4_dataapi._sigv4.signing_settings import (
    DEFAULT_SETTINGS,
    DEFAULT_UNSIGNED_HEADERS,
    MAX_EXPIRES,
    SigningSettings,
)
from sigv4_dataapi._sigv4.string_to_sign import (
    AWS4_REQUEST,
    SIGV4,
    SIGV4A,
    amz_date,
    check_scope_names,
    credential_scope,
    string_to_sign,
)

__all__ = [
    "AUTHORIZATION",
    "AWS4_REQUEST",
    "DEFAULT_SETTINGS",
    "DEFAULT_UNSIGNED_HEADERS",
    "MAX_EXPIRES",
    "SIGNING_KEYS",
    "SIGV4",
    "SIGV4A",
    "X_AMZ_CONTENT_SHA256",
    "X_AMZ_DATE",
    "X_AMZ_SECURITY_TOKEN",
    "HeadersInput",
    "SigningResult",
    "SigningSettings",
    "amz_date",
    "assemble",
    "check_credentials",
    "check_scope_names",
    "credential_scope",
    "derive_signing_key",
    "sign_request",
    "signature",
    "string_to_sign",
]


def sign_request(
    method: str,
    url: str,
    *,
    headers: HeadersInput = (),
    body: bytes = b"",
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime,
    settings: SigningSettings = DEFAULT_SETTINGS,
) -> SigningResult:
    """Sign one request with SigV4 (or SigV4a when ``settings.algorithm`` says so).

    ``url`` is the URL as it goes on the wire (already percent-encoded); a bare
    request target (``/path?query``) works when ``headers`` has a Host.
    ``region`` is the scope region for SigV4 and the region set for SigV4a.
    """
    if settings.algorithm == SIGV4A:
        from sigv4_dataapi._sigv4 import v4a as _sigv4a

        return _sigv4a.sign_request_v4a(
            method, url, headers=headers, body=body, credentials=credentials,
            region_set=region, service=service, now=now, settings=settings,
        )  # fmt: skip
    stamp = amz_date(now)
    date = stamp[:8]
    key = SIGNING_KEYS.get(credentials.secret_access_key, date, region, service)
    scope = f"{date}/{region}/{service}/{AWS4_REQUEST}"
    return assemble(method, url, headers, body, credentials, stamp, scope, SIGV4, (), settings,
                    key.hexdigest)  # fmt: skip


def assemble(
    method: str,
    url: str,
    headers: HeadersInput,
    body: bytes,
    credentials: Credentials,
    amz_date: str,
    scope: str,
    algorithm: str,
    extra: Sequence[tuple[str, str]],
    settings: SigningSettings,
    sign: Callable[[bytes], str],
) -> SigningResult:
    """The algorithm-independent part of signing, shared by SigV4 and SigV4a.

    Called positionally: it is the per-request hot path. ``extra`` are the
    algorithm's own signed parameters (SigV4a's region set); ``sign`` turns the
    UTF-8 string to sign into the hex signature.
    """
    token = credentials.session_token
    check_credentials(credentials.access_key_id, token)
    if settings.signature_location == "query":
        return presign(method, url, headers, body, credentials, amz_date, scope, algorithm,
                       extra, settings, sign)  # fmt: skip
    shape = plan(method, url, headers, token, extra, settings)
    payload = body_hash(body) if shape.hashes_body else ""
    creq = shape.canonical_request(amz_date, payload)
    sts = string_to_sign(amz_date, scope, creq, algorithm)
    sig = sign(sts.encode("utf-8"))
    added = {X_AMZ_DATE: amz_date, **shape.headers}
    if shape.fills_payload_header:
        added[X_AMZ_CONTENT_SHA256] = payload
    added[AUTHORIZATION] = (
        f"{algorithm} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={shape.signed_headers}, Signature={sig}"
    )
    return SigningResult._make(added, creq, sts, sig, shape.signed_headers, scope, shape.url)
