"""sign_request and the lower-level SigV4 pieces, against the fixed-clock Data API vector.

The expected values are from shared/reference/rds-data-api.md §7.3 (captured from
botocore with a patched clock and reproduced over loopback).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from sigv4_dataapi import Credentials, SigningSettings, sign_request
from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._sigv4 import canonical as _canonical
from sigv4_dataapi._sigv4 import sign as _sigv4
from sigv4_dataapi._sigv4 import signing_key as _signing_key

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
URL = "https://rds-data.us-east-1.amazonaws.com/Execute"
NOW = datetime(2024, 1, 15, 12, 0, 0, tzinfo=timezone.utc)
BODY = (
    b'{"resourceArn": "arn:aws:rds:us-east-1:123456789012:cluster:mydb", "secretArn": '
    b'"arn:aws:secretsmanager:us-east-1:123456789012:secret:mysecret-AbCdEf", "sql": '
    b'"SELECT :id", "parameters": [{"name": "id", "value": {"longValue": 1}}]}'
)
CANONICAL = (
    "POST\n/Execute\n\ncontent-type:application/json\nhost:rds-data.us-east-1.amazonaws.com\n"
    "x-amz-date:20240115T120000Z\n\ncontent-type;host;x-amz-date\n"
    "91c50ab4faa7f7c4fcce9eb1869ab9f9a2620929e86ce732a5a2d8d927c0dc5d"
)
STS = (
    "AWS4-HMAC-SHA256\n20240115T120000Z\n20240115/us-east-1/rds-data/aws4_request\n"
    "4a0eb2d4f0c6075317baf0b04769d4bfb4646a3523971e2f372812380c464a2b"
)
SIG = "f7690cb67b55713221508309cf35db09705c71f36ce2d985288a222982d7f6fd"
SIG_TOKEN = "92e5cbd9c0358f167c2bb373ea70530185c5a4de8ede2a0ffdeb6e5c68a6c4f1"
STS_HASH_TOKEN = "bbb62db79dbdc785983cd9312374e92348799f916c5f73ba6e0334ea1180d6c5"


def _sign(token: str | None = None, url: str = URL, **kwargs: object) -> _sigv4.SigningResult:
    params: dict[str, object] = {
        "headers": {"Content-Type": "application/json"},
        "body": BODY,
        "credentials": Credentials("AKIDEXAMPLE", SECRET, token),
        "region": "us-east-1",
        "service": "rds-data",
        "now": NOW,
    }
    params.update(kwargs)
    return sign_request("POST", url, **params)  # type: ignore[arg-type]


def test_data_api_vector_without_token() -> None:
    result = _sign()
    assert result.canonical_request == CANONICAL
    assert result.string_to_sign == STS
    assert result.signature == SIG
    assert result.signed_headers == "content-type;host;x-amz-date"
    assert result.credential_scope == "20240115/us-east-1/rds-data/aws4_request"
    assert result.url == URL
    assert result.headers == {
        "X-Amz-Date": "20240115T120000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/rds-data/"
        f"aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={SIG}",
    }


def test_data_api_vector_with_token() -> None:
    result = _sign("EXAMPLESESSIONTOKEN")
    assert result.signed_headers == "content-type;host;x-amz-date;x-amz-security-token"
    assert result.string_to_sign.endswith(STS_HASH_TOKEN)
    assert result.signature == SIG_TOKEN
    assert result.headers["X-Amz-Security-Token"] == "EXAMPLESESSIONTOKEN"


def test_low_level_pieces_reproduce_sign_request() -> None:
    """What the local endpoint does with a received request gives the same signature."""
    received = [
        ("Host", "rds-data.us-east-1.amazonaws.com"),
        ("Content-Type", "application/json"),
        ("X-Amz-Date", "20240115T120000Z"),
        ("User-Agent", "not signed"),
    ]
    creq = _canonical.canonical_request(
        "POST", "/Execute", "", received, ["content-type", "host", "x-amz-date"],
        _canonical.payload_hash(BODY), SigningSettings(),
    )  # fmt: skip
    assert creq == CANONICAL
    scope = _sigv4.credential_scope("20240115", "us-east-1", "rds-data")
    sts = _sigv4.string_to_sign("20240115T120000Z", scope, creq)
    assert sts == STS
    key = _sigv4.derive_signing_key(SECRET, "20240115", "us-east-1", "rds-data")
    assert _sigv4.signature(key, sts) == SIG


def test_signing_key_matches_the_documented_chain() -> None:
    # AWS's documented example key for 20150830/us-east-1/iam (SigV4 docs, "derive key").
    key = _sigv4.derive_signing_key(SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


def test_signing_key_cache_is_bounded_and_thread_safe() -> None:
    cache = _signing_key.SigningKeyCache(maxsize=8)
    results: list[bytes] = []

    def work(i: int) -> None:
        for day in range(20):
            results.append(cache.get("secret", f"202401{day:02d}", f"r{i}", "s"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) <= 8
    assert len(results) == 80
    assert cache.get("secret", "20240101", "r0", "s").key == _signing_key.k_signing(
        "secret", "20240101", "r0", "s"
    )
    assert "secret" not in repr(cache)


def test_signing_key_is_cached() -> None:
    _sigv4.SIGNING_KEYS.clear()
    first = _sigv4.derive_signing_key("s1", "20240101", "us-east-1", "rds-data")
    assert len(_sigv4.SIGNING_KEYS) == 1
    assert _sigv4.derive_signing_key("s1", "20240101", "us-east-1", "rds-data") is first
    assert _sigv4.signature(first, "sts") == _sigv4.SIGNING_KEYS.get(
        "s1", "20240101", "us-east-1", "rds-data"
    ).hexdigest(b"sts")
    assert _sigv4.derive_signing_key("s2", "20240101", "us-east-1", "rds-data") != first


def test_amz_date_memo_follows_the_clock_across_seconds_and_zones() -> None:
    tick = NOW.replace(microsecond=999_999)
    assert _sigv4.amz_date(tick) == "20240115T120000Z"
    assert _sigv4.amz_date(tick + timedelta(microseconds=1)) == "20240115T120001Z"
    assert _sigv4.amz_date(tick) == "20240115T120000Z"
    assert _sigv4.amz_date(NOW - timedelta(days=400)) == "20221211T120000Z"
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    assert _sigv4.amz_date(tokyo) == "20240115T120000Z"


def test_plans_are_per_request_shape() -> None:
    """The memoised canonical-request plan never leaks between different requests."""
    first = _sign(headers={"Content-Type": "application/json", "X-A": "1"})
    second = _sign(headers={"Content-Type": "application/json", "X-A": "2"})
    assert "x-a:1\n" in first.canonical_request and "x-a:2\n" in second.canonical_request
    other_body = _sign(body=b"{}")
    assert other_body.canonical_request.endswith(_canonical.payload_hash(b"{}"))
    as_lists = _sign(headers=[["Content-Type", "application/json"]])  # unhashable: no memo
    assert as_lists.signature == SIG
    assert _sign(now=NOW + timedelta(seconds=1)).headers["X-Amz-Date"] == "20240115T120001Z"


def test_time_zone_is_converted_to_utc_and_naive_time_refused() -> None:
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    assert _sign(now=plus_two).signature == SIG
    with pytest.raises(SigningError, match="timezone-aware"):
        _sign(now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nInjected: yes"},
        {"X-Evil": "a\nb"},
        {"Bad Name": "x"},
        {"Bad:Name": "x"},
        {"": "x"},
        {"X-Nul": "a\x00b"},
        {"X-Bytes": b"v"},
        [(b"X-Bytes-Name", "v")],
    ],
)
def test_line_breaks_and_bad_header_names_are_refused(headers: object) -> None:
    with pytest.raises(SigningError):
        _sign(headers=headers)


@pytest.mark.parametrize("method", ["GET /x HTTP/1.1\r\n", "", "PO ST", "G\x00"])
def test_bad_methods_are_refused(method: str) -> None:
    for location in ("header", "query"):
        with pytest.raises(SigningError, match="method"):
            sign_request(
                method,
                URL,
                credentials=Credentials("AKID", "s"),
                region="r",
                service="s",
                now=NOW,
                settings=SigningSettings(signature_location=location),  # type: ignore[arg-type]
            )


@pytest.mark.parametrize(
    ("region", "service"), [("us-east-1/x", "s"), ("r", "rds data"), ("", "s"), ("r", "s\r\n")]
)
def test_bad_region_or_service_is_refused(region: str, service: str) -> None:
    with pytest.raises(SigningError, match="region or service"):
        _sign(region=region, service=service)


def test_a_str_body_is_a_clear_error() -> None:
    with pytest.raises(SigningError, match="body must be bytes, not str"):
        _sign(body="{}")


def test_bad_session_token_is_refused() -> None:
    with pytest.raises(SigningError, match="session token") as info:
        _sign("SECRETTOK\r\nX-Injected: 1")
    assert "SECRETTOK" not in str(info.value)


@pytest.mark.parametrize(
    "key_id", ["", "AKID EXAMPLE", "AKID\r\nX", "AKID/2024", "AKID,Signature=0", "AKID;x", "é"]
)
def test_bad_access_key_ids_are_refused(key_id: str) -> None:
    with pytest.raises(SigningError, match="access key id") as info:
        _sign(credentials=Credentials(key_id, SECRET))
    assert SECRET not in str(info.value)


def test_errors_and_results_never_show_the_secret() -> None:
    result = _sign("TOKEN-SECRET-VALUE")
    text = repr(result.canonical_request) + result.string_to_sign + repr(result.headers)
    assert SECRET not in text
    assert "TOKEN-SECRET-VALUE" not in repr(result)
    assert result.signature in repr(result)
    presigned = _sign("TOKEN-SECRET-VALUE", settings=SigningSettings(signature_location="query"))
    assert "TOKEN-SECRET-VALUE" not in repr(presigned)
    with pytest.raises(SigningError) as info:
        _sign(credentials=Credentials("AKID", SECRET, "TOK"), headers={"X": "\n"})
    assert SECRET not in str(info.value) and "TOK" not in str(info.value)


def test_input_auth_headers_are_replaced_not_signed_twice() -> None:
    stale = {"Content-Type": "application/json", "Authorization": "old", "X-Amz-Date": "old"}
    assert _sign(headers=stale).signature == SIG
    stale_token = {**stale, "x-amz-security-token": "old-token"}
    assert _sign("EXAMPLESESSIONTOKEN", headers=stale_token).signature == SIG_TOKEN


def test_headers_as_pairs_and_host_header_override() -> None:
    pairs = [("Host", "rds-data.us-east-1.amazonaws.com"), ("Content-Type", "application/json")]
    assert _sign(headers=pairs).signature == SIG
    assert sign_request(
        "POST", "/Execute", headers=pairs, body=BODY,
        credentials=Credentials("AKIDEXAMPLE", SECRET),
        region="us-east-1", service="rds-data", now=NOW,
    ).signature == SIG  # fmt: skip
    with pytest.raises(SigningError, match="Host"):
        _sign(headers={}, url="/Execute")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (
            "https://rds-data.us-east-1.amazonaws.com:443/Execute",
            "rds-data.us-east-1.amazonaws.com",
        ),
        ("https://Example.COM:8443/Execute", "example.com:8443"),
        ("http://example.com:80/", "example.com"),
        ("http://example.com:443/", "example.com:443"),
        ("https://user:pw@example.com/x", "example.com"),
        ("https://[::1]:8443/x", "[::1]:8443"),
        ("https://[::1]/x", "[::1]"),
        ("https://h:/x", "h"),
    ],
)
def test_host_is_what_goes_on_the_wire(url: str, host: str) -> None:
    assert _canonical.split_url(url).host == host
    result = sign_request(
        "GET", url, credentials=Credentials("AKID", "s"), region="r", service="s", now=NOW
    )
    assert f"\nhost:{host}\n" in result.canonical_request


def test_settings_are_frozen_and_validated() -> None:
    settings = SigningSettings()
    with pytest.raises(AttributeError):
        settings.expires_in = 5  # type: ignore[misc]
    for bad in ({"expires_in": 0}, {"expires_in": 7 * 86400 + 1}, {"signature_location": "x"},
                {"algorithm": "AWS4-HMAC-SHA1"}):  # fmt: skip
        with pytest.raises(SigningError):
            SigningSettings(**bad)  # type: ignore[arg-type]


def test_unsigned_headers_setting_is_case_insensitive() -> None:
    settings = SigningSettings(unsigned_headers={"Content-Type"})  # type: ignore[arg-type]
    assert settings.unsigned_headers == frozenset({"content-type"})
    assert _sign(settings=settings).signed_headers == "host;x-amz-date"


def test_unsigned_payload_and_content_sha256_header() -> None:
    result = _sign(settings=SigningSettings(unsigned_payload=True, content_sha256_header=True))
    assert result.canonical_request.endswith("\nUNSIGNED-PAYLOAD")
    assert result.headers["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert "x-amz-content-sha256" in result.signed_headers.split(";")
    hashed = _sign(settings=SigningSettings(content_sha256_header=True))
    assert hashed.headers["X-Amz-Content-SHA256"] == _canonical.payload_hash(BODY)


def test_omit_session_token_adds_it_unsigned() -> None:
    result = _sign("EXAMPLESESSIONTOKEN", settings=SigningSettings(omit_session_token=True))
    assert result.signature == SIG
    assert result.headers["X-Amz-Security-Token"] == "EXAMPLESESSIONTOKEN"


def test_presigned_url() -> None:
    settings = SigningSettings(signature_location="query", expires_in=900)
    result = sign_request(
        "GET", "https://example.com/a b/?z=1&a=%2F", credentials=Credentials("AKID", "s", "t/k+n="),
        region="us-east-1", service="svc", now=NOW, settings=settings,
    )  # fmt: skip
    assert result.headers == {}
    query = result.url.partition("?")[2].split("&")
    assert query[:2] == ["z=1", "a=%2F"]
    assert "X-Amz-Expires=900" in query
    assert "X-Amz-Security-Token=t%2Fk%2Bn%3D" in query
    assert "X-Amz-Credential=AKID%2F20240115%2Fus-east-1%2Fsvc%2Faws4_request" in query
    assert query[-1] == f"X-Amz-Signature={result.signature}"
    assert result.canonical_request.split("\n")[2].startswith("X-Amz-Algorithm=AWS4-HMAC-SHA256&")
    assert result.canonical_request.split("\n")[1] == "/a%20b/"


@pytest.mark.parametrize(
    ("url", "start"),
    [
        ("https://h/a&", "https://h/a&?X-Amz-Algorithm="),
        ("https://h/a?", "https://h/a?X-Amz-Algorithm="),
        ("https://h/a?x=1&", "https://h/a?x=1&X-Amz-Algorithm="),
        ("https://h/a?x=1", "https://h/a?x=1&X-Amz-Algorithm="),
        ("https://h?x", "https://h?x&X-Amz-Algorithm="),
    ],
)
def test_presigned_url_joins_the_auth_parameters_to_the_query(url: str, start: str) -> None:
    result = sign_request(
        "GET", url, credentials=Credentials("AKID", "s"), region="r", service="s", now=NOW,
        settings=SigningSettings(signature_location="query"),
    )  # fmt: skip
    assert result.url.startswith(start)


def test_presigned_url_verifies_with_the_endpoint_pieces() -> None:
    """Re-deriving the signature from the presigned URL alone, as a verifier would."""
    creds = Credentials("AKID", "secret")
    result = sign_request(
        "GET", "https://example.com/p?x=1", credentials=creds, region="r", service="s", now=NOW,
        settings=SigningSettings(signature_location="query"),
    )  # fmt: skip
    query = result.url.partition("?")[2]
    unsigned = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Signature="))
    creq = _canonical.canonical_request(
        "GET", "/p", unsigned, [("host", "example.com")], ["host"],
        _canonical.EMPTY_SHA256, SigningSettings(),
    )  # fmt: skip
    sts = _sigv4.string_to_sign("20240115T120000Z", result.credential_scope, creq)
    key = _sigv4.derive_signing_key("secret", "20240115", "r", "s")
    assert _sigv4.signature(key, sts) == result.signature


def test_sign_request_does_not_import_cryptography() -> None:
    code = (
        "import sys, datetime as d, sigv4_dataapi as s\n"
        "s.sign_request('GET', 'https://h/', credentials=s.Credentials('A', 'B'), region='r',"
        " service='x', now=d.datetime(2024, 1, 1, tzinfo=d.timezone.utc))\n"
        "print('cryptography' in sys.modules, 'httpx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
