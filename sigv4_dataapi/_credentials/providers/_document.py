"""Credentials read out of the documents that providers are answered with.

IMDS and the container endpoint answer with the same JSON document
(``AccessKeyId``, ``SecretAccessKey``, ``Token``, ``Expiration``);
``credential_process``, STS and SSO with shapes of their own.  Whatever the shape,
a missing key is named, and a bad ``Expiration`` (no zone, not a timestamp) stops the
chain with the provider's name instead of crashing later the way botocore does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sigv4_dataapi._credentials.providers._time import parse_expiration
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import CredentialProviderError

METADATA_KEYS = ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")


def lacking(document: Mapping[str, object], keys: Iterable[str]) -> list[str]:
    """The keys whose value is missing, empty or not a string."""
    return [k for k in keys if not isinstance(document.get(k), str) or not document[k]]


def expiration(
    value: object, provider: str, *, what: str = "Expiration", context: str = ""
) -> datetime:
    """:func:`parse_expiration`, a bad value reported as ``provider``'s error."""
    try:
        return parse_expiration(value, what=what)
    except ValueError as exc:
        raise CredentialProviderError(provider, f"{context}{exc}") from None


def metadata_credentials(
    document: Mapping[str, Any], provider: str, *, lacks: Callable[[str], Exception]
) -> Credentials:
    """The credentials of an IMDS/container document; ``lacks(keys)`` builds the error
    for an incomplete one (the container stops the chain, IMDS lets it move on)."""
    missing = lacking(document, METADATA_KEYS)
    if missing:
        raise lacks(", ".join(missing))
    return Credentials(
        document["AccessKeyId"],
        document["SecretAccessKey"],
        document["Token"],
        expiration(document["Expiration"], provider),
    )
