"""Expiry timestamps, parsed leniently but never guessed.

Providers write expiries in many shapes over the years (``Z``, ``+00:00``,
fractions, the old CLI's ``UTC`` suffix, SSO's epoch milliseconds).  A timestamp
without a zone is refused with a clear message instead of crashing later the way
botocore does (boto/botocore#1980): guessing UTC could hide a helper's local time.
"""

from __future__ import annotations

from datetime import datetime, timezone


def parse_expiration(value: object, *, what: str = "Expiration") -> datetime:
    """An aware UTC datetime from ISO-8601/RFC 3339 text or epoch milliseconds."""
    if isinstance(value, bool):
        raise ValueError(f"{what} is not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, timezone.utc)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is not a timestamp: {value!r}")
    text = value.strip()
    if text.endswith("UTC"):
        text = text[:-3].rstrip() + "+00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(_trim_fraction(text))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{what} {value!r} has no time zone (write e.g. 2030-01-01T00:00:00Z)")
    return parsed.astimezone(timezone.utc)


def _trim_fraction(text: str) -> str:
    """Python 3.10's fromisoformat takes only 3 or 6 fractional digits: pad or cut."""
    if "." not in text:
        return text
    head, _, rest = text.partition(".")
    digits = len(rest) - len(rest.lstrip("0123456789"))
    fraction, zone = rest[:digits], rest[digits:]
    return f"{head}.{(fraction + '000000')[:6]}{zone}"


def format_expiration(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
