"""The StringToSign and its lines: algorithm, request date, CredentialScope, hash.

``AWS4-HMAC-SHA256\\n20240115T120000Z\\n20240115/us-east-1/rds-data/aws4_request\\n<hex>``:
the algorithm names, the ``X-Amz-Date`` stamp (memoised per second: a busy
client signs many requests within one), the scope with its name checks, and
the digest of the canonical request. Pure: the time comes in as a datetime.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Final

from sigv4_dataapi._errors import SigningError

SIGV4: Final = "AWS4-HMAC-SHA256"
SIGV4A: Final = "AWS4-ECDSA-P256-SHA256"
AWS4_REQUEST = "aws4_request"
# A region or service name is one `/`-free field of the scope.
_SCOPE_NAME = re.compile(r"[A-Za-z0-9._\-]+")
_sha256 = hashlib.sha256


def credential_scope(date: str, region: str, service: str) -> str:
    """The CredentialScope ``YYYYMMDD/region/service/aws4_request``."""
    return f"{date}/{region}/{service}/{AWS4_REQUEST}"


def check_scope_names(*names: str) -> None:
    """Refuse a region or service that would break the credential scope's ``/`` fields."""
    for name in names:
        if not isinstance(name, str) or not _SCOPE_NAME.fullmatch(name):
            raise SigningError(f"invalid region or service name {name!r}")


def string_to_sign(
    amz_date: str, scope: str, canonical_request: str, algorithm: str = SIGV4
) -> str:
    """The StringToSign: algorithm, time, scope, hex SHA-256 of the canonical request."""
    digest = _sha256(canonical_request.encode("utf-8")).hexdigest()
    return f"{algorithm}\n{amz_date}\n{scope}\n{digest}"


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
