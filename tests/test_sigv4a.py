"""SigV4a: key derivation (aws-c-auth's published keys), ECDSA signing, lazy cryptography."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest

from sigv4_dataapi import Credentials, SigningSettings, sign_request
from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._sigv4 import v4a as _sigv4a

NOW = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)
V4A = SigningSettings(algorithm="AWS4-ECDSA-P256-SHA256")
EXAMPLE = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


@pytest.mark.parametrize(
    ("credentials", "scalar", "x", "y"),
    [
        (
            EXAMPLE,
            "7efc8c0e65a324242818c5a50c891c6060b6a00717b7ba3cbe3c5d765be9259c",
            "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1",
            "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518",
        ),
        (
            Credentials("AKISORANDOMAASORANDOM", "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom"),
            "7fd3bd010c0d9c292141c2b77bfbde1042c92e6836fff749d1269ec890fca1bd",
            "15d242ceebf8d8169fd6a8b5a746c41140414c3b07579038da06af89190fffcb",
            "0515242cedd82e94799482e4c0514b505afccf2c0c98d6a553bf539f424c5ec0",
        ),
    ],
)
def test_key_derivation_matches_aws_c_auth(
    credentials: Credentials, scalar: str, x: str, y: str
) -> None:
    d = _sigv4a.derive_private_scalar(credentials.access_key_id, credentials.secret_access_key)
    assert f"{d:064x}" == scalar
    assert _sigv4a.public_point(credentials) == (int(x, 16), int(y, 16))


def test_derived_key_is_cached_per_access_key() -> None:
    first = _sigv4a.derive_private_key(EXAMPLE)
    assert _sigv4a.derive_private_key(EXAMPLE) is first
    other = Credentials("AKIDOTHER", EXAMPLE.secret_access_key)
    assert _sigv4a.derive_private_key(other) is not first
    assert "wJalr" not in repr(_sigv4a.PRIVATE_KEYS)


def test_header_signature_verifies_and_carries_the_region_set() -> None:
    result = sign_request(
        "GET", "https://example.amazonaws.com/", credentials=EXAMPLE, region="us-east-1,us-west-2",
        service="service", now=NOW, settings=V4A,
    )  # fmt: skip
    assert result.credential_scope == "20150830/service/aws4_request"
    assert result.headers["X-Amz-Region-Set"] == "us-east-1,us-west-2"
    assert result.signed_headers == "host;x-amz-date;x-amz-region-set"
    assert result.string_to_sign.startswith("AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n")
    assert result.headers["Authorization"].startswith(
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, "
    )
    public = _sigv4a.derive_private_key(EXAMPLE).public_key()
    assert _sigv4a.verify_signature(public, result.signature, result.string_to_sign)
    assert not _sigv4a.verify_signature(public, result.signature, result.string_to_sign + "x")
    assert not _sigv4a.verify_signature(public, "zz", result.string_to_sign)


def test_query_mode_puts_the_region_set_in_the_url() -> None:
    settings = SigningSettings(algorithm="AWS4-ECDSA-P256-SHA256", signature_location="query")
    result = sign_request(
        "GET", "https://example.amazonaws.com/?a=1", credentials=EXAMPLE, region="*",
        service="service", now=NOW, settings=settings,
    )  # fmt: skip
    assert "X-Amz-Region-Set=%2A" in result.url.split("&")
    assert "&X-Amz-Region-Set=%2A&" in result.canonical_request
    assert result.headers == {}


def test_bad_region_set_is_refused() -> None:
    with pytest.raises(SigningError, match="region set"):
        sign_request(
            "GET", "https://h/", credentials=EXAMPLE, region="us-east-1, us-west-2",
            service="s", now=NOW, settings=V4A,
        )  # fmt: skip


def test_missing_cryptography_is_a_clear_error() -> None:
    code = (
        "import sys, datetime as d\n"
        "sys.modules['cryptography'] = None\n"
        "import sigv4_dataapi as s\n"
        "from sigv4_dataapi._errors import MissingDependencyError\n"
        "now = d.datetime(2024, 1, 1, tzinfo=d.timezone.utc)\n"
        "c = s.Credentials('A', 'B')\n"
        "s.sign_request('GET', 'https://h/', credentials=c, region='r', service='x', now=now)\n"
        "try:\n"
        "    s.sign_request('GET', 'https://h/', credentials=c, region='r', service='x', now=now,\n"
        "                   settings=s.SigningSettings(algorithm='AWS4-ECDSA-P256-SHA256'))\n"
        "except MissingDependencyError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "SigV4a signing needs the 'cryptography' package: pip install 'sigv4-dataapi[crypto]'"
    )
