"""SigningResult: the headers (or presigned URL) to apply, plus every intermediate artifact.

This is the signer's "instructions" for the caller, and the wire names of the
headers a signature adds. Its repr leaves out everything that can hold the
session token.
"""

from __future__ import annotations

from dataclasses import dataclass

X_AMZ_DATE = "X-Amz-Date"
X_AMZ_SECURITY_TOKEN = "X-Amz-Security-Token"
X_AMZ_CONTENT_SHA256 = "X-Amz-Content-SHA256"
AUTHORIZATION = "Authorization"
X_AMZ_REGION_SET = "X-Amz-Region-Set"  # SigV4a: the regions the signature is good for


@dataclass(frozen=True, repr=False)
class SigningResult:
    """What to apply to the request, and every intermediate artifact for debugging.

    ``headers`` are the headers to add (empty for a presigned URL); ``url`` is
    the URL to send (the presigned one in query mode, else the input URL).
    None of these strings holds the secret key; the session token is in
    ``headers``, ``canonical_request`` and a presigned ``url``, so ``repr``
    leaves those out.
    """

    headers: dict[str, str]
    canonical_request: str
    string_to_sign: str
    signature: str
    signed_headers: str
    credential_scope: str
    url: str

    @classmethod
    def _make(
        cls, headers: dict[str, str], canonical_request: str, string_to_sign: str,
        signature: str, signed_headers: str, credential_scope: str, url: str,
    ) -> SigningResult:  # fmt: skip
        """Build without the frozen ``__init__``'s per-field ``object.__setattr__`` calls,
        which would cost as much as a SHA-256 of the body on the signing hot path."""
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", {
            "headers": headers, "canonical_request": canonical_request,
            "string_to_sign": string_to_sign, "signature": signature,
            "signed_headers": signed_headers, "credential_scope": credential_scope, "url": url,
        })  # fmt: skip
        return result

    def __repr__(self) -> str:
        return (
            f"SigningResult(signed_headers={self.signed_headers!r}, "
            f"credential_scope={self.credential_scope!r}, signature={self.signature!r})"
        )
