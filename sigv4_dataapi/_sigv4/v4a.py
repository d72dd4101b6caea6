"""SigV4a (``AWS4-ECDSA-P256-SHA256``): key derivation from the secret, ECDSA P-256 signing.

SigV4a signs once for a set of regions: the scope has no region, the region
set travels in the signed ``X-Amz-Region-Set`` header (or query parameter),
and the signature is ECDSA over SHA-256 of the string to sign. The canonical
request is exactly SigV4's, so this module only adds what differs
(``shared/reference/sigv4-notes.md`` §C). ``cryptography`` is imported on first
use only, so ``import sigv4_dataapi`` and plain SigV4 never load it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import MissingDependencyError, SigningError
from sigv4_dataapi._sigv4 import sign as _sigv4
from sigv4_dataapi._sigv4.signing_key import BoundedCache
from sigv4_dataapi._sigv4.signing_result import X_AMZ_REGION_SET

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

# The order n of the P-256 group: the derived scalar must lie in [1, n-1].
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_KDF_LABEL = _sigv4.SIGV4A.encode("ascii")
_MAX_COUNTER = 254


def _ec() -> Any:
    """The ``cryptography`` EC module, or a clear error naming the extra to install."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError as exc:
        raise MissingDependencyError("SigV4a signing", "crypto", "cryptography") from exc
    return ec


def derive_private_scalar(access_key_id: str, secret_access_key: str) -> int:
    """The private scalar d: NIST SP 800-108 counter-mode KDF over HMAC-SHA256 (§C.1).

    Candidates above n-2 are rejected and the counter byte incremented (chance
    about 2**-32), so d = candidate + 1 is always a valid P-256 scalar.
    """
    k_in = b"AWS4A" + secret_access_key.encode("utf-8")
    context = access_key_id.encode("utf-8")
    for counter in range(1, _MAX_COUNTER + 1):
        fixed = (
            (1).to_bytes(4, "big") + _KDF_LABEL + b"\x00" + context
            + bytes([counter]) + (256).to_bytes(4, "big")
        )  # fmt: skip
        candidate = int.from_bytes(hmac.new(k_in, fixed, hashlib.sha256).digest(), "big")
        if candidate <= P256_ORDER - 2:
            return candidate + 1
    raise SigningError("SigV4a key derivation found no valid key for these credentials")


class _KeyCache(BoundedCache[tuple[str, str], "EllipticCurvePrivateKey"]):
    """Derived EC keys by (access key id, secret): deriving costs a few hundred µs."""

    def __init__(self, maxsize: int = 16) -> None:
        super().__init__(maxsize)

    def get(self, access_key_id: str, secret_access_key: str) -> EllipticCurvePrivateKey:
        cache_key = (access_key_id, secret_access_key)
        key = self._keys.get(cache_key)
        if key is None:
            ec = _ec()
            scalar = derive_private_scalar(access_key_id, secret_access_key)
            key = ec.derive_private_key(scalar, ec.SECP256R1())
            self._put(cache_key, key)
        return key


PRIVATE_KEYS = _KeyCache()


def derive_private_key(credentials: Credentials) -> EllipticCurvePrivateKey:
    """The SigV4a P-256 private key of these credentials (cached per access key)."""
    return PRIVATE_KEYS.get(credentials.access_key_id, credentials.secret_access_key)


def public_point(credentials: Credentials) -> tuple[int, int]:
    """(X, Y) of the derived public key, as published in the suite's ``public-key.json``."""
    numbers = derive_private_key(credentials).public_key().public_numbers()
    return numbers.x, numbers.y


def credential_scope(date: str, service: str) -> str:
    """The SigV4a scope ``YYYYMMDD/service/aws4_request``: no region."""
    return f"{date}/{service}/{_sigv4.AWS4_REQUEST}"


def ecdsa_signature(key: EllipticCurvePrivateKey, string_to_sign: bytes) -> str:
    """Hex DER ECDSA-P256/SHA-256 signature; randomised, so verify, never compare."""
    ec = _ec()
    from cryptography.hazmat.primitives import hashes

    return key.sign(string_to_sign, ec.ECDSA(hashes.SHA256())).hex()


def verify_signature(public_key: Any, signature_hex: str, string_to_sign: str) -> bool:
    """True when ``signature_hex`` is a valid SigV4a signature of ``string_to_sign``."""
    ec = _ec()
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    try:
        public_key.verify(
            bytes.fromhex(signature_hex), string_to_sign.encode("utf-8"), ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_request_v4a(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    credentials: Credentials,
    region_set: str,
    service: str,
    now: datetime,
    settings: _sigv4.SigningSettings,
) -> _sigv4.SigningResult:
    """Sign with SigV4a for ``region_set`` (``us-east-1``, ``us-east-1,us-west-2`` or ``*``)."""
    if not region_set or not region_set.isprintable() or " " in region_set:
        raise SigningError("the SigV4a region set must be non-empty, without spaces")
    _sigv4.check_scope_names(service)
    key = derive_private_key(credentials)
    stamp = _sigv4.amz_date(now)
    scope = credential_scope(stamp[:8], service)
    extra = ((X_AMZ_REGION_SET, region_set),)
    return _sigv4.assemble(method, url, headers, body, credentials, stamp, scope, _sigv4.SIGV4A,
                           extra, settings, lambda sts: ecdsa_signature(key, sts))  # fmt: skip


def public_key_from_point(x: int, y: int) -> Any:
    """A P-256 public key from its affine coordinates (``public-key.json``)."""
    ec = _ec()
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
