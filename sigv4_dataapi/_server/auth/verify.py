"""SigV4 verification of a received request, before anything else happens.

The endpoint recomputes the signature from the request exactly as it arrived
(raw path and query, header pairs in arrival order, the body's SHA-256) with
the project's own signer pieces, and answers each failure the way the AWS
front door does: 403 with ``MissingAuthenticationTokenException``,
``IncompleteSignatureException``, ``UnrecognizedClientException`` (unknown key
or wrong session token) or ``InvalidSignatureException`` (wrong scope,
signature, or a request time more than 5 minutes off). No SQL runs before
this has passed. SigV4a (``AWS4-ECDSA-P256-SHA256``) is verified too, and so
are presigned requests (the signature in the query, see :mod:`._presigned`).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._server.api.api_error import INVALID_TOKEN, SIGNATURE_MISMATCH, ApiError
from sigv4_dataapi._server.auth.access import KeyPair
from sigv4_dataapi._server.auth.presigned import QuerySignature, check_expiry, read_query_signature
from sigv4_dataapi._sigv4 import canonical as _canonical
from sigv4_dataapi._sigv4 import sign as _sigv4

SERVICE = "rds-data"
SIGV4 = _sigv4.SIGV4
SIGV4A = _sigv4.SIGV4A
AWS4_REQUEST = _sigv4.AWS4_REQUEST
_REQUIRED = ("Credential", "SignedHeaders", "Signature")
_BASIC_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
ONE_MECHANISM = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
    "Authorization header should be specified"
)


@dataclass(frozen=True)
class ReceivedRequest:
    """What the verifier needs of a request, as it came off the wire."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def header(self, lower_name: str) -> str | None:
        for name, value in self.headers:
            if name.lower() == lower_name:
                return value
        return None


@dataclass(frozen=True)
class Authorization:
    """The parsed ``Authorization`` header."""

    algorithm: str
    access_key_id: str
    scope: str  # everything after the key id: date/region/service/aws4_request
    signed_headers: tuple[str, ...]
    signature: str
    presigned: QuerySignature | None = None  # set when the signature came in the query


def _incomplete(message: str) -> ApiError:
    return ApiError("IncompleteSignatureException", message)


def _invalid(message: str) -> ApiError:
    return ApiError("InvalidSignatureException", message)


def parse_authorization(value: str | None) -> Authorization:
    if not value:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm not in (SIGV4, SIGV4A):
        raise _incomplete(f"Unsupported AWS 'algorithm': '{algorithm}'")
    params: dict[str, str] = {}
    for piece in rest.split(","):
        key, sep, item = piece.strip().partition("=")
        if sep:
            params[key] = item
    missing = [
        f"Authorization header requires '{key}' parameter."
        for key in _REQUIRED
        if key not in params
    ]
    if missing:
        raise _incomplete(" ".join(missing) + f" Authorization={algorithm}")
    return _claim(algorithm, params["Credential"], params["SignedHeaders"], params["Signature"])


def _claim(
    algorithm: str,
    credential: str,
    signed_headers: str,
    signature: str,
    presigned: QuerySignature | None = None,
) -> Authorization:
    access_key_id, _, scope = credential.partition("/")
    if not access_key_id or not scope:
        raise _incomplete("Credential should have the form KEY/DATE/REGION/SERVICE/aws4_request")
    names = tuple(signed_headers.split(";"))
    return Authorization(algorithm, access_key_id, scope, names, signature, presigned)


def read_authorization(request: ReceivedRequest) -> Authorization:
    """The signature claim: the ``Authorization`` header, or the presigned query parameters."""
    query = read_query_signature(request.raw_query)
    header = request.header("authorization")
    if query is None:
        return parse_authorization(header)
    if header:
        raise _incomplete(ONE_MECHANISM)
    if query.algorithm not in (SIGV4, SIGV4A):
        raise _incomplete(f"Unsupported AWS 'algorithm': '{query.algorithm}'")
    return _claim(query.algorithm, query.credential, query.signed_headers, query.signature, query)


def _region_set_covers(request: ReceivedRequest, auth: Authorization, region: str) -> bool:
    """SigV4a: the signed ``X-Amz-Region-Set`` (header or query) names the region (or ``*``)."""
    in_query = auth.presigned.region_set if auth.presigned else None
    regions = (in_query or request.header("x-amz-region-set") or "").split(",")
    return any(r.strip() in ("*", region) for r in regions)


def _check_scope(request: ReceivedRequest, auth: Authorization, amz_date: str, region: str) -> None:
    parts = auth.scope.split("/")
    if auth.algorithm == SIGV4A:  # the SigV4a scope has no region; the region set is a header
        parts.insert(1, region if _region_set_covers(request, auth, region) else "")
    if len(parts) != 4:
        raise _incomplete("Credential should have the form KEY/DATE/REGION/SERVICE/aws4_request")
    date, scope_region, service, terminator = parts
    if terminator != AWS4_REQUEST:
        raise _invalid(
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'. "
        )
    if service != SERVICE:
        raise _invalid(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if scope_region != region:
        raise _invalid("Credential should be scoped to a valid region. ")
    if date != amz_date[:8]:
        raise _invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if "host" not in auth.signed_headers:
        raise _invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


def _request_time(request: ReceivedRequest, auth: Authorization) -> tuple[str, datetime]:
    amz_date = auth.presigned.amz_date if auth.presigned else request.header("x-amz-date")
    if amz_date is None:
        raise _incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    match = _BASIC_DATE.fullmatch(amz_date)
    try:
        if match is None:
            raise ValueError(amz_date)
        year, month, day, hour, minute, second = map(int, match.groups())
        when = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError as exc:
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.") from exc
    return amz_date, when


def _check_time(
    auth: Authorization, amz_date: str, when: datetime, now: datetime, max_skew: float
) -> None:
    """Within ``max_skew`` of now; a presigned request instead lives ``X-Amz-Expires`` seconds."""
    skew = timedelta(seconds=max_skew)
    minutes = f"{max_skew / 60:g} min."
    stamp = _sigv4.amz_date
    if auth.presigned is not None:
        check_expiry(auth.presigned, when, now)
    elif when < now - skew:
        raise _invalid(
            f"Signature expired: {amz_date} is now earlier than {stamp(now - skew)} "
            f"({stamp(now)} - {minutes})"
        )
    if when > now + skew:
        raise _invalid(
            f"Signature not yet current: {amz_date} is still later than {stamp(now + skew)} "
            f"({stamp(now)} + {minutes})"
        )


def _check_token(request: ReceivedRequest, auth: Authorization, key: KeyPair) -> None:
    in_query = auth.presigned.token if auth.presigned else None
    token = in_query if in_query is not None else request.header("x-amz-security-token")
    expected = key.session_token
    if token is None and expected is None:
        return
    if token is None or expected is None or not hmac.compare_digest(token, expected):
        raise ApiError("UnrecognizedClientException", INVALID_TOKEN)


def _payload_lines(request: ReceivedRequest, auth: Authorization) -> tuple[str, ...]:
    """The payload lines the signer may have used: the body's SHA-256 first.

    A client's own ``x-amz-content-sha256`` line counts if it is true;
    ``UNSIGNED-PAYLOAD`` is honoured (the body then is not covered, as AWS allows over
    TLS); any other claimed hash must be the real one, or the signature cannot match.
    A presigner may not know the body: there ``UNSIGNED-PAYLOAD`` is the second try.
    """
    actual = _canonical.payload_hash(request.body)
    claimed = request.header("x-amz-content-sha256")
    if claimed == _canonical.UNSIGNED_PAYLOAD:
        return (claimed,)
    return (actual, _canonical.UNSIGNED_PAYLOAD) if auth.presigned else (actual,)


def _string_to_sign(
    request: ReceivedRequest, auth: Authorization, amz_date: str, payload: str
) -> str:
    query = auth.presigned.signed_query if auth.presigned else request.raw_query
    try:
        canonical = _canonical.canonical_request(
            request.method,
            request.raw_path,
            query,
            request.headers,
            auth.signed_headers,
            payload,
            _sigv4.DEFAULT_SETTINGS,
        )
    except SigningError as exc:
        raise _invalid(SIGNATURE_MISMATCH) from exc
    return _sigv4.string_to_sign(amz_date, auth.scope, canonical, auth.algorithm)


def _signature_matches(auth: Authorization, key: KeyPair, sts: str, region: str) -> bool:
    if auth.algorithm == SIGV4:
        date = auth.scope.split("/", 1)[0]
        signing_key = _sigv4.derive_signing_key(key.secret_access_key, date, region, SERVICE)
        return hmac.compare_digest(_sigv4.signature(signing_key, sts), auth.signature)
    from sigv4_dataapi._credentials.value import Credentials
    from sigv4_dataapi._sigv4 import v4a as _sigv4a

    private = _sigv4a.derive_private_key(Credentials(key.access_key_id, key.secret_access_key))
    return _sigv4a.verify_signature(private.public_key(), auth.signature, sts)


def authenticate(
    request: ReceivedRequest,
    keys: Mapping[str, KeyPair],
    *,
    region: str,
    now: datetime,
    max_skew: float = 300.0,
) -> KeyPair:
    """The key pair that signed ``request``, or the front door's 403 ``ApiError``."""
    auth = read_authorization(request)
    amz_date, when = _request_time(request, auth)
    _check_scope(request, auth, amz_date, region)
    key = keys.get(auth.access_key_id)
    if key is None:
        raise ApiError("UnrecognizedClientException", INVALID_TOKEN)
    _check_token(request, auth, key)
    _check_time(auth, amz_date, when, now, max_skew)
    for payload in _payload_lines(request, auth):
        sts = _string_to_sign(request, auth, amz_date, payload)
        if _signature_matches(auth, key, sts, region):
            return key
    raise _invalid(SIGNATURE_MISMATCH)
