"""The ``http.client`` keep-alive transport: reuse, stale connections, timeouts, TLS, threads.

The failure classes matter most: ``_wire`` reads ``ConnectError``/``ConnectTimeout``
as "never sent" and every other transport error as "may have run".
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_transport_connect import FullBacklog, full_backlog
from test_transport_server import (
    Answer,
    Drop,
    Hang,
    ScriptedServer,
    ok,
    self_signed,
    serve,
    unused_port,
)

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._transport.driver import Transport
from sigv4_dataapi._transport.stdhttp import StdlibTransport
from sigv4_dataapi._transport.stdhttp_io import read_headers

__all__ = ["full_backlog", "serve"]  # the fixtures, re-exported for pytest


class KeepAlive(ThreadingHTTPServer):
    """An HTTP/1.1 server that echoes the body; counts connections and requests."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None, close_after: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Echo)
        self.tls = tls
        self.close_after = close_after  # answer as keep-alive, then close anyway (a stale conn)
        self.connections = 0
        self.bodies: list[bytes] = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.server_address[1]}/Execute"

    def get_request(self) -> tuple[socket.socket, object]:
        conn, address = super().get_request()
        self.connections += 1
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True)
        return conn, address

    def shutdown_request(self, request: Any) -> None:
        """The connection is closed here (after the handler's ``finish``): only now is it stale."""
        super().shutdown_request(request)
        self.closed.set()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: KeepAlive

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.server.close_after:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def server() -> Iterator[KeepAlive]:
    started = KeepAlive()
    yield started
    started.stop()


def post(transport: StdlibTransport, url: str, body: bytes, **timeouts: float) -> httpx.Response:
    timeout = httpx.Timeout(10.0, **timeouts).as_dict()
    request = httpx.Request("POST", url, content=body, extensions={"timeout": timeout})
    response = transport.handle_request(request)
    response.read()
    return response


def test_a_connection_is_reused_for_the_next_request(server: KeepAlive) -> None:
    with StdlibTransport(False) as transport:
        answers = [post(transport, server.url, b"%d" % n) for n in range(3)]
        assert [a.content for a in answers] == [b"0", b"1", b"2"]
        assert answers[0].status_code == 200
        assert answers[0].extensions["http_version"] == b"HTTP/1.1"
        assert answers[0].headers["content-type"] == "application/json"
        assert server.connections == 1
        assert transport.idle_count() == 1
    assert transport.idle_count() == 0  # closed


def test_a_connection_the_server_closed_is_discarded_not_written_to() -> None:
    server = KeepAlive(close_after=True)
    try:
        with StdlibTransport(False) as transport:
            assert post(transport, server.url, b"first").content == b"first"
            assert transport.idle_count() == 1  # the answer did not say it would close
            assert server.closed.wait(10)
            assert post(transport, server.url, b"second").content == b"second"
        assert server.bodies == [b"first", b"second"]  # each sent once
        assert server.connections == 2
    finally:
        server.stop()


def test_connection_close_answers_are_not_kept(serve: type[ScriptedServer]) -> None:
    scripted = serve([ok({})])
    with StdlibTransport(False) as transport:
        post(transport, scripted.url + "/Execute", b"x")
        assert transport.idle_count() == 0


def test_a_refused_connection_is_a_connect_error() -> None:
    with StdlibTransport(False) as transport, pytest.raises(httpx.ConnectError):
        post(transport, f"http://127.0.0.1:{unused_port()}/Execute", b"x")


def test_a_name_that_does_not_resolve_is_a_connect_error() -> None:
    with StdlibTransport(False) as transport, pytest.raises(httpx.ConnectError):
        post(transport, "http://rds-data.invalid/Execute", b"x")


def test_a_tls_handshake_the_server_drops_is_a_connect_error(
    serve: type[ScriptedServer],
) -> None:
    scripted = serve([], close_on_accept=True)
    url = scripted.url.replace("http:", "https:") + "/Execute"
    with StdlibTransport(False) as transport, pytest.raises(httpx.ConnectError):
        post(transport, url, b"x")
    assert scripted.requests == []


def test_an_untrusted_certificate_is_a_connect_error_caused_by_verification(
    tmp_path: Path,
) -> None:
    context, _ = self_signed(tmp_path)
    server = KeepAlive(tls=context)
    try:
        transport = StdlibTransport(ssl.create_default_context())
        with transport, pytest.raises(httpx.ConnectError) as caught:
            post(transport, server.url, b"x")
        assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
        assert server.bodies == []
    finally:
        server.stop()


def test_tls_with_a_trusted_ca_is_reused(tmp_path: Path) -> None:
    context, ca = self_signed(tmp_path)
    server = KeepAlive(tls=context)
    try:
        with StdlibTransport(ssl.create_default_context(cafile=str(ca))) as transport:
            assert post(transport, server.url, b"a").content == b"a"
            assert post(transport, server.url, b"b").content == b"b"
        assert server.connections == 1
    finally:
        server.stop()


def test_no_answer_in_time_is_a_read_timeout(serve: type[ScriptedServer]) -> None:
    scripted = serve([Hang(5.0)])
    with StdlibTransport(False) as transport, pytest.raises(httpx.ReadTimeout):
        post(transport, scripted.url + "/Execute", b"x", read=0.2)
    assert scripted.bodies() == [b"x"]


def test_a_connect_that_never_completes_is_a_connect_timeout(full_backlog: FullBacklog) -> None:
    url = f"http://127.0.0.1:{full_backlog.port}/Execute"
    with StdlibTransport(False) as transport, pytest.raises(httpx.ConnectTimeout):
        post(transport, url, b"x", connect=0.3)


def test_a_tls_handshake_that_never_completes_is_a_connect_timeout(
    serve: type[ScriptedServer],
) -> None:
    scripted = serve([ok({})])  # speaks plain HTTP: waits for a request head that never comes
    url = scripted.url.replace("http:", "https:") + "/Execute"
    with StdlibTransport(False) as transport, pytest.raises(httpx.ConnectTimeout):
        post(transport, url, b"x", connect=0.3)
    assert scripted.requests == []


def test_a_dropped_connection_after_sending_is_not_a_connect_error(
    serve: type[ScriptedServer],
) -> None:
    scripted = serve([Drop()])
    with StdlibTransport(False) as transport, pytest.raises(httpx.TransportError) as caught:
        post(transport, scripted.url + "/Execute", b"x")
    assert isinstance(caught.value, (httpx.RemoteProtocolError, httpx.ReadError))
    assert scripted.bodies() == [b"x"]


def test_a_truncated_body_is_a_protocol_error(serve: type[ScriptedServer]) -> None:
    scripted = serve([Answer(body=b'{"records": []}', cut=3)])
    with StdlibTransport(False) as transport, pytest.raises(httpx.RemoteProtocolError):
        post(transport, scripted.url + "/Execute", b"x")


def test_concurrent_threads_share_the_pool_without_mixing_answers(server: KeepAlive) -> None:
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                body = b"%d-%d" % (n, i)
                answer = post(transport, server.url, body).content
                assert answer == body
            results[n] = answer
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    with StdlibTransport(False, max_idle=4) as transport:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors
        assert len(results) == 8
        assert len(server.bodies) == 80
        assert transport.idle_count() <= 4
        assert server.connections <= 8 + 80 - 4  # some reuse happened at least
        assert server.connections < 80


def test_unsupported_scheme_is_refused() -> None:
    with StdlibTransport(False) as transport, pytest.raises(httpx.UnsupportedProtocol):
        post(transport, "ftp://127.0.0.1/x", b"x")


@pytest.mark.parametrize(
    ("url", "env", "kind"),
    [
        ("https://127.0.0.1:1", {}, StdlibTransport),
        ("https://127.0.0.1:1", {"HTTPS_PROXY": "http://127.0.0.1:3128"}, StdlibTransport),
        ("https://127.0.0.1:1", {"HTTPS_PROXY": "https://127.0.0.1:3128"}, httpx.HTTPTransport),
        ("https://[::1]:1", {"HTTPS_PROXY": "http://127.0.0.1:3128"}, httpx.HTTPTransport),
        ("http://127.0.0.1:1", {"HTTP_PROXY": "http://127.0.0.1:3128"}, httpx.HTTPTransport),
    ],
    ids=["direct", "tunnel", "tls-proxy", "ipv6-tunnel", "forward-proxy"],
)
def test_the_client_uses_it_unless_a_proxy_needs_httpx(
    url: str, env: dict[str, str], kind: type
) -> None:
    """An ``http://`` proxy to an ``https`` host is tunnelled by ``StdlibTransport`` (issue 14:
    the same deadline and bounds); TLS to the proxy and forward proxying stay httpx's."""
    transport = Transport(region="us-east-1", endpoint_url=url,
                          credentials=Credentials("AKID", "secret"), env=env)  # fmt: skip
    with transport:
        assert isinstance(transport._open(), kind)


def test_an_ipv6_literal_host_is_reached() -> None:
    class Six(KeepAlive):
        address_family = socket.AF_INET6

        def __init__(self) -> None:
            ThreadingHTTPServer.__init__(self, ("::1", 0), _Echo)
            self.tls, self.close_after, self.connections = None, False, 0
            self.bodies, self.closed = [], threading.Event()
            self.thread = threading.Thread(target=self.serve_forever, daemon=True)
            self.thread.start()

    try:
        server = Six()
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        with StdlibTransport(False) as transport:
            url = f"http://[::1]:{server.server_address[1]}/Execute"
            assert post(transport, url, b"six").content == b"six"
    finally:
        server.stop()


@pytest.mark.parametrize("block", [
    b"Content-Type: application/json\r\nContent-Length: 12\r\nx-amzn-RequestId: r1\r\n\r\nbody",
    b"A:b\r\nB:   c  \r\n\tfolded\r\n\r\n",  # a folded line: the email parser's way
    b"A: b\n\n", b"X: y", b"", b"From nobody\r\nA: b\r\n\r\n", b"A: caf\xe9\r\n\r\n",
    b"no colon\r\nA: b\r\n\r\n", b"A: b\rc\r\n\r\n", b"A:\r\n\r\n", b"A: \t x\t \r\n\r\n",
])  # fmt: skip
def test_answer_headers_read_as_http_client_reads_them(block: bytes) -> None:
    ours, theirs = io.BytesIO(block), io.BytesIO(block)
    message = read_headers(ours)
    expected = http.client.parse_headers(theirs)
    assert message.items() == expected.items()
    assert message.get("content-length") == expected.get("content-length")
    assert ours.tell() == theirs.tell()  # the body starts where it did


def test_answer_headers_keep_http_clients_limits() -> None:
    with pytest.raises(http.client.LineTooLong):
        read_headers(io.BytesIO(b"A: " + b"x" * 70_000 + b"\r\n\r\n"))
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read_headers(io.BytesIO(b"A: b\r\n" * 101 + b"\r\n"))
