"""Presigned URLs: query-string signing with an expiry (``signature_location="query"``).

The auth parameters (algorithm, credential, date, expiry, signed headers, and
the token unless it is added after signing) join the request's own query in
the canonical request; the signature is appended last. Shared by SigV4 and
SigV4a: ``extra`` carries SigV4a's region set and ``sign`` the algorithm's
signature function. A presigned request is signed once, so no plan is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4 import canonical as _canonical
from sigv4_dataapi._sigv4.signable import (
    HeadersInput,
    body_hash,
    check_method,
    collect_headers,
    header_items,
)
from sigv4_dataapi._sigv4.signing_result import (
    X_AMZ_DATE,
    X_AMZ_REGION_SET,
    X_AMZ_SECURITY_TOKEN,
    SigningResult,
)
from sigv4_dataapi._sigv4.signing_settings import SigningSettings
from sigv4_dataapi._sigv4.string_to_sign import string_to_sign

X_AMZ_ALGORITHM = "X-Amz-Algorithm"
X_AMZ_CREDENTIAL = "X-Amz-Credential"
X_AMZ_EXPIRES = "X-Amz-Expires"
X_AMZ_SIGNED_HEADERS = "X-Amz-SignedHeaders"
X_AMZ_SIGNATURE = "X-Amz-Signature"
# Every parameter a presigned URL carries (SigV4 and SigV4a): a re-sign replaces them all.
PRESIGN_PARAMS = frozenset({
    X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SIGNED_HEADERS,
    X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE, X_AMZ_REGION_SET,
})  # fmt: skip


def presign(
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
    """Query-string signing: the auth parameters join the canonical query (presigned URL)."""
    check_method(method)
    target = _canonical.split_url(url)
    grouped = collect_headers(header_items(headers), target, credentials.session_token, extra)
    names = _canonical.signed_names(tuple(grouped), settings.unsigned_headers)
    signed = ";".join(names)
    auth = _auth_params(credentials, amz_date, scope, algorithm, signed, extra, settings)
    query = _canonical.sorted_query(_canonical.query_pairs(target.raw_query) + auth)
    payload = _canonical.UNSIGNED_PAYLOAD if settings.unsigned_payload else body_hash(body)
    uri = _canonical.canonical_uri(
        target.raw_path, settings.normalize_path, settings.double_encode_path
    )
    block = _canonical.header_block(grouped, names)
    creq = f"{method.upper()}\n{uri}\n{query}\n{block}\n{signed}\n{payload}"
    sts = string_to_sign(amz_date, scope, creq, algorithm)
    sig = sign(sts.encode("utf-8"))
    token = credentials.session_token
    if token and settings.omit_session_token:
        auth.append((X_AMZ_SECURITY_TOKEN, _quote(token)))
    auth.append((X_AMZ_SIGNATURE, sig))
    return SigningResult._make({}, creq, sts, sig, signed, scope, presigned_url(target.url, auth))


def _auth_params(
    credentials: Credentials,
    amz_date: str,
    scope: str,
    algorithm: str,
    signed: str,
    extra: Sequence[tuple[str, str]],
    settings: SigningSettings,
) -> list[tuple[str, str]]:
    """The signed auth parameters, percent-encoded, in the order they go on the URL."""
    params = {
        X_AMZ_ALGORITHM: algorithm,
        X_AMZ_CREDENTIAL: f"{credentials.access_key_id}/{scope}",
        X_AMZ_DATE: amz_date,
        X_AMZ_EXPIRES: str(settings.expires_in),
        X_AMZ_SIGNED_HEADERS: signed,
        **dict(extra),
    }
    token = credentials.session_token
    if token and not settings.omit_session_token:
        params[X_AMZ_SECURITY_TOKEN] = token
    return [(_quote(name), _quote(value)) for name, value in params.items()]


def presigned_url(url: str, auth: Sequence[tuple[str, str]]) -> str:
    """``url`` with the encoded auth parameters appended to its query."""
    joiner = "?" if "?" not in url else "" if url.endswith(("?", "&")) else "&"
    return url + joiner + "&".join(f"{name}={value}" for name, value in auth)


def _quote(value: str) -> str:
    return quote(value, safe="")
