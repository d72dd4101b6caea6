"""The canonical-request plan: one request shape canonicalised once, reused per send.

A client sends the same method, URL, headers and token over and over; only
the time and the body change. So the CanonicalRequest of a shape is built once
by the ordinary canonicalisation (``_canonical``), run with placeholder values
for the time and the payload hash, and cut at them; each send then only joins
the pieces. Plans are memoised per shape (bounded LRU).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sigv4_dataapi._sigv4 import canonical as _canonical
from sigv4_dataapi._sigv4.signable import HeadersInput, check_method, collect_headers, header_items
from sigv4_dataapi._sigv4.signing_result import X_AMZ_CONTENT_SHA256, X_AMZ_SECURITY_TOKEN
from sigv4_dataapi._sigv4.signing_settings import PlanKey, SigningSettings

# Placeholders for what changes between sends; NUL is refused in every input,
# so they cannot collide with real text.
_DATE_HOLE = "\x00date\x00"
_PAYLOAD_HOLE = "\x00payload\x00"

# method, url, header pairs, session token, extra signed headers, settings switches.
_Shape = tuple[
    str, str, Sequence[tuple[str, str]], str | None, Sequence[tuple[str, str]], PlanKey
]  # fmt: skip


@dataclass(frozen=True, repr=False)  # its text holds the session token
class Plan:
    """The canonical request of one request shape, with holes for the time and payload."""

    parts: tuple[str, ...]  # static text, hole name, static text, ...
    signed_headers: str
    url: str
    headers: dict[str, str]  # to add besides X-Amz-Date (token, region set, payload hash)
    hashes_body: bool = field(init=False)
    # X-Amz-Content-SHA256 is among ``headers`` and takes each send's payload hash.
    fills_payload_header: bool = field(init=False)
    _common: bool = field(init=False)  # exactly: text, date, text, payload (the last line)

    def __post_init__(self) -> None:
        holes = self.parts[1::2]
        object.__setattr__(self, "hashes_body", "payload" in holes)
        fills = self.headers.get(X_AMZ_CONTENT_SHA256) == _PAYLOAD_HOLE
        object.__setattr__(self, "fills_payload_header", fills)
        object.__setattr__(self, "_common", holes == ("date", "payload") and not self.parts[4])

    def canonical_request(self, amz_date: str, payload: str) -> str:
        """The CanonicalRequest of one send: the plan with its holes filled."""
        parts = self.parts
        if self._common:
            return f"{parts[0]}{amz_date}{parts[2]}{payload}"
        holes = {"date": amz_date, "payload": payload}
        return "".join(holes[part] if i % 2 else part for i, part in enumerate(parts))


def plan(
    method: str,
    url: str,
    headers: HeadersInput,
    token: str | None,
    extra: Sequence[tuple[str, str]],
    settings: SigningSettings,
) -> Plan:
    """The memoised plan for this request shape (built directly when not hashable)."""
    shape = (method, url, header_items(headers), token, tuple(extra), settings._plan_key)
    try:
        return _cached_plan(shape)
    except TypeError:  # e.g. header pairs given as lists
        return build_plan(shape)


def build_plan(shape: _Shape) -> Plan:
    """Canonicalise a request shape with placeholders for the time and payload hash."""
    method, url, items, token, extra, switches = shape
    normalize, double_encode, omit_token, content_sha256, unsigned_payload, unsigned = switches
    check_method(method)
    target = _canonical.split_url(url)
    grouped = collect_headers(items, target, token, extra)
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
    return Plan(tuple(text.split("\x00")), signed, target.url, added)


_cached_plan = lru_cache(maxsize=128)(build_plan)
