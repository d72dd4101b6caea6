"""Issue 14: the client against peers that misbehave, on real loopback sockets.

Every test here failed before its fix (the report of issue 14 lists the before/after).
Each runs through both drivers: ``Client`` (``StdlibTransport``, or httpx's for a proxy)
and ``AsyncClient`` (httpcore). Whatever a peer does, the call ends in time, holds at
most ``max_response_bytes`` plus a constant, and fails only with a ``DataAPIError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import os
import socket
import threading
import time
import tracemalloc
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    EMPTY_RESULT,
    Hostile,
    answer,
    connect_proxy,
    hostile,
    keep_alive,
    read_head,
    read_request,
)
from test_transport_server import self_signed

from sigv4_dataapi import (
    AsyncClient,
    Client,
    ConfigurationError,
    DataAPIError,
    ResponseParseError,
    ResponseTooLargeError,
    Result,
    StatementMayHaveRunError,
)
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import ConnectError, ReadTimeoutError
from sigv4_dataapi._transport.retry import NO_WAIT

ARN = "arn:aws:rds:us-east-1:123456789012:cluster:c"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
MiB = 1 << 20
KINDS = ["sync", "async"]


def execute(kind: str, url: str, sql: str = "SELECT 1", **options: Any) -> Result:
    """One ``execute`` through ``Client`` or ``AsyncClient``, with no waits between tries."""
    args: dict[str, Any] = {"region": "us-east-1", "endpoint_url": url, "credentials": KEYS,
                            "env": {}, "retry": NO_WAIT, **options}  # fmt: skip
    if kind == "sync":
        with Client(ARN, SECRET, **args) as db:
            return db.execute(sql)

    async def scenario() -> Result:
        async with AsyncClient(ARN, SECRET, **args) as db:
            return await db.execute(sql)

    return asyncio.run(scenario())


def finishes(seconds: float, call: Any) -> BaseException | Result:
    """Run ``call`` in a thread; fail the test if it has not ended after ``seconds``."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    assert time.monotonic() - started <= seconds
    return outcome[0]  # type: ignore[no-any-return]


# -- 1. each attempt has a deadline -----------------------------------------------------


def trickle(where: str) -> Any:
    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        if where == "body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not server.stopped.wait(0.5):
            conn.sendall(b"a")

    return handler


@pytest.mark.parametrize("where", ["head", "body"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_trickling_answer_meets_the_attempt_deadline(kind: str, where: str) -> None:
    """Before: the read timeout restarted on every byte (a 1,000-byte body: 500 s)."""
    with hostile(trickle(where)) as server:
        outcome = finishes(6.0, functools.partial(execute, kind, server.url, timeout=2))
    assert isinstance(outcome, ReadTimeoutError), outcome
    assert "deadline" in str(outcome)
    assert server.connections == 1  # may have run: not replayed


# -- 2. the answer size is capped, decompressed bytes counted ------------------------------


def endless(framing: str) -> Any:
    """512 MiB of zeros, framed by a Content-Length, chunks, or the connection's end."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        heads = {
            "length": b"Content-Length: %d\r\n" % (512 * MiB),
            "chunked": b"Transfer-Encoding: chunked\r\n",
            "close": b"Connection: close\r\n",
        }
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + heads[framing] + b"\r\n")  # fmt: skip
        piece = bytes(MiB)
        for _ in range(512):
            if server.stopped.is_set():
                return
            conn.sendall(b"%x\r\n%s\r\n" % (MiB, piece) if framing == "chunked" else piece)

    return handler


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """256 MiB of zeros in about 250 KiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    return b"".join(compressor.compress(zeros) for _ in range(256)) + compressor.flush()


def bomb(conn: socket.socket, server: Hostile) -> None:
    read_request(conn, bytearray())
    conn.sendall(answer(body=gzip_bomb(), headers=((b"Content-Encoding", b"gzip"),)))


def peak_bytes(call: Any) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        try:
            call()
        except BaseException as exc:
            return exc, tracemalloc.get_traced_memory()[1]
        return None, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("framing", ["length", "chunked", "close", "gzip-bomb"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_huge_answer_is_refused_within_bounded_memory(kind: str, framing: str) -> None:
    """Before: 512 MiB (or the 256 MiB a bomb inflates to) read whole, peak over 512 MiB."""
    handler = bomb if framing == "gzip-bomb" else endless(framing)
    with hostile(handler) as server:
        call = functools.partial(execute, kind, server.url, max_response_bytes=MiB,
                                 idempotent=True)  # fmt: skip
        error, peak = peak_bytes(call)
    assert isinstance(error, ResponseTooLargeError), error
    assert error.limit == MiB and "max_response_bytes" in str(error)
    assert isinstance(error, StatementMayHaveRunError)
    assert peak < MiB + 8 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert server.connections == 1  # never replayed, even when idempotent


def test_the_default_cap_is_16_mib() -> None:
    with hostile(endless("length")) as server:
        error, peak = peak_bytes(functools.partial(execute, "sync", server.url))
    assert isinstance(error, ResponseTooLargeError) and error.limit == 16 * MiB
    assert peak < 16 * MiB + 8 * MiB


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_within_the_cap_is_decoded(kind: str) -> None:
    """A gzip answer the client did not ask for is still read, when it is small enough
    (compressed and decompressed: both are held in memory)."""
    body = gzip.compress(EMPTY_RESULT)
    limit = max(len(body), len(EMPTY_RESULT))

    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        conn.sendall(answer(body=body, headers=((b"Content-Encoding", b"gzip"),)))

    with hostile(handler) as server:
        assert execute(kind, server.url, max_response_bytes=limit).rows == []


@pytest.mark.parametrize("limit", [0, -1, 1.5, "16M", True])
def test_max_response_bytes_must_be_a_positive_int(limit: object) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        Client(ARN, SECRET, region="us-east-1", credentials=KEYS, max_response_bytes=limit)


# -- 3. a non-ASCII header byte ---------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_non_ascii_header_byte_is_not_a_unicode_error(kind: str) -> None:
    """Before: ``httpx.Response`` built from str headers raised UnicodeEncodeError."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        conn.sendall(answer(body=EMPTY_RESULT, headers=((b"X-Note", b"caf\xe9 \xff"),)))

    with hostile(handler) as server:
        assert execute(kind, server.url).number_of_records_updated == 1


# -- 4. an answer before the body was read --------------------------------------------


def early_413(conn: socket.socket, server: Hostile) -> None:
    """A front door that refuses a large body from its head, answers, and hangs up."""
    read_head(conn, bytearray())
    conn.sendall(answer(413, b"<html>Request Entity Too Large</html>",
                        ((b"Content-Type", b"text/html"), (b"Connection", b"close")),
                        reason=b"Request Entity Too Large"))  # fmt: skip
    time.sleep(0.05)
    conn.close()  # unread body: the client's write fails with a reset


ASYNC_EARLY_ANSWER = pytest.mark.xfail(
    strict=True,
    reason="httpcore's async streams (anyio) pause reading while they write, so the kernel "
    "drops the early answer with the reset; the async client reports it as may-have-run",
)


@pytest.mark.parametrize("kind", ["sync", pytest.param("async", marks=ASYNC_EARLY_ANSWER)])
def test_an_early_answer_to_a_large_body_is_read(kind: str) -> None:
    """Before: ``ConnectionLostError`` ("may have run"), and re-sent when idempotent."""
    sql = "SELECT '" + "x" * (16 * MiB) + "'"
    with hostile(early_413) as server, pytest.raises(ResponseParseError, match="413") as caught:
        execute(kind, server.url, sql, idempotent=True)
    assert not isinstance(caught.value, StatementMayHaveRunError)
    assert server.connections == 1


# -- 5. a refused proxy CONNECT ---------------------------------------------------------


def refusing_proxy(conn: socket.socket, server: Hostile) -> None:
    head = read_head(conn, bytearray())
    server.seen.append((head or b"").split(b" ", 1)[0])
    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", ["url", "bare"])
def test_a_refused_proxy_connect_is_never_sent(kind: str, form: str) -> None:
    """Before: "may have run", not retried; ``HTTPS_PROXY=host:port`` a raw ValueError."""
    with hostile(refusing_proxy) as proxy:
        value = proxy.url if form == "url" else proxy.url.removeprefix("http://")
        with pytest.raises(ConnectError, match="403"):
            execute(kind, "https://rds-data.us-east-1.amazonaws.com",
                    env={"HTTPS_PROXY": value})  # fmt: skip
    assert proxy.seen == [b"CONNECT"] * NO_WAIT.attempts  # provably not sent: retried


# -- 6. fork safety ------------------------------------------------------------------------


def test_a_forked_child_never_reuses_the_parents_sockets() -> None:
    """Before: the child took the parent's idle connection (same client port)."""
    with hostile(keep_alive()) as server, Client(ARN, SECRET, region="us-east-1",
                                                 endpoint_url=server.url, credentials=KEYS,
                                                 env={}) as db:  # fmt: skip
        db.execute("SELECT 'parent'")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork with threads
            pid = os.fork()
        if pid == 0:  # the child: one call, then leave without running any cleanup
            code = 1
            try:
                db.execute("SELECT 'child'")
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        db.execute("SELECT 'parent again'")
    ports = {body.split(b"'")[1].decode(): port for port, body in server.seen}
    assert ports["child"] != ports["parent"]
    assert ports["parent again"] == ports["parent"]  # the parent keeps its pool


# -- 7. streamed request bodies and interim answers (StdlibTransport) ---------------------


def test_a_streamed_request_body_is_chunked_on_the_wire() -> None:
    """Before: ``Transfer-Encoding: chunked`` announced, the bytes sent unchunked."""
    import httpx

    from sigv4_dataapi._transport.stdhttp import StdlibTransport

    def handler(conn: socket.socket, server: Hostile) -> None:
        buffer = bytearray()
        read_head(conn, buffer)
        conn.settimeout(2)
        try:
            while not buffer.endswith(b"0\r\n\r\n"):
                data = conn.recv(65536)
                if not data:
                    break
                buffer += data
        except OSError:
            pass
        server.seen.append(bytes(buffer))
        conn.sendall(answer())

    with hostile(handler) as server, StdlibTransport(False) as transport:
        request = httpx.Request("POST", server.url, content=iter([b"ab", b"", b"cde"]))
        assert request.headers["transfer-encoding"] == "chunked"
        response = transport.handle_request(request)
        assert response.status_code == 200
    assert server.seen == [b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"]


@pytest.mark.parametrize("kind", KINDS)
def test_interim_answers_are_skipped(kind: str) -> None:
    """Before: ``StdlibTransport`` returned a 103 as the final answer."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        conn.sendall(b"HTTP/1.1 102 Processing\r\n\r\n"
                     b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                     + answer(body=EMPTY_RESULT))  # fmt: skip

    with hostile(handler) as server:
        assert execute(kind, server.url).number_of_records_updated == 1


# -- 8. whatever comes back, only DataAPIError ----------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
MALFORMED = {
    "garbage": b"garbage\r\n\r\n",
    "bad chunk size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n",
    "huge chunk size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    + b"f" * 40
    + b"\r\n{}",
    "negative length": b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}",
    "huge length": b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 30 + b"\r\n\r\n{}",
    "conflicting lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}",
    "truncated": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
    "header flood": b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 2000 + b"\r\n{}",
    "long header": b"HTTP/1.1 200 OK\r\nX-A: " + b"b" * 200_000 + b"\r\n\r\n{}",
    "bad status": b"HTTP/1.1 2000000000000000000000000 OK\r\nContent-Length: 2\r\n\r\n{}",
    "odd status": b"HTTP/1.1 999 Strange\r\nContent-Length: 2\r\n\r\n{}",
    "latin-1 reason": b"HTTP/1.1 200 \xff\xfe\r\nContent-Length: 2\r\n\r\n{}",
    "not json": answer(body=b"<html>hello</html>"),
    "bad utf-8": answer(body=b'{"records": [[{"stringValue": "\xff"}]]}'),
    "deep 200": answer(body=DEEP),
    "deep 400": answer(400, DEEP, reason=b"Bad Request"),
    "deep error type": answer(400, b"{}", ((b"x-amzn-ErrorType", b"\xff\xfe:x"),)),
    "huge number": answer(body=b'{"numberOfRecordsUpdated": 1' + b"1" * 5000 + b"}"),
    "bad gzip": answer(body=b"not gzip", headers=((b"Content-Encoding", b"gzip"),)),
    "brotli": answer(body=b"\x0b\x02\x80{}\x03", headers=((b"Content-Encoding", b"br"),)),
    "nul": answer(body=b"\x00" * 100),
}


@pytest.mark.parametrize("wire", MALFORMED.values(), ids=list(MALFORMED))
@pytest.mark.parametrize("kind", KINDS)
def test_malformed_answers_raise_only_data_api_errors(kind: str, wire: bytes) -> None:
    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        conn.sendall(wire)
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(5)
        while conn.recv(65536):
            pass

    with hostile(handler) as server, contextlib.suppress(DataAPIError):
        execute(kind, server.url, timeout=5)  # any other exception fails the test


# -- 9. v1's link failure mid-statement ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_link_failure_mid_statement_is_not_waited_out(kind: str) -> None:
    """Before: treated as a resuming cluster and replayed until ``resume_timeout``."""
    message = (b'{"message": "Communications link failure\\n\\nThe last packet successfully '
               b'received from the server was 5,012 milliseconds ago."}')  # fmt: skip
    error_type = ((b"x-amzn-ErrorType", b"BadRequestException:http://internal.amazon.com/"),)
    server = Hostile(keep_alive(lambda head, body: answer(400, message, error_type)))
    with server, pytest.raises(StatementMayHaveRunError, match="Communications link failure"):
        execute(kind, server.url)
    assert len(server.seen) == 1


BAD_200_BODIES = {"deep": DEEP, "not json": b"<html>", "bad utf-8": b'{"a": "\xff"}',
                  "huge number": b'{"n": 1' + b"1" * 5000 + b"}", "array": b"[1]"}  # fmt: skip


@pytest.mark.parametrize("body", BAD_200_BODIES.values(), ids=list(BAD_200_BODIES))
def test_every_operation_reads_a_malformed_200_as_a_data_api_error(body: bytes) -> None:
    """Before: a 200 nested deeper than the stack was a raw RecursionError in ``call()``."""
    calls = [
        lambda db: db.begin_transaction(),
        lambda db: db.commit_transaction("tx"),
        lambda db: db.batch_execute("INSERT INTO t VALUES (:a)", [{"a": 1}]),
        lambda db: db.call("ExecuteStatement", {"sql": "SELECT 1"}),
        lambda db: db.execute("SELECT 1"),
    ]
    with hostile(keep_alive(lambda head, _: answer(body=body))) as server, Client(
        ARN, SECRET, region="us-east-1", endpoint_url=server.url, credentials=KEYS, env={}
    ) as db:  # fmt: skip
        for call in calls:
            with pytest.raises(DataAPIError):
                call(db)


def test_plain_text_on_a_tls_port_is_a_connect_error() -> None:
    """A TLS handshake met with plain HTTP: nothing was sent, an ssl error never escapes."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        conn.recv(65536)
        conn.sendall(answer(400, b"plain http on a TLS port"))

    with hostile(handler) as server, pytest.raises(ConnectError):
        execute("sync", server.url.replace("http:", "https:"), verify=False)


# -- 10. through an HTTP proxy (CONNECT), the same bounds -----------------------------------


@pytest.mark.parametrize("auth", ["", "user:p%40ss@"])
def test_a_tunnel_through_a_proxy_works(tmp_path: Path, auth: str) -> None:
    context, ca = self_signed(tmp_path)
    with hostile(keep_alive(), tls=context) as server, hostile(connect_proxy) as proxy:
        proxy_url = proxy.url.replace("http://", f"http://{auth}")
        for kind in KINDS:
            result = execute(kind, server.url, env={"HTTPS_PROXY": proxy_url}, verify=str(ca))
            assert result.number_of_records_updated == 1
    assert len(proxy.seen) == 2 and len(server.seen) == 2
    for head in proxy.seen:
        assert head.startswith(f"CONNECT 127.0.0.1:{server.port} HTTP/1.".encode())
        assert (b"Proxy-Authorization: Basic dXNlcjpwQHNz" in head) == bool(auth)


def test_a_trickle_through_a_proxy_meets_the_deadline(tmp_path: Path) -> None:
    """Before: through httpx's HTTPTransport the answer's head had only per-read timeouts."""
    context, ca = self_signed(tmp_path)
    with hostile(trickle("head"), tls=context) as server, hostile(connect_proxy) as proxy:
        call = functools.partial(execute, "sync", server.url, timeout=2, verify=str(ca),
                                 env={"HTTPS_PROXY": proxy.url})  # fmt: skip
        outcome = finishes(6.0, call)
    assert isinstance(outcome, ReadTimeoutError), outcome


RSS_CHILD = """
import asyncio, resource, sys
from sigv4_dataapi import AsyncClient, Client, Credentials, ResponseTooLargeError
kind, url = sys.argv[1], sys.argv[2]
args = dict(region="us-east-1", endpoint_url=url, env={}, max_response_bytes=4 << 20,
            credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
arns = ("arn:aws:rds:us-east-1:123456789012:cluster:c", "arn:aws:secretsmanager:x")
async def go():
    async with AsyncClient(*arns, **args) as db:
        await db.execute("SELECT 1")
try:
    if kind == "sync":
        with Client(*arns, **args) as db:
            db.execute("SELECT 1")
    else:
        asyncio.run(go())
except ResponseTooLargeError:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def child_peak_mib(kind: str, url: str) -> int:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", RSS_CHILD, kind, url], capture_output=True,
                         text=True, check=True, timeout=120)  # fmt: skip
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("kind", KINDS)
def test_peak_rss_stays_within_the_cap_plus_a_constant(kind: str) -> None:
    """Peak RSS of a client process (4 MiB cap) meeting 512 MiB in chunks and a gzip bomb,
    against the same process reading a small answer. Before: +1 GiB."""
    with hostile(keep_alive()) as small, hostile(endless("chunked")) as huge, hostile(bomb) as b:
        baseline = child_peak_mib(kind, small.url)
        for server in (huge, b):
            peak = child_peak_mib(kind, server.url)
            assert peak - baseline < 4 + 32, f"{peak} MiB vs {baseline} MiB"


@pytest.mark.parametrize("kind", KINDS)
def test_the_client_works_on_after_a_deadline(kind: str) -> None:
    """The attempt cut at its deadline leaves the pool usable (the async one was cancelled)."""
    slow, fast = trickle("body"), keep_alive()

    def handler(conn: socket.socket, server: Hostile) -> None:
        (slow if server.connections == 1 else fast)(conn, server)

    async def twice(args: dict[str, Any]) -> Any:
        async with AsyncClient(ARN, SECRET, **args) as db:
            with pytest.raises(ReadTimeoutError):
                await db.execute("SELECT 'slow'")
            return await db.execute("SELECT 'fast'")

    with hostile(handler) as server:
        args: dict[str, Any] = {"region": "us-east-1", "endpoint_url": server.url, "env": {},
                                "credentials": KEYS, "timeout": 1, "retry": NO_WAIT}  # fmt: skip
        if kind == "async":
            result = asyncio.run(twice(args))
        else:
            with Client(ARN, SECRET, **args) as db:
                with pytest.raises(ReadTimeoutError):
                    db.execute("SELECT 'slow'")
                result = db.execute("SELECT 'fast'")
    assert result.number_of_records_updated == 1
    assert server.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_an_announced_length_over_the_cap_is_refused_before_reading(kind: str) -> None:
    """``Content-Length: 512 MiB`` and then silence: refused at once, not after the deadline."""

    def handler(conn: socket.socket, server: Hostile) -> None:
        read_request(conn, bytearray())
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n{" % (512 * MiB))
        server.stopped.wait(30)

    with hostile(handler) as server:
        call = functools.partial(execute, kind, server.url, timeout=20)
        outcome = finishes(5.0, call)
    assert isinstance(outcome, ResponseTooLargeError), outcome
    assert "announced 536870912 bytes" in str(outcome)
