"""The signable request: the caller's method, headers, body and credentials, checked.

Every input that ends up in the request or the Authorization header is
checked here, so nothing can inject a line break, a forged ``Credential=``
field or a wrong scope (pitfall 21), and the caller's headers are gathered
by lowercase name minus the ones this signature replaces (pitfall 18).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._sigv4 import canonical as _canonical

HeadersInput = Mapping[str, str] | Sequence[tuple[str, str]]

# Input headers this signature replaces (pitfall 18: one fresh set per attempt).
_REPLACED = frozenset({"authorization", "x-amz-date"})
_REPLACED_WITH_TOKEN = _REPLACED | {"x-amz-security-token"}
# Characters an access key id may not hold: they would forge Credential= fields.
_BAD_KEY_ID = re.compile(r"[^\x21-\x7e]|[/,;=]")
_sha256 = hashlib.sha256


def header_items(headers: HeadersInput) -> Sequence[tuple[str, str]]:
    """The headers as a tuple of (name, value) pairs, in the caller's order."""
    if type(headers) is dict or isinstance(headers, Mapping):
        return tuple(headers.items())
    return tuple(headers)


def collect_headers(
    items: Iterable[tuple[str, str]],
    target: _canonical.RequestTarget,
    token: str | None,
    extra: Sequence[tuple[str, str]],
) -> dict[str, list[str]]:
    """The caller's headers by lowercase name, minus those this signature sets, plus Host.

    ``extra`` are the algorithm's own signed headers (SigV4a's region set).
    """
    skip = _REPLACED_WITH_TOKEN if token else _REPLACED
    if extra:
        skip = skip | {name.lower() for name, _ in extra}
    grouped = _canonical.group_headers(items, skip)
    if "host" not in grouped:
        if target.host is None:
            raise SigningError("a bare request target needs a Host header")
        grouped["host"] = [target.host]
    return grouped


def body_hash(body: bytes) -> str:
    """The payload hash of ``body``, with a clear error for a body that is not bytes."""
    try:
        return _sha256(body).hexdigest()
    except TypeError:
        raise SigningError(f"the body must be bytes, not {type(body).__name__}") from None


def check_method(method: str) -> None:
    """Refuse a method that is not an RFC 9110 token (it opens the canonical request)."""
    if not isinstance(method, str) or not _canonical.is_token(method):
        raise SigningError(f"invalid HTTP method {method!r}")


@lru_cache(maxsize=64)
def check_credentials(access_key_id: str, session_token: str | None = None) -> None:
    """Refuse an access key id or token that could inject into the request (pitfall 21)."""
    if not access_key_id or _BAD_KEY_ID.search(access_key_id):
        raise SigningError("invalid access key id (empty, or has whitespace or one of /,;=)")
    if session_token is not None and not _canonical.is_clean_value(session_token):
        raise SigningError("the session token has a line break or NUL")
