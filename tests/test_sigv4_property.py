"""Property: for random requests, our Authorization header equals botocore's SigV4Auth's.

botocore (tests only) is the oracle. Inputs stay inside what both sides define
the same way: query strings already RFC 3986-encoded (botocore signs the URL's
query as-is, we decode and re-encode), and header whitespace limited to ASCII
spaces and tabs (botocore's ``str.split()`` also folds Unicode spaces, AWS does
not). Empty query pieces (``a&&b``) are not generated: botocore signs them as
``=``, we drop them as carrying no parameter (as smithy-rs does). Our signing
time is botocore's own X-Amz-Date, so no clock is patched.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigv4_dataapi import Credentials, SigningSettings, sign_request
from sigv4_dataapi._sigv4 import canonical as _canonical
from sigv4_dataapi._sigv4 import sign as _sigv4

botocore_auth = pytest.importorskip("botocore.auth")
botocore_request = pytest.importorskip("botocore.awsrequest")
botocore_credentials = pytest.importorskip("botocore.credentials")

# A busy machine (the suite runs beside other work) must not turn into a failure.
SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much]
UNRESERVED = "ABCXYZabcxyz0189-._~"
RESERVED = "!$&'()*+,;=:@"
UTF8 = "éßΩ日本✓😀"
ESCAPES = ["%20", "%2F", "%3F", "%23", "%25", "%2f", "%41", "%E2%9C%93", "%zz"]

segment = st.one_of(
    st.sampled_from([".", "..", ""]),
    st.lists(
        st.one_of(st.sampled_from(list(UNRESERVED + RESERVED + UTF8)), st.sampled_from(ESCAPES)),
        min_size=1,
        max_size=6,
    ).map("".join),
)
path = st.lists(segment, max_size=6).map(lambda parts: "/" + "/".join(parts))
query_text = st.text(alphabet=UNRESERVED + RESERVED + UTF8 + " /?#%[]", max_size=6)
query_pair = st.tuples(
    query_text.map(lambda s: quote(s, safe="-_.~")),
    query_text.map(lambda s: quote(s, safe="-_.~")),
    st.booleans(),  # False: "key" alone, no "="
)
query = st.lists(query_pair, max_size=6).map(
    lambda pairs: "&".join(k + "=" + v if eq or v or not k else k for k, v, eq in pairs)
)
header_name = st.sampled_from(
    ["X-Amz-Meta-A", "x-amz-meta-a", "X-Amz-Meta-A-B", "Content-Type", "X-Custom", "Accept", "ETag"]
)
header_value = st.text(
    alphabet=st.sampled_from(list(" \t" + UNRESERVED + RESERVED + '"/?#%' + "éΩ")), max_size=12
)
headers = st.lists(st.tuples(header_name, header_value), max_size=6)
port = st.sampled_from(["", ":443", ":8443", ":80", ":1"])
host = st.sampled_from(["example.amazonaws.com", "RDS-Data.us-east-1.amazonaws.com", "127.0.0.1"])
token = st.one_of(st.none(), st.text(alphabet=UNRESERVED + "/+=", min_size=1, max_size=40))


def _botocore_authorization(
    method: str, url: str, pairs: list[tuple[str, str]], body: bytes, creds: Credentials,
    region: str, service: str,
) -> tuple[str, str]:  # fmt: skip
    request = botocore_request.AWSRequest(method=method, url=url, data=body)
    for name, value in pairs:
        request.headers[name] = value  # HTTPMessage appends: repeated headers stay repeated
    oracle = botocore_credentials.Credentials(
        creds.access_key_id, creds.secret_access_key, creds.session_token
    )
    botocore_auth.SigV4Auth(oracle, service, region).add_auth(request)
    return request.headers["Authorization"], request.headers["X-Amz-Date"]


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK, database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    host=host,
    port=port,
    path=path,
    query=query,
    header_pairs=headers,
    body=st.binary(max_size=64),
    token=token,
    region=st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"]),
    service=st.sampled_from(["rds-data", "execute-api", "lambda"]),
    access_key=st.text(alphabet=UNRESERVED[:12], min_size=4, max_size=20),
    secret=st.text(alphabet=UNRESERVED + "/+", min_size=1, max_size=40),
)
def test_authorization_matches_botocore(
    method: str, host: str, port: str, path: str, query: str,
    header_pairs: list[tuple[str, str]], body: bytes, token: str | None, region: str,
    service: str, access_key: str, secret: str,
) -> None:  # fmt: skip
    url = f"https://{host}{port}{path}" + (f"?{query}" if query else "")
    creds = Credentials(access_key, secret, token)
    expected, stamp = _botocore_authorization(
        method, url, header_pairs, body, creds, region, service
    )
    now = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    ours = sign_request(
        method, url, headers=header_pairs, body=body, credentials=creds, region=region,
        service=service, now=now,
    )  # fmt: skip
    assert ours.headers["Authorization"] == expected, ours.canonical_request


encoded_segment = st.lists(
    st.one_of(
        st.sampled_from(list(UNRESERVED)), st.sampled_from(["%20", "%2F", "%40", "%E2%9C%93"])
    ),
    max_size=5,
).map("".join)
encoded_path = st.lists(st.one_of(encoded_segment, st.sampled_from([".", ".."])), max_size=5).map(
    lambda parts: "/" + "/".join(parts)
)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK, database=None)
@given(
    method=st.sampled_from(["GET", "PUT", "POST"]),
    path=encoded_path,
    query=query,
    header_pairs=headers,
    body=st.binary(max_size=64),
    token=token,
)
def test_s3_settings_match_botocore_s3_signer(
    method: str, path: str, query: str, header_pairs: list[tuple[str, str]], body: bytes,
    token: str | None,
) -> None:  # fmt: skip
    """S3: no normalisation, single encoding, signed x-amz-content-sha256 (plain http, so
    botocore hashes the body)."""
    url = f"http://bucket.s3.amazonaws.com{path}" + (f"?{query}" if query else "")
    creds = Credentials("AKIDEXAMPLE", "secret", token)
    request = botocore_request.AWSRequest(method=method, url=url, data=body)
    for name, value in header_pairs:
        request.headers[name] = value
    oracle = botocore_credentials.Credentials("AKIDEXAMPLE", "secret", token)
    botocore_auth.S3SigV4Auth(oracle, "s3", "us-east-1").add_auth(request)
    stamp = request.headers["X-Amz-Date"]
    s3 = SigningSettings(normalize_path=False, double_encode_path=False, content_sha256_header=True)
    ours = sign_request(
        method, url, headers=header_pairs, body=body, credentials=creds, region="us-east-1",
        service="s3", now=_time(stamp), settings=s3,
    )  # fmt: skip
    assert ours.headers["Authorization"] == request.headers["Authorization"]
    assert ours.headers["X-Amz-Content-SHA256"] == request.headers["X-Amz-Content-SHA256"]


unique_query = st.dictionaries(
    st.text(alphabet=UNRESERVED, min_size=1, max_size=5).filter(lambda k: not k.startswith("X-")),
    query_text,
    max_size=4,
).map(lambda d: "&".join(f"{k}={quote(v, safe='-_.~')}" for k, v in d.items()))


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_OK, database=None)
@given(
    path=path,
    query=unique_query,
    header_pairs=headers,
    token=token,
    expires=st.integers(min_value=1, max_value=604800),
)
def test_presigned_urls_match_botocore_query_signer(
    path: str, query: str, header_pairs: list[tuple[str, str]], token: str | None, expires: int
) -> None:
    """Query signing: botocore's presigner keeps one value per key and re-encodes the
    query, so keys are unique here; the signature and the auth parameters must agree."""
    url = f"https://example.amazonaws.com{path}" + (f"?{query}" if query else "")
    creds = Credentials("AKIDEXAMPLE", "secret", token)
    request = botocore_request.AWSRequest(method="GET", url=url)
    for name, value in header_pairs:
        request.headers[name] = value
    oracle = botocore_credentials.Credentials("AKIDEXAMPLE", "secret", token)
    botocore_auth.SigV4QueryAuth(oracle, "execute-api", "eu-west-1", expires).add_auth(request)
    theirs = dict(p.split("=", 1) for p in request.url.partition("?")[2].split("&"))
    presign = SigningSettings(signature_location="query", expires_in=expires)
    ours = sign_request(
        "GET", url, headers=header_pairs, credentials=creds, region="eu-west-1",
        service="execute-api", now=_time(theirs["X-Amz-Date"]), settings=presign,
    )  # fmt: skip
    mine = dict(p.split("=", 1) for p in ours.url.partition("?")[2].split("&"))
    assert mine == theirs, ours.canonical_request


def _time(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_OK, database=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    port=port,
    path=path,
    query=query,
    header_pairs=headers,
    body=st.binary(max_size=64),
    token=token,
    omit_token=st.booleans(),
    content_sha256=st.booleans(),
)
def test_the_verifier_pieces_reproduce_the_signer(
    method: str, port: str, path: str, query: str, header_pairs: list[tuple[str, str]],
    body: bytes, token: str | None, omit_token: bool, content_sha256: bool,
) -> None:  # fmt: skip
    """What the local endpoint recomputes from a received request (the low-level pieces)
    equals what sign_request made from the request it was given (the memoised plan)."""
    url = f"https://example.amazonaws.com{port}{path}" + (f"?{query}" if query else "")
    chosen = SigningSettings(omit_session_token=omit_token, content_sha256_header=content_sha256)
    now = datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc)
    result = sign_request(
        method, url, headers=header_pairs, body=body, credentials=Credentials("AKID", "s", token),
        region="us-east-1", service="rds-data", now=now, settings=chosen,
    )  # fmt: skip
    target = _canonical.split_url(url)
    received = [("Host", str(target.host)), *header_pairs, *result.headers.items()]
    creq = _canonical.canonical_request(
        method, target.raw_path, target.raw_query, received, result.signed_headers.split(";"),
        _canonical.payload_hash(body), SigningSettings(),
    )  # fmt: skip
    assert creq == result.canonical_request
    scope = _sigv4.credential_scope("20240229", "us-east-1", "rds-data")
    sts = _sigv4.string_to_sign("20240229T235959Z", scope, creq)
    key = _sigv4.derive_signing_key("s", "20240229", "us-east-1", "rds-data")
    assert _sigv4.signature(key, sts) == result.signature
