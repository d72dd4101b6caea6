"""The malformed requests of ``scripts/fuzz-endpoint``, one generator per kind.

Each takes a seeded ``random.Random`` and the endpoint and returns the bytes to
send on a fresh connection. None of them is a valid request: a 2xx answer to any
is a fuzz failure (the signed ones always break the body, a member every
operation reads, or the signature).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import rel_serve

Make = Callable[[random.Random, rel_serve.Served], bytes]


def _garbage(r: random.Random, s: rel_serve.Served) -> bytes:
    return r.randbytes(r.randint(1, 4096))


def _header_flood(r: random.Random, s: rel_serve.Served) -> bytes:
    head = b"POST /Execute HTTP/1.1\r\nHost: x\r\n"
    choice = r.randrange(3)
    if choice == 0:  # many headers
        return head + b"".join(b"X-%d: y\r\n" % i for i in range(r.randint(101, 3000))) + b"\r\n"
    if choice == 1:  # one huge line
        return head + b"X-Big: " + b"a" * r.randint(65_000, 200_000) + b"\r\n\r\n"
    return head + b"".join(b"X-%d: %s\r\n" % (i, b"b" * 8000) for i in range(40)) + b"\r\n"


_BAD_LENGTHS = [
    b"abc",
    b"-1",
    b"+5",
    b"5_0",
    b"\xd9\xa1\xd9\xa2",
    b" ",
    b"1e3",
    b"0x10",
    b"99999999999999999999999",
    b"5, 6",
    b"18446744073709551617",
]


def _bad_length(r: random.Random, s: rel_serve.Served) -> bytes:
    value = r.choice(_BAD_LENGTHS)
    return b"POST /Execute HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + b"\r\n\r\n{}"


def _conflicting_length(r: random.Random, s: rel_serve.Served) -> bytes:
    a, b = r.sample(range(0, 50), 2)
    return (
        b"POST /Execute HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nContent-Length: %d\r\n\r\n%s"
        % (a, b, b"x" * max(a, b))
    )


def _bad_chunking(r: random.Random, s: rel_serve.Served) -> bytes:
    chunks = r.choice(
        [
            b"zz\r\nabc\r\n0\r\n\r\n",
            b"5\r\nab",
            b"ffffffffffffffff\r\n",
            b"3\r\nabc\r\n",
            b"-1\r\n\r\n",
        ]
    )
    extra = b"Content-Length: 3\r\n" if r.random() < 0.5 else b""
    return (
        b"POST /Execute HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        + extra
        + b"\r\n"
        + chunks
    )


def _truncated(r: random.Random, s: rel_serve.Served) -> bytes:
    full = rel_serve.signed_request(
        s, "/Execute", json.dumps(rel_serve.target_body(s, sql="SELECT 1")).encode()
    )
    return full[: r.randint(1, len(full) - 1)]


def _signed(s: rel_serve.Served, body: bytes, path: str = "/Execute") -> bytes:
    return rel_serve.signed_request(s, path, body)


def _invalid_json(r: random.Random, s: rel_serve.Served) -> bytes:
    body = json.dumps(rel_serve.target_body(s, sql="SELECT 1")).encode()
    cut = r.randint(0, len(body) - 1)
    return _signed(
        s, r.choice([body[:cut], body[:cut] + b"\x01" + r.randbytes(2) + body[cut:], b"", b"nul"])
    )


_WRONG_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x" * 70_000,
    [],
    {},
    [1, "a"],
    {"a": {"b": []}},
    "\u0000",
    2**70,
]
_MEMBERS = [
    "resourceArn",
    "secretArn",
    "sql",
    "database",
    "schema",
    "transactionId",
    "parameters",
    "includeResultMetadata",
    "continueAfterTimeout",
    "resultSetOptions",
    "formatRecordsAs",
    "parameterSets",
]
_PATHS = [
    "/Execute",
    "/BatchExecute",
    "/BeginTransaction",
    "/CommitTransaction",
    "/RollbackTransaction",
    "/ExecuteSql",
    "/Nope",
]


def _wrong_types(r: random.Random, s: rel_serve.Served) -> bytes:
    body = rel_serve.target_body(
        s, sql="SELECT :a", parameters=[{"name": "a", "value": {"longValue": 1}}]
    )
    for _ in range(r.randint(0, 3)):
        body[r.choice(_MEMBERS)] = r.choice(_WRONG_VALUES)
    # and one member that every operation reads, certainly wrong: never a valid request
    body[r.choice(["resourceArn", "secretArn"])] = r.choice([0, 1.5, True, [], {}, ["a"], "arn:x"])
    if r.random() < 0.4:  # a wrong parameter shape
        value = r.choice(
            [
                {"longValue": "x"},
                {"arrayValue": {"arrayValues": [1]}},
                {},
                {"blobValue": "!!"},
                {"longValue": 1, "stringValue": "a"},
                {"isNull": "yes"},
                "v",
                {"typeHint": 5, "stringValue": "1"},
            ]
        )
        body["parameters"] = [{"name": r.choice(["a", "", 5, None]), "value": value}]
    return _signed(s, json.dumps(body).encode(), r.choice(_PATHS))


def _deep(r: random.Random, s: rel_serve.Served) -> bytes:
    depth = r.choice([65, 1000, 100_000])
    if r.random() < 0.5:
        return _signed(s, b"[" * depth + b"]" * depth)
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    body = (
        json.dumps(rel_serve.target_body(s, sql="SELECT 1"))[:-1].encode()
        + b',"x":'
        + nested
        + b"}"
    )
    return _signed(s, body)


def _bad_unicode(r: random.Random, s: rel_serve.Served) -> bytes:
    choice = r.randrange(4)
    if choice == 0:  # lone surrogates somewhere in the JSON
        text = r.choice(["\\ud800", "\\udfff", "a\\udc00b", "\\ud83d"])
        member = r.choice(
            [
                '"sql":"%s"',
                '"database":"%s"',
                '"parameters":[{"name":"%s","value":{"isNull":true}}]',
                '"parameters":[{"name":"a","value":{"stringValue":"%s"}}]',
            ]
        )
        base = json.dumps(rel_serve.target_body(s, sql="SELECT :a"))[:-1]
        return _signed(s, (base + "," + member % text + "}").encode())
    if choice == 1:  # invalid UTF-8 in the body
        return _signed(s, b'{"sql":"SELECT \xff\xfe"}')
    if choice == 2:  # non-ASCII bytes in the head
        return (
            b"POST /Ex\xe9cute HTTP/1.1\r\nHost: \xff\xfe\r\nX-\xc3\x28: \x80\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        )
    return b"POST /Execute HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 \xff\x00\r\n\r\n"


def _bad_request_line(r: random.Random, s: rel_serve.Served) -> bytes:
    return r.choice(
        [
            b"POST /Execute HTTP/2.0\r\n\r\n",
            b"POST /Execute\r\n\r\n",
            b"\r\n\r\n",
            b"POST  /Execute  HTTP/1.1 extra\r\n\r\n",
            b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
            b"POST /Execute HTTP/1.1\r\n Folded: x\r\n\r\n",
            b"POST /Execute HTTP/1.1\r\n:x\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            b"PNST /Execute HTTP/1.1\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        ]
    )


def _bit_flip(r: random.Random, s: rel_serve.Served) -> bytes:
    """One bit flipped in the body or the signature: the signature no longer matches."""
    good = _signed(s, json.dumps(rel_serve.target_body(s, sql="SELECT 1")).encode())
    head_end = good.index(b"\r\n\r\n") + 4
    signature = good.index(b"Signature=") + len(b"Signature=")
    i = r.choice([r.randrange(head_end, len(good)), signature + r.randrange(64)])
    flipped = good[i] ^ (1 << r.randrange(7))
    if good[i : i + 1] in b"0123456789abcdef" and i < head_end:
        flipped = ord("g")  # a hex digit always becomes a different character
    return good[:i] + bytes([flipped]) + good[i + 1 :]


KINDS: dict[str, Make] = {
    "garbage": _garbage,
    "header-flood": _header_flood,
    "bad-length": _bad_length,
    "conflicting-length": _conflicting_length,
    "bad-chunking": _bad_chunking,
    "truncated": _truncated,
    "invalid-json": _invalid_json,
    "wrong-types": _wrong_types,
    "deep-nesting": _deep,
    "invalid-unicode": _bad_unicode,
    "bad-request-line": _bad_request_line,
    "bit-flip": _bit_flip,
}
