"""A real socket server on loopback that answers from a script, and its own checks.

The retry tests need the failures a statement can meet on the wire: an error
answer, a connection dropped after the request was read, no answer at all, a
TLS handshake that fails, nothing listening. ``ScriptedServer`` plays one
action per request (the last one repeats) and records every request it read,
so a test can count how many times a statement reached the "database".
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from ipaddress import ip_address
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Answer:
    """Reply with this status, headers and body."""

    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    cut: int = 0  # announce the whole body, send all but its last ``cut`` bytes, close


@dataclass(frozen=True)
class Drop:
    """Read the whole request, then close the connection without a word."""


@dataclass(frozen=True)
class Hang:
    """Read the whole request, then say nothing for ``seconds``."""

    seconds: float = 2.0


Action = Answer | Drop | Hang


def error(code: str, message: str = "", status: int = 400, **extra: object) -> Answer:
    """An error answer as the service puts it on the wire (rds-data-api.md §3.1)."""
    body = json.dumps({"message": message, **extra}).encode()
    headers = (
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", f"{code}:http://internal.amazon.com/coral/com.amazon.rdsdataservice/"),
        ("x-amzn-RequestId", "req-1234"),
    )
    return Answer(status, body, headers)


def ok(payload: object) -> Answer:
    return Answer(200, json.dumps(payload).encode(), (("Content-Type", "application/json"),
                                                     ("x-amzn-RequestId", "req-ok")))


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedServer:
    """One thread, one connection at a time; ``requests`` is what it fully read."""

    script: Sequence[Action]
    tls: ssl.SSLContext | None = None
    close_on_accept: bool = False  # a TLS handshake that fails: nothing is ever read
    requests: list[Received] = field(default_factory=list)
    connections: int = 0

    port: int = 0  # 0: any free port

    def __post_init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", self.port))
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def bodies(self) -> list[bytes]:
        return [r.body for r in self.requests]

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):  # wake the blocking accept()
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        self._thread.join(30)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            self.connections += 1
            if self.close_on_accept:
                conn.close()
                continue
            with conn:
                conn.settimeout(30)  # generous: a loaded machine may be slow to send
                with contextlib.suppress(OSError, ValueError):  # the client gave up
                    wrapped = self._wrap(conn)
                    with wrapped:
                        self._handle(wrapped)

    def _wrap(self, conn: socket.socket) -> socket.socket:
        return self.tls.wrap_socket(conn, server_side=True) if self.tls else conn

    def _handle(self, conn: socket.socket) -> None:
        received = _read_request(conn)
        index = len(self.requests)
        self.requests.append(received)
        action = self.script[min(index, len(self.script) - 1)]
        if isinstance(action, Drop):
            conn.shutdown(socket.SHUT_RDWR)
        elif isinstance(action, Hang):
            self._stop.wait(action.seconds)
        else:
            conn.sendall(_render(action))


def _read_request(conn: socket.socket) -> Received:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request's head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed inside the body")
        body += chunk
    return Received(method, path, headers, body)


def _render(answer: Answer) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests",
              500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout"}.get(answer.status, "Status")  # fmt: skip
    lines = [f"HTTP/1.1 {answer.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in answer.headers]
    lines += [f"Content-Length: {len(answer.body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + answer.body[: len(answer.body) - answer.cut]


def unused_port() -> int:
    """A port nothing listens on (bound, then released): connecting is refused."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def self_signed(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1 and the path of its certificate (the CA to trust)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


@pytest.fixture
def serve() -> Iterator[type[ScriptedServer]]:
    """``serve(script)`` starts a server that is closed when the test ends."""
    started: list[ScriptedServer] = []

    class _Server(ScriptedServer):
        def __post_init__(self) -> None:
            super().__post_init__()
            started.append(self)

    yield _Server
    for server in started:
        server.close()


# -- the helper's own checks --------------------------------------------------------


def _post(url: str, body: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30) as sock:
        sock.sendall(b"POST /Execute HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))  # fmt: skip
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        return reply


def test_server_plays_its_script_in_order_and_repeats_the_last(
    serve: type[ScriptedServer],
) -> None:
    server = serve([error("ThrottlingException", "slow down", 429), Drop(), ok({"a": 1})])
    replies = [_post(server.url, b"{\"n\": %d}" % n) for n in range(4)]
    assert replies[0].startswith(b"HTTP/1.1 429")
    assert b"x-amzn-ErrorType: ThrottlingException:" in replies[0]
    assert replies[1] == b""
    assert replies[2].endswith(b'{"a": 1}') and replies[3].endswith(b'{"a": 1}')
    assert server.bodies() == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}', b'{"n": 3}']
    assert server.requests[0].path == "/Execute"
    short = serve([Answer(200, b'{"records": []}', cut=4)])
    reply = _post(short.url, b"{}")
    assert b"Content-Length: 15\r\n" in reply and reply.endswith(b'\r\n\r\n{"records":')


def test_unused_port_refuses() -> None:
    with pytest.raises(ConnectionRefusedError):  # refused at once: not a timeout
        socket.create_connection(("127.0.0.1", unused_port()), timeout=30).close()
