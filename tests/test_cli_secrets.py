"""Nothing secret is ever printed: every command, with ``-v``, a recognisable key and token.

``--print-curl`` and ``--dry-run`` must carry the session token for the printed
request to work: they say so on stderr, and still never print the secret key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_stub import SECRET, TOKEN, Stub, aws_env, run_cli, serve_stub

ARN = "arn:aws:rds:us-east-1:123456789012:cluster:demo"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf"
BODY = json.dumps({"resourceArn": ARN, "secretArn": SECRET_ARN, "sql": "SELECT 1"})
ROWS = {"columnMetadata": [{"name": "a"}], "records": [[{"longValue": 1}]]}
ERROR = {"message": "denied"}
RESUMING = {"x_amzn_ErrorType": "DatabaseResumingException"}


@pytest.fixture
def stub() -> Iterator[Stub]:
    yield from serve_stub()


# (argv with URL, FILE, BODY filled in; replies to queue; does it print the request?)
CASES = [
    (["request", "-v", "-i", "--service", "execute-api", "URL/x"], [(200, ROWS, {})], False),
    (["request", "-v", "-d", "BODY", "--service", "sts", "URL/"], [(403, ERROR, {})], False),
    (["request", "-v", "--dry-run", "--service", "sts", "URL/"], [], True),
    (["request", "-v", "--print-curl", "--service", "sts", "URL/"], [], True),
    (["request", "-v", "--sigv4a", "--service", "s3", "URL/b"], [(200, ROWS, {})], False),
    (["send", "-v", "-i", "FILE", "--endpoint-url", "URL"], [(200, ROWS, {})], False),
    (["send", "-v", "FILE", "--output", "table", "--endpoint-url", "URL"],
     [(400, ERROR, RESUMING), (200, ROWS, {})], False),
    (["send", "-v", "FILE", "--endpoint-url", "URL"], [(400, ERROR, {})], False),
    (["send", "-v", "--dry-run", "FILE", "--endpoint-url", "URL"], [], True),
    (["send", "-v", "--print-curl", "FILE", "--endpoint-url", "URL"], [], True),
    (["sql", "-v", "SELECT 1", "--output", "csv", "--endpoint-url", "URL"],
     [(200, ROWS, {})], False),
    (["sql", "-v", "SELECT 1", "--endpoint-url", "URL"], [(500, ERROR, {})], False),
    (["sql", "-v", "--print-curl", "SELECT 1", "--endpoint-url", "URL"], [], True),
    (["--traceback", "sql", "-v", "SELECT 1", "--endpoint-url", "URL"],
     [(403, ERROR, {})], False),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "replies", "prints_request"), CASES)
def test_no_secret_in_any_output(
    stub: Stub,
    tmp_path: Path,
    argv: list[str],
    replies: list[tuple[int, dict, dict]],
    prints_request: bool,
) -> None:
    pytest.importorskip("cryptography")  # the SigV4a case
    request_file = tmp_path / "req.json"
    request_file.write_text(BODY)
    for status, body, headers in replies:
        stub.reply(status, body, **headers)
    values = {"URL": stub.url, "FILE": str(request_file), "BODY": BODY}
    filled = [values.get(a) or a.replace("URL", stub.url) for a in argv]
    env = aws_env(tmp_path, DATA_API_RESOURCE_ARN=ARN, DATA_API_SECRET_ARN=SECRET_ARN)
    result = run_cli(filled, env)
    everything = result.out + result.err
    assert SECRET not in everything
    if prints_request:
        assert result.status == 0, result.err
        assert TOKEN in result.out  # the printed request must work...
        assert "session token" in result.err  # ...and says that it carries the token
        assert TOKEN not in result.err
    else:
        assert TOKEN not in everything
        assert "canonical request" in result.err  # -v did print the signing steps
