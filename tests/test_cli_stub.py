"""A loopback stand-in for an AWS service, shared by the CLI tests, and its own checks.

The stub records every request (method, raw target, headers in wire order,
body bytes) and answers from a queue of canned replies. ``botocore_signature``
recomputes a recorded request's SigV4 signature with botocore (the oracle):
a request our CLI signed must verify, byte for byte, as the service would.
"""

from __future__ import annotations

import io
import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sigv4_dataapi._cli.main import main

AKID = "AKIDCLITESTEXAMPLE"
SECRET = "s3cr3t/CLI+TEST/KEYvalue0123456789abcdEF"  # recognisable in any output
TOKEN = "T0KEN-CLI-TEST-session-token-value-9876543210"

ARN = "arn:aws:rds:us-east-1:123456789012:cluster:demo"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf"
# the article's request file: a *string* "true", odd spacing, a trailing newline
ARTICLE = (
    '{"database": "test",\n  "includeResultMetadata": "true",\n'
    f'  "resourceArn": "{ARN}",\n  "secretArn": "{SECRET_ARN}",\n'
    '  "sql": "show tables;"}\n'
).encode()


@dataclass
class Recorded:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: Mapping[str, str] = field(default_factory=dict)


class Stub:
    """The server's state: what it received, what it will answer next."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()

    def reply(self, status: int = 200, body: object = None, **headers: str) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        names = {key.replace("_", "-"): value for key, value in headers.items()}
        self.replies.append(Reply(status, data, names))

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = list(self.headers.items())
            stub.requests.append(Recorded(self.command, self.path, headers, body))
            reply = stub.replies.popleft() if stub.replies else Reply()
            self.send_response(reply.status)
            defaults = {"Content-Type": "application/json", "x-amzn-RequestId": "req-1234"}
            for name, value in {**defaults, **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve_stub() -> Iterator[Stub]:
    """Run a stub on a free loopback port for the duration of one test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Stub(0)))
    state = Stub(server.server_address[1])
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


def aws_env(tmp_path: Path, *, token: bool = True, **extra: str) -> dict[str, str]:
    """Credentials in the environment, and no shared files or IMDS to fall back on."""
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": AKID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
    }
    if token:
        env["AWS_SESSION_TOKEN"] = TOKEN
    env.update(extra)
    return env


def request_file(tmp_path: Path, data: bytes = ARTICLE, name: str = "sql.json") -> str:
    """Write a request file (the article's, unless told) and return its path."""
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@dataclass
class Run:
    status: int
    out: str
    err: str


def run_cli(argv: list[str], env: Mapping[str, str], stdin: bytes = b"") -> Run:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, env=env, stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    return Run(status, out.getvalue(), err.getvalue())


def botocore_signature(
    rec: Recorded, *, region: str, service: str, secret: str = SECRET, token: str | None = TOKEN
) -> str:
    """What botocore computes for the recorded request, over the headers it signed."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth_header = rec.header("Authorization") or ""
    signed = auth_header.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    headers = {name: rec.header(name) or "" for name in signed}
    host = rec.header("Host")
    request = AWSRequest(
        method=rec.method, url=f"http://{host}{rec.target}", data=rec.body, headers=headers
    )
    request.context["timestamp"] = rec.header("X-Amz-Date")
    auth = SigV4Auth(Credentials(AKID, secret, token), service, region)
    canonical = auth.canonical_request(request)
    return str(auth.signature(auth.string_to_sign(request, canonical), request))


def signature_of(rec: Recorded) -> str:
    return (rec.header("Authorization") or "").rsplit("Signature=", 1)[-1]


# -- the stub and its oracle can fail ------------------------------------------------


def test_the_oracle_rejects_a_tampered_body(stub: Stub, tmp_path: Path) -> None:
    result = run_cli(
        ["request", "--service", "execute-api", "-d", '{"a": 1}', stub.url + "/x"],
        aws_env(tmp_path),
    )
    assert result.status == 0, result.err
    rec = stub.last
    assert signature_of(rec) == botocore_signature(rec, region="us-east-1", service="execute-api")
    rec.body = b'{"a": 2}'
    assert signature_of(rec) != botocore_signature(rec, region="us-east-1", service="execute-api")
