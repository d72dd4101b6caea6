"""SigV4 (``AWS4-HMAC-SHA256``): settings, scope, string to sign, signing key, sign_request().

The pipeline follows the spec's nouns in order: the caller's request becomes a
CanonicalRequest (``_canonical``), then a StringToSign over a CredentialScope,
then a Signature made with the derived signing key; ``sign_request`` returns
the headers (or presigned URL) to apply plus every intermediate artifact.
It is pure: the time comes in as ``now=``, nothing is read from the
environment and nothing passed in is mutated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Final, Literal
from urllib.parse import quote

from sigv4_dataapi import _canonical
from sigv4_dataapi._credentials import Credentials
from sigv4_dataapi._errors import SigningError

SIGV4: Final = "AWS4-HMAC-SHA256"
SIGV4A: Final = "AWS4-ECDSA-P256-SHA256"
AWS4_REQUEST = "aws4_request"
MAX_EXPIRES = 7 * 24 * 3600

# Headers a proxy or the HTTP stack may add, drop or rewrite: signing them breaks
# the signature in transit (pitfall 4; botocore's blacklist, aws-c-auth's skip list).
DEFAULT_UNSIGNED_HEADERS = frozenset({
    "authorization", "baggage", "connection", "expect", "keep-alive", "proxy-authenticate",
    "proxy-authorization", "te", "traceparent", "tracestate", "trailer", "transfer-encoding",
    "upgrade", "user-agent", "x-amzn-trace-id",
})  # fmt: skip

X_AMZ_DATE = "X-Amz-Date"
X_AMZ_SECURITY_TOKEN = "X-Amz-Security-Token"
X_AMZ_CONTENT_SHA256 = "X-Amz-Content-SHA256"
AUTHORIZATION = "Authorization"
# Input headers this signature replaces (pitfall 18: one fresh set per attempt).
_REPLACED = frozenset({"authorization", "x-amz-date"})
_REPLACED_WITH_TOKEN = _REPLACED | {"x-amz-security-token"}
# Characters an access key id may not hold: they would forge Credential= fields.
_BAD_KEY_ID = re.compile(r"[^\x21-\x7e]|[/,;=]")

HeadersInput = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SigningSettings:
    """Every knob the official suite varies; the defaults are what RDS Data API needs."""

    # Non-S3 services resolve dot segments and drop empty ones before verifying.
    normalize_path: bool = True
    # Non-S3 services sign the wire path encoded once more; S3 (single) turns it off.
    double_encode_path: bool = True
    # Every SDK signs the token; IoT-style presigning wants it added after signing.
    omit_session_token: bool = False
    # Only S3 requires x-amz-content-sha256; other services ignore it, so don't send it.
    content_sha256_header: bool = False
    # Sign the real body hash; UNSIGNED-PAYLOAD only for streams over TLS (S3).
    unsigned_payload: bool = False
    # Authorization header for API calls; "query" makes a presigned URL.
    signature_location: Literal["header", "query"] = "header"
    # Presigned URL lifetime in seconds: the suite's and AWS's usual value (max 7 days).
    expires_in: int = 3600
    # SigV4 (HMAC, regional scope); SigV4a (ECDSA, region set) needs `cryptography`.
    algorithm: Literal["AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"] = SIGV4
    # Headers never signed (hop-by-hop and proxy-rewritten ones).
    unsigned_headers: frozenset[str] = field(default=DEFAULT_UNSIGNED_HEADERS)

    # What a canonical-request plan depends on (memo key), computed once.
    _plan_key: tuple[object, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan_key", (
            self.normalize_path, self.double_encode_path, self.omit_session_token,
            self.content_sha256_header, self.unsigned_payload, self.unsigned_headers,
        ))  # fmt: skip
        if not 1 <= self.expires_in <= MAX_EXPIRES:
            raise SigningError(f"expires_in must be between 1 and {MAX_EXPIRES} seconds")
        if self.signature_location not in ("header", "query"):
            raise SigningError(f"unknown signature location {self.signature_location!r}")
        if self.algorithm not in (SIGV4, SIGV4A):
            raise SigningError(f"unknown signing algorithm {self.algorithm!r}")


DEFAULT_SETTINGS = SigningSettings()


@dataclass(frozen=True, repr=False)
class SigningResult:
    """What to apply to the request, and every intermediate artifact for debugging.

    ``headers`` are the headers to add (empty for a presigned URL); ``url`` is
    the URL to send (the presigned one in query mode, else the input URL).
    None of these strings holds the secret key; the session token is in
    ``headers``, ``canonical_request`` and a presigned ``url``, so ``repr``
    leaves those out.
    """

    headers: dict[str, str]
    canonical_request: str
    string_to_sign: str
    signature: str
    signed_headers: str
    credential_scope: str
    url: str

    @classmethod
    def _make(
        cls, headers: dict[str, str], canonical_request: str, string_to_sign: str,
        signature: str, signed_headers: str, credential_scope: str, url: str,
    ) -> SigningResult:  # fmt: skip
        """Build without the frozen ``__init__``'s per-field ``object.__setattr__`` calls,
        which would cost as much as a SHA-256 of the body on the signing hot path."""
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", {
            "headers": headers, "canonical_request": canonical_request,
            "string_to_sign": string_to_sign, "signature": signature,
            "signed_headers": signed_headers, "credential_scope": credential_scope, "url": url,
        })  # fmt: skip
        return result

    def __repr__(self) -> str:
        return (
            f"SigningResult(signed_headers={self.signed_headers!r}, "
            f"credential_scope={self.credential_scope!r}, signature={self.signature!r})"
        )


def credential_scope(date: str, region: str, service: str) -> str:
    """The CredentialScope ``YYYYMMDD/region/service/aws4_request``."""
    return f"{date}/{region}/{service}/{AWS4_REQUEST}"


def string_to_sign(
    amz_date: str, scope: str, canonical_request: str, algorithm: str = SIGV4
) -> str:
    """The StringToSign: algorithm, time, scope, hex SHA-256 of the canonical request."""
    digest = _sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{algorithm}\n{amz_date}\n{scope}\n{digest}"


_sha256 = hashlib.sha256


class _HmacKey:
    """A signing key with its HMAC pads hashed once (RFC 2104, same bytes as ``hmac``).

    Each signature then costs two SHA-256 state copies instead of a new HMAC
    object: the derived key is reused for a whole day, so this pays off at once.
    """

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")  # a 32-byte key is shorter than SHA-256's block
        self.key = key
        self._inner = _sha256(block.translate(_IPAD))
        self._outer = _sha256(block.translate(_OPAD))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class _SigningKeyCache:
    """Derived keys by (secret, date, region, service): thread-safe, bounded, FIFO.

    Reads are a single dict lookup (atomic under the GIL); inserts and evictions
    hold the lock. A key changes once a day per scope, so FIFO eviction is enough.
    """

    def __init__(self, maxsize: int = 64) -> None:
        self._maxsize = maxsize
        self._keys: dict[tuple[str, str, str, str], _HmacKey] = {}
        self._lock = threading.Lock()

    def get(self, secret: str, date: str, region: str, service: str) -> _HmacKey:
        cache_key = (secret, date, region, service)
        key = self._keys.get(cache_key)
        if key is None:
            key = _HmacKey(_derive(secret, date, region, service))
            with self._lock:
                while len(self._keys) >= self._maxsize:
                    del self._keys[next(iter(self._keys))]
                self._keys[cache_key] = key
        return key

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:  # never show the secrets the keys are made of
        return f"<_SigningKeyCache {len(self._keys)}/{self._maxsize} keys>"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), _sha256).digest()


def _derive(secret: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(("AWS4" + secret).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(k_date, region), service), AWS4_REQUEST)


SIGNING_KEYS = _SigningKeyCache()


def derive_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain over date, region, service, "aws4_request" (cached)."""
    return SIGNING_KEYS.get(secret, date, region, service).key


def signature(signing_key: bytes, string_to_sign: str) -> str:
    """The Signature: lowercase hex HMAC-SHA256 of the string to sign."""
    return hmac.new(signing_key, string_to_sign.encode("utf-8"), _sha256).hexdigest()


_UTC = timezone.utc
_ONE_SECOND = timedelta(seconds=1)
# The last second formatted: (start, end, stamp). Swapped whole, so thread-safe.
_last_stamp = (datetime.min.replace(tzinfo=_UTC), datetime.min.replace(tzinfo=_UTC), "")


def amz_date(now: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` of an aware datetime, in UTC (pitfall 17); memo of the last second."""
    global _last_stamp
    start, end, stamp = _last_stamp
    if now.tzinfo is _UTC and start <= now < end:
        return stamp
    if now.tzinfo is None or now.utcoffset() is None:
        raise SigningError("now must be a timezone-aware datetime (UTC)")
    now = now.astimezone(_UTC)
    stamp = (
        f"{now.year:04d}{now.month:02d}{now.day:02d}T"
        f"{now.hour:02d}{now.minute:02d}{now.second:02d}Z"
    )
    start = now.replace(microsecond=0)
    _last_stamp = (start, start + _ONE_SECOND, stamp)
    return stamp


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
        from sigv4_dataapi import _sigv4a

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
        _check_method(method)
        target = _canonical.split_url(url)
        grouped = _collect(_items(headers), target, token, extra)
        return _presign(method, target, grouped, body, credentials, amz_date, scope,
                        algorithm, extra, settings, sign)  # fmt: skip
    plan = _plan(method, url, headers, token, extra, settings)
    payload = _sha256(body).hexdigest() if plan.hashes_body else ""
    creq = plan.canonical_request(amz_date, payload)
    sts = string_to_sign(amz_date, scope, creq, algorithm)
    sig = sign(sts.encode("utf-8"))
    added = {X_AMZ_DATE: amz_date, **plan.headers}
    if plan.headers.get(X_AMZ_CONTENT_SHA256) == _PAYLOAD_HOLE:
        added[X_AMZ_CONTENT_SHA256] = payload
    added[AUTHORIZATION] = (
        f"{algorithm} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={plan.signed_headers}, Signature={sig}"
    )
    return SigningResult._make(added, creq, sts, sig, plan.signed_headers, scope, plan.url)


# Placeholders for what changes between sends; NUL is refused in every input,
# so they cannot collide with real text.
_DATE_HOLE = "\x00date\x00"
_PAYLOAD_HOLE = "\x00payload\x00"


@dataclass(frozen=True, repr=False)  # its text holds the session token
class _Plan:
    """The canonical request of one request shape, with holes for the time and payload.

    A client sends the same method, URL, headers and token over and over; only
    the time and the body change. The plan is made once per shape by the
    ordinary canonicalisation, run with placeholder values, and cut at them.
    """

    parts: tuple[str, ...]  # static text, hole name, static text, ...
    signed_headers: str
    url: str
    headers: dict[str, str]  # to add besides X-Amz-Date (token, region set, payload hash)
    hashes_body: bool = field(init=False)
    _common: bool = field(init=False)  # exactly: text, date, text, payload (the last line)

    def __post_init__(self) -> None:
        holes = self.parts[1::2]
        object.__setattr__(self, "hashes_body", "payload" in holes)
        object.__setattr__(self, "_common", holes == ("date", "payload") and not self.parts[4])

    def canonical_request(self, amz_date: str, payload: str) -> str:
        parts = self.parts
        if self._common:
            return f"{parts[0]}{amz_date}{parts[2]}{payload}"
        holes = {"date": amz_date, "payload": payload}
        return "".join(holes[part] if i % 2 else part for i, part in enumerate(parts))


def _items(headers: HeadersInput) -> Sequence[tuple[str, str]]:
    if type(headers) is dict or isinstance(headers, Mapping):
        return tuple(headers.items())
    return tuple(headers)


def _plan(
    method: str,
    url: str,
    headers: HeadersInput,
    token: str | None,
    extra: Sequence[tuple[str, str]],
    settings: SigningSettings,
) -> _Plan:
    """The memoised plan for this request shape (built directly when not hashable)."""
    shape = (method, url, _items(headers), token, tuple(extra))
    try:
        return _cached_plan(*shape, *settings._plan_key)
    except TypeError:  # e.g. header pairs given as lists
        return _build_plan(*shape, *settings._plan_key)  # type: ignore[arg-type]


def _build_plan(
    method: str, url: str, items: Sequence[tuple[str, str]], token: str | None,
    extra: Sequence[tuple[str, str]], normalize: bool, double_encode: bool, omit_token: bool,
    content_sha256: bool, unsigned_payload: bool, unsigned: frozenset[str],
) -> _Plan:  # fmt: skip
    """Canonicalise a request shape with placeholders for the time and payload hash."""
    _check_method(method)
    target = _canonical.split_url(url)
    grouped = _collect(items, target, token, extra)
    added: dict[str, str] = {}
    grouped["x-amz-date"] = [_DATE_HOLE]
    for name, value in extra:
        added[name] = value
        grouped[name.lower()] = [value]
    if token:
        added[X_AMZ_SECURITY_TOKEN] = token
        if not omit_token:
            grouped["x-amz-security-token"] = [token]
    given = grouped.get("x-amz-content-sha256")
    payload = (
        _canonical.UNSIGNED_PAYLOAD if unsigned_payload
        else given[-1].strip() if given else _PAYLOAD_HOLE
    )  # fmt: skip
    if content_sha256 and not given:
        added[X_AMZ_CONTENT_SHA256] = payload
        grouped["x-amz-content-sha256"] = [payload]
    names = _canonical.signed_names(tuple(grouped), unsigned)
    signed = ";".join(names)
    lines = _canonical.target_lines(target.raw_path, target.raw_query, normalize, double_encode)
    block = _canonical.header_block(grouped, names)
    text = f"{method.upper()}\n{lines}\n{block}\n{signed}\n{payload}"
    return _Plan(tuple(text.split("\x00")), signed, target.url, added)


_cached_plan = lru_cache(maxsize=128)(_build_plan)


def _collect(
    items: Iterable[tuple[str, str]],
    target: _canonical.RequestTarget,
    token: str | None,
    extra: Sequence[tuple[str, str]],
) -> dict[str, list[str]]:
    """The caller's headers by lowercase name, minus those this signature sets, plus Host."""
    skip = _REPLACED_WITH_TOKEN if token else _REPLACED
    if extra:
        skip = skip | {name.lower() for name, _ in extra}
    grouped = _canonical.group_headers(items, skip)
    if "host" not in grouped:
        if target.host is None:
            raise SigningError("a bare request target needs a Host header")
        grouped["host"] = [target.host]
    return grouped


def _check_method(method: str) -> None:
    if not isinstance(method, str) or not _canonical.is_token(method):
        raise SigningError(f"invalid HTTP method {method!r}")


@lru_cache(maxsize=64)
def check_credentials(access_key_id: str, session_token: str | None = None) -> None:
    """Refuse an access key id or token that could inject into the request (pitfall 21)."""
    if not access_key_id or _BAD_KEY_ID.search(access_key_id):
        raise SigningError("invalid access key id (empty, or has whitespace or one of /,;=)")
    if session_token is not None and not _canonical.is_clean_value(session_token):
        raise SigningError("the session token has a line break or NUL")


def _presign(
    method: str,
    target: _canonical.RequestTarget,
    grouped: dict[str, list[str]],
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
    names = _canonical.signed_names(tuple(grouped), settings.unsigned_headers)
    signed = ";".join(names)
    token = credentials.session_token
    params = {
        "X-Amz-Algorithm": algorithm,
        "X-Amz-Credential": f"{credentials.access_key_id}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(settings.expires_in),
        "X-Amz-SignedHeaders": signed,
        **dict(extra),
    }
    if token and not settings.omit_session_token:
        params[X_AMZ_SECURITY_TOKEN] = token
    auth = [(_quote(name), _quote(value)) for name, value in params.items()]
    query = _canonical.sorted_query(_canonical.query_pairs(target.raw_query) + auth)
    payload = (
        _canonical.UNSIGNED_PAYLOAD if settings.unsigned_payload else _sha256(body).hexdigest()
    )
    uri = _canonical.canonical_uri(
        target.raw_path, settings.normalize_path, settings.double_encode_path
    )
    block = _canonical.header_block(grouped, names)
    creq = f"{method.upper()}\n{uri}\n{query}\n{block}\n{signed}\n{payload}"
    sts = string_to_sign(amz_date, scope, creq, algorithm)
    sig = sign(sts.encode("utf-8"))
    if token and settings.omit_session_token:
        auth.append((X_AMZ_SECURITY_TOKEN, _quote(token)))
    auth.append(("X-Amz-Signature", sig))
    joiner = "?" if "?" not in target.url else "" if target.url.endswith(("?", "&")) else "&"
    url = target.url + joiner + "&".join(f"{name}={value}" for name, value in auth)
    return SigningResult._make({}, creq, sts, sig, signed, scope, url)


def _quote(value: str) -> str:
    return quote(value, safe="")
