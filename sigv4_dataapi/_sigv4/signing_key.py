"""The SigV4 signing key (kSigning) and the Signature made with it.

kSigning is an HMAC chain over the secret, date, region and service; it
changes once a day per scope, so it is derived once and cached (thread-safe,
bounded) with its HMAC pads pre-hashed, which makes each Signature two
SHA-256 state copies instead of a fresh HMAC object.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from typing import Generic, TypeVar

from sigv4_dataapi._sigv4.string_to_sign import AWS4_REQUEST, check_scope_names

_sha256 = hashlib.sha256
K = TypeVar("K")
V = TypeVar("V")
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class HmacKey:
    """A signing key with its HMAC pads hashed once (RFC 2104, same bytes as ``hmac``).

    Each signature then costs two SHA-256 state copies instead of a new HMAC
    object: the derived key is reused for a whole day, so this pays off at once.
    """

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")  # a 32-byte key is shorter than SHA-256's block
        self.key = key
        self._inner = _sha256(block.translate(_IPAD))
        self._outer = _sha256(block.translate(_OPAD))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), _sha256).digest()


def k_signing(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning, uncached: HMAC chain over date, region, service, "aws4_request"."""
    k_date = _hmac(("AWS4" + secret).encode("utf-8"), date)
    return _hmac(_hmac(_hmac(k_date, region), service), AWS4_REQUEST)


class BoundedCache(Generic[K, V]):
    """Derived keys by the inputs they are made of: thread-safe, bounded, FIFO.

    Reads are a single dict lookup (atomic under the GIL) done by the subclass's
    ``get``; inserts and evictions hold the lock. Keys change rarely (once a day
    per scope, or per access key), so FIFO eviction is enough.
    """

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._keys: dict[K, V] = {}
        self._lock = threading.Lock()

    def _put(self, cache_key: K, key: V) -> None:
        with self._lock:
            while len(self._keys) >= self._maxsize:
                del self._keys[next(iter(self._keys))]
            self._keys[cache_key] = key

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:  # never show the secrets the keys are made of
        return f"<{type(self).__name__} {len(self._keys)}/{self._maxsize} keys>"


class SigningKeyCache(BoundedCache[tuple[str, str, str, str], HmacKey]):
    """kSigning by (secret, date, region, service)."""

    def __init__(self, maxsize: int = 64) -> None:
        super().__init__(maxsize)

    def get(self, secret: str, date: str, region: str, service: str) -> HmacKey:
        cache_key = (secret, date, region, service)
        key = self._keys.get(cache_key)
        if key is None:
            check_scope_names(region, service)
            key = HmacKey(k_signing(secret, date, region, service))
            self._put(cache_key, key)
        return key


SIGNING_KEYS = SigningKeyCache()


def derive_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain over date, region, service, "aws4_request" (cached)."""
    return SIGNING_KEYS.get(secret, date, region, service).key


def signature(signing_key: bytes, string_to_sign: str) -> str:
    """The Signature: lowercase hex HMAC-SHA256 of the string to sign."""
    return hmac.new(signing_key, string_to_sign.encode("utf-8"), _sha256).hexdigest()
