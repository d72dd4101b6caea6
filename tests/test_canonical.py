"""Canonicalisation rules, one pitfall of shared/reference/sigv4-notes.md §B per test."""

from __future__ import annotations

import pytest

from sigv4_dataapi import SigningSettings
from sigv4_dataapi._errors import SigningError
from sigv4_dataapi._sigv4.canonical import (
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    check_header,
    fold_value,
    remove_dot_segments,
    split_url,
)


def test_headers_sorted_by_name_only_and_repeats_joined_in_order() -> None:  # pitfalls 1-2
    pairs = [
        ("X-Amz-Meta-Test-Two", "2"),
        ("x-amz-meta-test", "b"),
        ("My-Header1", "value4"),
        ("my-header1", "value1"),
        ("MY-HEADER1", "value3"),
        ("X-Amz-Meta-Test", "a"),
    ]
    names = ["x-amz-meta-test-two", "x-amz-meta-test", "my-header1"]
    assert canonical_headers(pairs, names) == (
        "my-header1:value4,value1,value3\nx-amz-meta-test:b,a\nx-amz-meta-test-two:2\n"
    )


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ('  "a   b   c"  ', '"a b c"'),  # inside quotes too
        ("\tvalue1   value2\t\tvalue3 ", "value1 value2 value3"),
        ("a\x0b\x0cb", "a b"),
        ("a\u00a0\u00a0b", "a\u00a0\u00a0b"),  # NBSP is not AWS whitespace
        ("\u00a0a ", "\u00a0a"),
        ("", ""),
        ("   ", ""),
        ("plain", "plain"),
    ],
)
def test_value_folding_is_ascii_whitespace_only(raw: str, folded: str) -> None:  # pitfall 3
    assert fold_value(raw) == folded


@pytest.mark.parametrize(
    ("path", "normalized"),
    [
        ("/example/..", "/"),
        ("/example/../..", "/"),
        ("//", "/"),
        ("/./", "/"),
        ("/./example", "/example"),
        ("//example//", "/example/"),
        ("/a/b/../c/./d/", "/a/c/d/"),
        ("", "/"),
    ],
)
def test_dot_segments_and_empty_segments_are_removed(path: str, normalized: str) -> None:
    assert remove_dot_segments(path) == normalized  # pitfall 6


@pytest.mark.parametrize(
    ("path", "double", "single"),
    [
        ("/test/@connections/JBDvjfGEIAMCERw%3D", "/test/%40connections/JBDvjfGEIAMCERw%253D",
         "/test/%40connections/JBDvjfGEIAMCERw%3D"),
        ("/example space/", "/example%20space/", "/example%20space/"),
        ("/\u1234", "/%E1%88%B4", "/%E1%88%B4"),
        ("/example/$delete", "/example/%24delete", "/example/%24delete"),
        ("/a*b~c", "/a%2Ab~c", "/a%2Ab~c"),
    ],
)  # fmt: skip
def test_uri_double_encoding_for_services_single_for_s3(
    path: str, double: str, single: str
) -> None:  # pitfalls 6, 8
    assert canonical_uri(path, True, True) == double
    assert canonical_uri(path, False, False) == single


def test_s3_mode_does_not_normalize() -> None:
    assert canonical_uri("/a//b/../c", False, False) == "/a//b/../c"
    assert canonical_uri("/a//b/../c", True, True) == "/a/c"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("id-type=1&id=2", "id=2&id-type=1"),  # sort encoded keys, not "k=v" strings
        ("q.parser=1&q=2", "q=2&q.parser=1"),
        ("param[10]=a&param[2]=b", "param%5B10%5D=a&param%5B2%5D=b"),
        ("Param1=value2&Param1=Value1", "Param1=Value1&Param1=value2"),  # repeated keys kept
        ("flag&a=", "a=&flag="),  # ?flag -> flag=
        ("token=abc==&x=%3D", "token=abc%3D%3D&x=%3D"),  # no data lost, no double encoding
        ("a=%2B&b=+", "a=%2B&b=%2B"),  # a raw + is a plus
        ("k=%e2%9c%93&k2=\u2713", "k=%E2%9C%93&k2=%E2%9C%93"),  # uppercase hex, UTF-8
        ("a=1&&b=2&", "a=1&b=2"),
        ("k=%zz", "k=%25zz"),
        ("", ""),
        ("-_.~=$*", "-_.~=%24%2A"),
    ],
)
def test_query_canonicalisation(raw: str, canonical: str) -> None:  # pitfalls 9-13
    assert canonical_query(raw) == canonical


@pytest.mark.parametrize("name", ["", "a b", "a:b", "a\r\nb", "é"])
def test_bad_header_names_are_refused(name: str) -> None:
    with pytest.raises(SigningError):
        check_header(name, "v")


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\r\n b"])
def test_line_breaks_in_values_are_refused(value: str) -> None:
    with pytest.raises(SigningError, match="line break"):
        check_header("X-Ok", value)


def test_missing_signed_header_is_an_error_not_a_silent_mismatch() -> None:
    with pytest.raises(SigningError, match="content-type"):
        canonical_headers([("Host", "h")], ["host", "content-type"])


def test_canonical_request_of_a_received_request() -> None:
    creq = canonical_request(
        "post", "/a%2Fb", "b=2&a=1", [("Host", "h:8443"), ("X-A", " 1 ")], ["X-A", "host"],
        "UNSIGNED-PAYLOAD", SigningSettings(),
    )  # fmt: skip
    assert creq == "POST\n/a%252Fb\na=1&b=2\nhost:h:8443\nx-a:1\n\nhost;x-a\nUNSIGNED-PAYLOAD"


@pytest.mark.parametrize(
    "url",
    [
        "example.com/x",
        "https://",
        "https://h:port/",
        "https://:443/",
        "https://a b/",
        "https://h\x00/",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(SigningError):
        split_url(url)


def test_split_url_keeps_the_wire_text() -> None:
    target = split_url("https://h/./a b/%2F?x=%20&y#frag")
    assert (target.raw_path, target.raw_query, target.url) == (
        "/./a b/%2F", "x=%20&y", "https://h/./a b/%2F?x=%20&y"
    )  # fmt: skip
    assert split_url("https://h?x=1").raw_path == "/"
