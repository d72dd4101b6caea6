"""Pure SigV4 canonicalisation: URI path, query string, headers, payload hash.

Everything here works on the request exactly as it goes on the wire (the raw
path and query, the header pairs in arrival order), because that is what the
service canonicalises on its side. The rules and their evidence are in
``shared/reference/sigv4-notes.md`` §B; the step comments cite pitfall numbers.
No clock, no I/O, no state beyond bounded memo caches of pure functions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote_from_bytes, unquote_to_bytes

from sigv4_dataapi._errors import SigningError

if TYPE_CHECKING:
    from sigv4_dataapi._sigv4.signing_settings import SigningSettings

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Pitfall 8: RFC 3986 unreserved characters only; `quote` keeps A-Za-z0-9_.-~ itself.
_PATH_SAFE = "/"
_QUERY_SAFE = ""
# Pitfall 3: AWS folds ASCII `isspace` only (never NBSP and other Unicode spaces).
_WS_RUN = re.compile(r"[ \t\v\f\r\n]+")
# RFC 9110 token characters: what a header name may contain.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CACHE_SIZE = 256


def payload_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of the exact bytes sent (pitfall 14)."""
    return hashlib.sha256(body).hexdigest()


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_uri(raw_path: str, normalize: bool = True, double_encode: bool = True) -> str:
    """The CanonicalURI line for the wire path ``raw_path`` (pitfalls 6-8).

    Non-S3 services normalise the path and percent-encode the already-encoded
    wire path once more (``%3D`` -> ``%253D``); S3 does neither, so there the
    path is only completed to RFC 3986 form (existing escapes kept).
    Memoised: a client sends the same few paths over and over.
    """
    path = raw_path or "/"
    if normalize:
        path = remove_dot_segments(path)
    if double_encode:
        return quote_from_bytes(path.encode("utf-8"), safe=_PATH_SAFE)
    return quote_from_bytes(path.encode("utf-8"), safe=_PATH_SAFE + "%")


@lru_cache(maxsize=_CACHE_SIZE)
def target_lines(raw_path: str, raw_query: str, normalize: bool, double_encode: bool) -> str:
    """The CanonicalURI and CanonicalQueryString lines of one request target (memoised)."""
    return f"{canonical_uri(raw_path, normalize, double_encode)}\n{canonical_query(raw_query)}"


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 plus AWS's removal of empty segments; keeps a trailing slash.

    ``/example/..`` -> ``/``, ``//example//`` -> ``/example/`` (the suite's
    ``*-normalized`` cases), the same algorithm botocore and aws-c-auth use.
    """
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    lead = "/" if path[0] == "/" else ""
    trail = "/" if path[-1] == "/" and kept else ""
    return lead + "/".join(kept) + trail


def encode_query_component(raw: str) -> str:
    """Decode ``%XX`` escapes, then encode with the unreserved set (pitfalls 8, 12, 13).

    Decoding first makes an already-encoded value an identity (no ``%253D``);
    a literal ``+`` is a plus (``%2B``), never a space: our client never sends
    form-encoded queries.
    """
    return quote_from_bytes(unquote_to_bytes(raw), safe=_QUERY_SAFE)


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_query(raw_query: str) -> str:
    """The CanonicalQueryString line for the wire query (pitfalls 9-13).

    Each key and value is encoded separately, then pairs are sorted by encoded
    key and then encoded value; repeated keys are kept, ``flag`` becomes
    ``flag=``. Empty pieces (``a&&b``) carry no parameter and are dropped.
    """
    return sorted_query(query_pairs(raw_query)) if raw_query else ""


def sorted_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Join encoded pairs sorted by key, then value (byte order of the encoded text)."""
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """Split a wire query into encoded (key, value) pairs, in their original order."""
    pairs: list[tuple[str, str]] = []
    for piece in raw_query.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            pairs.append((encode_query_component(key), encode_query_component(value)))
    return pairs


@lru_cache(maxsize=_CACHE_SIZE)
def fold_value(value: str) -> str:
    """Trim and collapse ASCII whitespace runs to one space, even inside quotes (pitfall 3).

    The common value has none of those runs; plain substring tests find that out
    faster than any regex or ``isprintable`` scan of a long token. Memoised: the
    same Content-Type, Host, date and token come back on every request.
    """
    if (
        "  " in value or "\t" in value or "\n" in value or "\r" in value
        or "\x0b" in value or "\x0c" in value
    ):  # fmt: skip
        return _WS_RUN.sub(" ", value).strip(" ")
    return value.strip(" ")


@lru_cache(maxsize=_CACHE_SIZE)
def header_name(name: str) -> str:
    """The lowercase form of a valid header name; refuses anything but an RFC 9110 token.

    Memoised: a client sends the same handful of names on every request.
    """
    if not isinstance(name, str) or not is_token(name):
        raise SigningError(f"invalid header name {name!r}")
    return name.lower()


def is_token(text: str) -> bool:
    """True for an RFC 9110 token: what a header name or an HTTP method may be."""
    return _TOKEN.fullmatch(text) is not None


def is_clean_value(value: str) -> bool:
    """False when ``value`` could split the request: CR, LF or NUL (pitfall 21)."""
    return not ("\r" in value or "\n" in value or "\x00" in value)


def check_header(name: str, value: str) -> None:
    """Refuse a header that would smuggle a line break into the request (pitfall 21)."""
    header_name(name)
    if not is_clean_value(value):
        raise SigningError(f"header {name!r} has a line break or NUL in its value")


def group_headers(
    headers: Iterable[tuple[str, str]], skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, list[str]]:
    """Checked headers by lowercase name, values in arrival order; names in ``skip`` dropped."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        lower = header_name(name)
        if not isinstance(value, str):
            raise SigningError(f"header {name!r} has a {type(value).__name__} value, not str")
        if not is_clean_value(value):
            raise SigningError(f"header {name!r} has a line break or NUL in its value")
        if lower in skip:
            continue
        values = grouped.get(lower)
        if values is None:
            grouped[lower] = [value]
        else:
            values.append(value)
    return grouped


def header_block(grouped: dict[str, list[str]], sorted_names: Iterable[str]) -> str:
    """The CanonicalHeaders block: ``name:value\\n`` per signed header (pitfalls 1-2).

    Names come sorted by name alone; repeated headers are joined with ``,`` in
    arrival order; each value is folded. A signed header missing from
    ``grouped`` is a signing error (the signature could never match).
    """
    lines = []
    for name in sorted_names:
        values = grouped.get(name)
        if values is None:
            raise SigningError(f"signed header not present: {name}")
        if len(values) == 1:
            lines.append(f"{name}:{fold_value(values[0])}\n")
        else:
            lines.append(f"{name}:{','.join(map(fold_value, values))}\n")
    return "".join(lines)


def canonical_headers(
    headers: Iterable[tuple[str, str]], signed_header_names: Iterable[str]
) -> str:
    """The CanonicalHeaders block of ``headers`` for the given signed names (any case).

    Only the signed headers are looked at: a verifier must not trip over others.
    """
    wanted = {name.lower() for name in signed_header_names}
    signed = [(name, value) for name, value in headers if name.lower() in wanted]
    return header_block(group_headers(signed), sorted(wanted))


@lru_cache(maxsize=_CACHE_SIZE)
def signed_names(names: tuple[str, ...], unsigned: frozenset[str]) -> tuple[str, ...]:
    """The sorted lowercase names to sign out of ``names`` (memoised per header set)."""
    return tuple(sorted(set(names) - unsigned))


def signed_headers_line(names: Iterable[str]) -> str:
    """The SignedHeaders value: sorted, lowercase, ``;``-joined, each name once."""
    return ";".join(sorted({name.lower() for name in names}))


def canonical_request(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Sequence[tuple[str, str]],
    signed_header_names: Sequence[str],
    payload_hash: str,
    settings: SigningSettings,
) -> str:
    """The CanonicalRequest of a request as received (the endpoint's verifier uses this).

    ``raw_path``/``raw_query`` are the request target split at the first ``?``,
    undecoded. For a presigned URL, remove ``X-Amz-Signature`` from
    ``raw_query`` first: it is the one parameter that is not signed.
    """
    names = [name.lower() for name in signed_header_names]
    return "\n".join(
        (
            method.upper(),
            canonical_uri(raw_path, settings.normalize_path, settings.double_encode_path),
            canonical_query(raw_query),
            canonical_headers(headers, names),
            signed_headers_line(names),
            payload_hash,
        )
    )


_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class RequestTarget:
    """A URL split the way it goes on the wire: Host value, raw path, raw query."""

    host: str | None  # None for a bare request target (`/path?query`)
    raw_path: str
    raw_query: str
    url: str  # the URL without its fragment


@lru_cache(maxsize=_CACHE_SIZE)
def split_url(url: str) -> RequestTarget:
    """Split ``url`` without decoding or re-encoding anything (pitfalls 5-7).

    urllib and httpx normalise or re-encode the path, which would break the
    ``*-unnormalized`` and UTF-8 cases, so this takes the text as it is.
    The host is lowercase, keeps a non-default port, drops userinfo.
    """
    url = url.partition("#")[0]
    scheme, sep, rest = url.partition("://")
    if not sep:
        if not url.startswith("/"):
            raise SigningError("the URL must be absolute (scheme://host/path) or start with /")
        path, _, query = url.partition("?")
        return RequestTarget(None, path, query, url)
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, target = rest[:cut], rest[cut:]
    path, _, query = target.partition("?")
    return RequestTarget(_host(scheme.lower(), authority), path or "/", query, url)


def _host(scheme: str, authority: str) -> str:
    host = authority.rpartition("@")[2].lower()
    name, colon, port = host.rpartition(":")
    if colon and "]" not in port:
        if port and not port.isdigit():
            raise SigningError("the URL has an invalid port")
        if port in ("", _DEFAULT_PORTS.get(scheme)):
            host = name
    if not host or not host.isprintable() or " " in host:
        raise SigningError("the URL has no valid host")
    return host
