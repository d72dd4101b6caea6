"""Run one case folder: environment, files, recorded HTTP, expected credentials or error.

A case is ``cases/<name>/case.json`` plus an optional ``home/`` tree (``.aws/config``,
``.aws/credentials``, ``.aws/sso/cache/...``, token files) copied to a temporary
HOME, so a case that rewrites the SSO cache leaves the repository alone.  In env
values and files, ``{home}`` and ``{server}`` are replaced by the temporary HOME
and the loopback server's URL, ``{closed}`` by a loopback URL where nothing listens.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cred_fakes import RoutingTransport, ScriptedServer

from sigv4_dataapi import _errors
from sigv4_dataapi._credentials.providers import resolve_credentials
from sigv4_dataapi._credentials.providers._time import parse_expiration

CASES = Path(__file__).parent / "cases"
DEFAULT_NOW = "2029-12-31T23:00:00Z"
# hosts the chain calls by default, all routed to the loopback server
DEFAULT_ROUTES = (
    "169.254.169.254",
    "169.254.170.2",
    "169.254.170.23",
    "sts.eu-west-1.amazonaws.com",
    "sts.amazonaws.com",
    "portal.sso.eu-west-1.amazonaws.com",
    "oidc.eu-west-1.amazonaws.com",
)


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.json").is_file())


@dataclass
class Recorder:
    sleeps: list[float] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    argv: list[list[str]] = field(default_factory=list)


def _closed_url() -> str:
    """A loopback URL where nothing listens (a port just bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _substitute(value: str, home: Path, server: str) -> str:
    value = value.replace("{home}", str(home)).replace("{server}", server)
    return value.replace("{closed}", _closed_url()) if "{closed}" in value else value


def _install_home(case_dir: Path, home: Path, server: str) -> None:
    source = case_dir / "home"
    if source.is_dir():
        shutil.copytree(source, home, dirs_exist_ok=True)
    for path in home.rglob("*"):
        if path.is_file():
            path.write_text(
                _substitute(path.read_text(encoding="utf-8"), home, server), encoding="utf-8"
            )


def _fake_process(case: dict[str, Any], recorder: Recorder) -> Any:
    spec = case.get("process")
    if spec is None:
        return None

    def run(argv: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        recorder.argv.append(list(argv))
        return subprocess.CompletedProcess(
            list(argv),
            spec.get("returncode", 0),
            spec.get("stdout", "").encode(),
            spec.get("stderr", "").encode(),
        )

    return run


def _recording(case_dir: Path, case: dict[str, Any]) -> list[dict[str, Any]]:
    """The HTTP script, with ``body_file`` answers (e.g. STS XML) read from the folder."""
    steps = []
    for step in case.get("http", []):
        response = dict(step.get("response", {}))
        if "body_file" in response:
            response["body"] = (case_dir / response.pop("body_file")).read_text(encoding="utf-8")
        steps.append({**step, "response": response})
    return steps


def run_case(name: str, tmp: Path) -> None:
    case_dir = CASES / name
    case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    home = tmp / "home"
    home.mkdir()
    recorder = Recorder()
    with ScriptedServer(_recording(case_dir, case)) as server:
        _install_home(case_dir, home, server.url)
        env = {"HOME": str(home), "AWS_EC2_METADATA_DISABLED": "true"}
        for key, value in case.get("env", {}).items():
            if value is None:  # null removes a default
                env.pop(key, None)
            else:
                env[key] = _substitute(value, home, server.url)
        routes = {host: server.url for host in (*DEFAULT_ROUTES, *case.get("routes", ()))}
        now = parse_expiration(case.get("now", DEFAULT_NOW))
        outcome = _resolve(case, env, now, recorder, RoutingTransport(routes))
        _check(case, outcome, recorder)
        server.assert_played()


def _resolve(
    case: dict[str, Any],
    env: dict[str, str],
    now: datetime,
    recorder: Recorder,
    transport: RoutingTransport,
) -> Any:
    def prompt(text: str) -> str:
        recorder.prompts.append(text)
        return str(case["mfa_code"])

    try:
        source = resolve_credentials(
            profile=case.get("profile"),
            env=env,
            region=case.get("region"),
            transport=transport,
            clock=lambda: now,
            sleep=recorder.sleeps.append,
            mfa_prompt=prompt,
            run_process=_fake_process(case, recorder),
        )
        return source.provider, source.get()
    except _errors.DataAPIError as exc:
        return exc
    finally:
        transport.close()


def _check(case: dict[str, Any], outcome: Any, recorder: Recorder) -> None:
    want = case["expected"]
    if "error" in want:
        assert isinstance(outcome, Exception), f"expected {want['error']}, got {outcome}"
        assert type(outcome).__name__ == want["error"], repr(outcome)
        for text in want.get("message_contains", []):
            assert text in str(outcome), f"{text!r} not in {outcome}"
        if "attempts" in want:
            assert [a[0] for a in outcome.attempts] == want["attempts"]  # type: ignore[attr-defined]
        if "provider" in want:
            assert outcome.provider == want["provider"]  # type: ignore[attr-defined]
    else:
        assert not isinstance(outcome, Exception), f"unexpected error: {outcome!r}"
        provider, creds = outcome
        assert provider == want["provider"]
        assert creds.access_key_id == want["access_key_id"]
        assert creds.secret_access_key == want["secret_access_key"]
        assert creds.session_token == want.get("session_token")
        expiry = want.get("expiration")
        assert creds.expiration == (parse_expiration(expiry) if expiry else None)
    assert recorder.sleeps == case.get("sleeps", [])
    assert recorder.prompts == case.get("prompts", [])
    if "argv" in case:
        assert recorder.argv == case["argv"]
