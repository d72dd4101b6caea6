"""Query-string (presigned) SigV4: the auth parameters read from the URL, and their expiry.

A presigned request carries ``X-Amz-Algorithm``, ``X-Amz-Credential``,
``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-SignedHeaders`` and
``X-Amz-Signature`` in its query instead of an ``Authorization`` header
(SigV4a adds ``X-Amz-Region-Set``; a session token may ride along as
``X-Amz-Security-Token``). Everything in the query except the signature is
signed, so the verifier canonicalises the raw query minus that one
parameter (``_canonical.canonical_request``'s note). The request is good
from ``X-Amz-Date`` for ``X-Amz-Expires`` seconds (at most 7 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote

from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._sigv4.presign import (
    X_AMZ_ALGORITHM,
    X_AMZ_CREDENTIAL,
    X_AMZ_EXPIRES,
    X_AMZ_SIGNATURE,
    X_AMZ_SIGNED_HEADERS,
)
from sigv4_dataapi._sigv4.sign import MAX_EXPIRES, X_AMZ_DATE, amz_date

_REQUIRED = (
    X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_SIGNATURE, X_AMZ_DATE, X_AMZ_SIGNED_HEADERS,
    X_AMZ_EXPIRES,
)  # fmt: skip
MISSING = (
    "AWS query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Expires parameters."
)
BAD_EXPIRES = f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_EXPIRES}."


@dataclass(frozen=True)
class QuerySignature:
    """The decoded auth parameters of a presigned request."""

    algorithm: str
    credential: str  # KEY/DATE/REGION/SERVICE/aws4_request (SigV4a: no region)
    amz_date: str
    expires: int
    signed_headers: str
    signature: str
    token: str | None
    region_set: str | None
    signed_query: str  # the raw query without X-Amz-Signature: what was signed


def _decoded_params(raw_query: str) -> dict[str, str]:
    """Query parameters by decoded name (the first of a repeated name wins)."""
    params: dict[str, str] = {}
    for piece in raw_query.split("&"):
        name, _, value = piece.partition("=")
        params.setdefault(unquote(name), unquote(value))
    return params


def _without_signature(raw_query: str) -> str:
    kept = [p for p in raw_query.split("&") if unquote(p.partition("=")[0]) != X_AMZ_SIGNATURE]
    return "&".join(kept)


def _expires(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_EXPIRES:
        raise ApiError("IncompleteSignatureException", BAD_EXPIRES)
    return int(text)


def read_query_signature(raw_query: str) -> QuerySignature | None:
    """The presigned auth parameters of ``raw_query``; None when it has no ``X-Amz-Algorithm``."""
    if X_AMZ_ALGORITHM.lower() not in raw_query.lower():
        return None  # the common case (header signing) costs one substring test
    params = _decoded_params(raw_query)
    if X_AMZ_ALGORITHM not in params:
        return None
    if any(not params.get(name) for name in _REQUIRED):
        raise ApiError("IncompleteSignatureException", MISSING)
    return QuerySignature(
        algorithm=params[X_AMZ_ALGORITHM],
        credential=params["X-Amz-Credential"],
        amz_date=params["X-Amz-Date"],
        expires=_expires(params["X-Amz-Expires"]),
        signed_headers=params["X-Amz-SignedHeaders"],
        signature=params[X_AMZ_SIGNATURE],
        token=params.get("X-Amz-Security-Token"),
        region_set=params.get("X-Amz-Region-Set"),
        signed_query=_without_signature(raw_query),
    )


def check_expiry(query: QuerySignature, when: datetime, now: datetime) -> None:
    """403 ``InvalidSignatureException`` once ``X-Amz-Expires`` seconds have passed."""
    lifetime = timedelta(seconds=query.expires)
    if when + lifetime < now:
        raise ApiError(
            "InvalidSignatureException",
            f"Signature expired: {query.amz_date} is now earlier than {amz_date(now - lifetime)} "
            f"({amz_date(now)} - {query.expires} sec.)",
        )
