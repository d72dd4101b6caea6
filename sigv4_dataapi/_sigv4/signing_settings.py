"""SigningSettings: every knob the official suite varies, frozen, one reason per default.

The defaults are what RDS Data API needs; S3-style signing, presigned URLs
and SigV4a are each one named setting away. The settings are validated once,
here, so the signing hot path never checks them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._sigv4.string_to_sign import SIGV4, SIGV4A

MAX_EXPIRES = 7 * 24 * 3600

# Headers a proxy or the HTTP stack may add, drop or rewrite: signing them breaks
# the signature in transit (pitfall 4; botocore's blacklist, aws-c-auth's skip list).
DEFAULT_UNSIGNED_HEADERS = frozenset({
    "authorization", "baggage", "connection", "expect", "keep-alive", "proxy-authenticate",
    "proxy-authorization", "te", "traceparent", "tracestate", "trailer", "transfer-encoding",
    "upgrade", "user-agent", "x-amzn-trace-id",
})  # fmt: skip

# What a canonical-request plan depends on: the switches below, in this order.
PlanKey = tuple[bool, bool, bool, bool, bool, frozenset[str]]


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
    _plan_key: PlanKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unsigned = frozenset(name.lower() for name in self.unsigned_headers)
        object.__setattr__(self, "unsigned_headers", unsigned)  # any case, any iterable
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
