"""SigV4Auth: httpx requests signed as sent, re-signed with a fresh time on every attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx

from sigv4_dataapi import Credentials, SigningSettings, SigV4Auth, sign_request
from sigv4_dataapi._sigv4.sign import SigningResult

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
T0 = datetime(2024, 1, 15, 12, 0, 0, tzinfo=timezone.utc)
URL = "https://rds-data.us-east-1.amazonaws.com/Execute"
BODY = b'{"sql": "SELECT 1"}'


def _ticking_clock(step: timedelta = timedelta(seconds=7)) -> Iterator[datetime]:
    now = T0
    while True:
        yield now
        now += step


def _client(seen: list[httpx.Request], statuses: list[int] | None = None) -> httpx.Client:
    codes = iter(statuses or [])

    def handler(request: httpx.Request) -> httpx.Response:
        # a snapshot: a resent request is the same object, signed again in place
        seen.append(httpx.Request(request.method, request.url, headers=request.headers))
        return httpx.Response(next(codes, 200))

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_signature_matches_sign_request_on_what_is_sent() -> None:
    seen: list[httpx.Request] = []
    creds = Credentials("AKIDEXAMPLE", SECRET, "TOKEN")
    auth = SigV4Auth(creds, region="us-east-1", service="rds-data", clock=lambda: T0)
    with _client(seen) as client:
        client.post(URL, content=BODY, headers={"Content-Type": "application/json"}, auth=auth)
    sent = seen[0]
    expected = sign_request(
        "POST", URL, headers=[(k, v) for k, v in sent.headers.multi_items()
                              if k not in ("authorization", "x-amz-date", "x-amz-security-token")],
        body=BODY, credentials=creds, region="us-east-1", service="rds-data", now=T0,
    )  # fmt: skip
    assert sent.headers["authorization"] == expected.headers["Authorization"]
    assert sent.headers["x-amz-date"] == "20240115T120000Z"
    assert sent.headers["x-amz-security-token"] == "TOKEN"
    assert "user-agent" not in expected.signed_headers.split(";")


def test_each_attempt_is_resigned_with_a_fresh_time() -> None:
    seen: list[httpx.Request] = []
    clock = _ticking_clock()
    auth = SigV4Auth(
        Credentials("AKID", "s"), region="r", service="rds-data", clock=lambda: next(clock)
    )
    with _client(seen, [503, 200]) as client:
        request = client.build_request("POST", URL, content=BODY)
        for _ in range(2):  # what a retry loop does: send the same request again
            client.send(request, auth=auth)
    dates = [r.headers["x-amz-date"] for r in seen]
    assert dates == ["20240115T120000Z", "20240115T120007Z"]
    assert seen[0].headers["authorization"] != seen[1].headers["authorization"]
    for sent in seen:  # one of each, never a stale duplicate
        names = [k for k, _ in sent.headers.multi_items()]
        assert names.count("authorization") == 1 and names.count("x-amz-date") == 1


def test_refreshed_credentials_are_used_per_attempt() -> None:
    seen: list[httpx.Request] = []
    keys = iter([Credentials("AKIDONE", "s1"), Credentials("AKIDTWO", "s2", "tok")])
    auth = SigV4Auth(lambda: next(keys), region="r", service="s", clock=lambda: T0)
    with _client(seen) as client:
        request = client.build_request("GET", "https://h.example/")
        client.send(request, auth=auth)
        client.send(request, auth=auth)
    assert "AKIDONE/" in seen[0].headers["authorization"]
    assert "x-amz-security-token" not in seen[0].headers
    assert "AKIDTWO/" in seen[1].headers["authorization"]
    assert seen[1].headers["x-amz-security-token"] == "tok"


def test_raw_path_and_repeated_headers_are_signed_as_sent() -> None:
    results: list[SigningResult] = []
    auth = SigV4Auth(
        Credentials("AKID", "s"), region="r", service="execute-api", clock=lambda: T0,
        on_signed=lambda result, request: results.append(result),
    )  # fmt: skip
    seen: list[httpx.Request] = []
    with _client(seen) as client:
        request = client.build_request(
            "GET",
            "https://h.example:8443/a%2Fb/c%3D?k=%2B&k=a",
            headers=[("X-R", "1"), ("X-R", "2")],
        )
        client.send(request, auth=auth)
    lines = results[0].canonical_request.split("\n")
    assert lines[1] == "/a%252Fb/c%253D"
    assert lines[2] == "k=%2B&k=a"
    assert "host:h.example:8443" in lines
    assert "x-r:1,2" in lines


def test_presigning_through_auth_rewrites_the_url_each_time() -> None:
    seen: list[httpx.Request] = []
    clock = _ticking_clock()
    auth = SigV4Auth(
        Credentials("AKID", "s", "t"), region="r", service="s", clock=lambda: next(clock),
        settings=SigningSettings(signature_location="query"),
    )  # fmt: skip
    with _client(seen) as client:
        request = client.build_request("GET", "https://h.example/p?x=1")
        client.send(request, auth=auth)
        client.send(request, auth=auth)
    for sent, stamp in zip(seen, ("20240115T120000Z", "20240115T120007Z"), strict=True):
        query = sent.url.query.decode().split("&")
        assert query[0] == "x=1"
        assert f"X-Amz-Date={stamp}" in query
        assert sum(p.startswith("X-Amz-Signature=") for p in query) == 1
        assert "authorization" not in sent.headers


def test_async_client_is_signed_too() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = SigV4Auth(Credentials("AKID", "s"), region="r", service="s", clock=lambda: T0)

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            await client.post(URL, content=BODY, auth=auth)

    asyncio.run(go())
    assert seen[0].headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/")


def test_repr_shows_no_secret() -> None:
    auth = SigV4Auth(Credentials("AKID", "topsecret", "tok"), region="r", service="s")
    assert "topsecret" not in repr(auth) and "tok" not in repr(auth)


def test_form_style_plus_in_the_query_is_sent_and_signed_as_percent_20() -> None:
    results: list[SigningResult] = []
    auth = SigV4Auth(
        Credentials("AKID", "s"), region="r", service="s", clock=lambda: T0,
        on_signed=lambda result, request: results.append(result),
    )  # fmt: skip
    seen: list[httpx.Request] = []
    with _client(seen) as client:
        client.get("https://h.example/p", params={"q": "a b+c"}, auth=auth)
    assert seen[0].url.query == b"q=a%20b%2Bc"
    assert results[0].canonical_request.split("\n")[2] == "q=a%20b%2Bc"
