"""Loopback stand-ins for IMDS, the container endpoint, STS and the SSO portal/OIDC.

``ScriptedServer`` is a real HTTP server on 127.0.0.1 (a thread) that plays a
recorded script of exchanges in order: it checks each request against the
recording and answers with the recorded response, or stays silent for ``hang``
seconds (an IMDSv2 token lost to the hop limit, a stalled endpoint).  Anything
unexpected is answered 599 and remembered, so the test fails with the reason.
``RoutingTransport`` sends requests for well-known hosts (169.254.169.254,
169.254.170.2, sts.eu-west-1.amazonaws.com, ...) to that server instead, so
default endpoints are exercised without touching the network.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class FakeClock:
    """An injected clock that moves only when the test says so (``clock.now += ...``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sts_answer(
    action: str,
    access_key_id: str,
    *,
    secret: str = "s",
    token: str = "t",
    expiration: str = "2030-01-01T00:00:00Z",
) -> str:
    """The XML body of a successful STS ``AssumeRole``/``AssumeRoleWithWebIdentity``."""
    return (
        f"<{action}Response><{action}Result><Credentials>"
        f"<AccessKeyId>{access_key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
        f"<SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration>"
        f"</Credentials></{action}Result></{action}Response>"
    )


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    host: str


@dataclass
class ScriptedServer:
    script: Sequence[Mapping[str, Any]] = ()
    seen: list[Seen] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tls: ssl.SSLContext | None = None  # serve HTTPS with this server-side context
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def __enter__(self) -> ScriptedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    self.headers.get("Host", ""),
                )
                owner._answer(self, seen)

            do_GET = do_PUT = do_POST = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        with self._lock:
            index = len(self.seen)
            self.seen.append(seen)
        if index >= len(self.script):
            self.problems.append(f"unexpected request {seen.method} {seen.path}")
            return _send(handler, 599, {}, b"unexpected")
        step = self.script[index]
        self.problems.extend(check_request(index, step.get("request", {}), seen))
        response = step.get("response", {})
        if "hang" in response:
            time.sleep(float(response["hang"]))
            handler.close_connection = True
            return None
        body = response.get("body", "")
        if not isinstance(body, str):
            body = json.dumps(body)
        return _send(
            handler, int(response.get("status", 200)), response.get("headers", {}), body.encode()
        )

    def assert_played(self) -> None:
        assert not self.problems, self.problems
        played = [f"{s.method} {s.path}" for s in self.seen]
        wanted = [
            f"{s['request'].get('method', 'GET')} {s['request'].get('path', '')}"
            for s in self.script
        ]
        assert played == wanted, f"requests {played} != recording {wanted}"


def _send(
    handler: BaseHTTPRequestHandler, status: int, headers: Mapping[str, str], body: bytes
) -> None:
    try:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
        pass


def check_request(index: int, want: Mapping[str, Any], seen: Seen) -> list[str]:
    """Differences between a recorded request and the one received."""
    problems = []
    label = f"request {index} ({seen.method} {seen.path})"
    if want.get("method", "GET") != seen.method:
        problems.append(f"{label}: method, wanted {want.get('method', 'GET')}")
    if "path" in want and want["path"] != seen.path:
        problems.append(f"{label}: path, wanted {want['path']}")
    for name, value in want.get("headers", {}).items():
        if seen.headers.get(name.lower()) != value:
            problems.append(f"{label}: header {name}={seen.headers.get(name.lower())!r}")
    for name, prefix in want.get("header_prefixes", {}).items():
        if not seen.headers.get(name.lower(), "").startswith(prefix):
            problems.append(f"{label}: header {name} does not start with {prefix!r}")
    for name in want.get("absent_headers", []):
        if name.lower() in seen.headers:
            problems.append(f"{label}: header {name} should be absent")
    if "body" in want and want["body"] != seen.body.decode():
        problems.append(f"{label}: body {seen.body.decode()!r}")
    if "json" in want and json.loads(seen.body or b"null") != want["json"]:
        problems.append(f"{label}: JSON body {seen.body.decode()!r}")
    return problems


class RoutingTransport(httpx.BaseTransport):
    """Send requests for the listed hosts to a loopback URL; keep the Host header."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        self._routes = {host.lower(): httpx.URL(url) for host, url in routes.items()}
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self._routes.get(request.url.host.lower())
        if target is not None:
            request.url = request.url.copy_with(
                scheme=target.scheme, host=target.host, port=target.port
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class StaticServer(ScriptedServer):
    """Answers by (method, path), any number of times: a stand-in that does not care
    how often the chain calls it (the end-to-end tests resolve more than once)."""

    def __init__(self, routes: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        super().__init__()
        self.routes = dict(routes)

    def _answer(self, handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)
        response = self.routes.get((seen.method, seen.path.split("?")[0]))
        if response is None:
            self.problems.append(f"unexpected request {seen.method} {seen.path}")
            return _send(handler, 404, {}, b"")
        body = response.get("body", "")
        if not isinstance(body, str):
            body = json.dumps(body)
        return _send(handler, int(response.get("status", 200)), {}, body.encode())
