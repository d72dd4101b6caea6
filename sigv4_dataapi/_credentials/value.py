"""AWS credentials as a value object whose secrets never print.

The provider chain that finds them lives in ``_providers``; this module is
what every layer (signer, client, CLI, local endpoint) shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def mask(value: str | None, keep: int = 4) -> str:
    """Show at most the last ``keep`` characters of a secret-ish value."""
    if not value:
        return "<none>"
    if len(value) <= keep * 2:
        return "****"
    return "****" + value[-keep:]


@dataclass(frozen=True, repr=False)
class Credentials:
    """An access key pair, an optional session token and an optional expiry.

    ``repr()``/``str()`` show the access key id only: the secret key and the
    session token are never part of any string this object makes.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: datetime | None = None  # timezone-aware, UTC

    def __repr__(self) -> str:
        token = ", session_token=<redacted>" if self.session_token else ""
        expiry = f", expiration={self.expiration.isoformat()}" if self.expiration else ""
        return (
            f"Credentials(access_key_id={self.access_key_id!r}, "
            f"secret_access_key=<redacted>{token}{expiry})"
        )

    __str__ = __repr__
