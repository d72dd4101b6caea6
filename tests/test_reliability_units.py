"""Issue 14, the pure parts: backoff bounds, resume signals, proxy settings, the policy
arguments and the first credential fetch. Each test failed before its fix."""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sigv4_dataapi import Client, RetryPolicy, StatementMayHaveRunError
from sigv4_dataapi._credentials.providers._source import CredentialSource
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import BadRequestException, ConfigurationError, service_error
from sigv4_dataapi._transport.endpoint import proxy_for
from sigv4_dataapi._transport.retry import (
    Attempts,
    Failure,
    backoff,
    classify,
    decide,
)

ARN = "arn:aws:rds:us-east-1:123456789012:cluster:c"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


# -- backoff ------------------------------------------------------------------------------


def test_backoff_never_overflows_after_thousands_of_waits() -> None:
    """Before: ``2.0 ** 1100`` raised OverflowError out of the resume loop."""
    for attempt in (1_000, 1_100, 10**6):
        delay = backoff(attempt, initial=1.0, maximum=10.0, jitter=0.5, exp_base=2.0, rand=0.3)
        assert 9.5 <= delay <= 10.0


def test_a_resuming_cluster_can_be_polled_for_long() -> None:
    policy = RetryPolicy(resume_timeout=10**9)
    state = Attempts(resume_waits=5_000, resume_started=0.0)
    decision = decide(Failure.RESUMING, operation="ExecuteStatement", idempotent=False,
                      state=state, now=1.0, policy=policy, rand=0.5)  # fmt: skip
    assert 0 < decision.delay <= policy.resume_wait_max


def test_jitter_survives_the_cap() -> None:
    """Before: every client slept exactly ``wait_max`` once the exponent passed it, in step."""
    delays = {backoff(40, initial=0.1, maximum=5.0, jitter=0.5, exp_base=2.0, rand=r / 10)
              for r in range(10)}  # fmt: skip
    assert len(delays) == 10
    assert all(4.5 <= d <= 5.0 for d in delays)


def test_backoff_below_the_cap_is_unchanged() -> None:
    assert backoff(1, initial=0.1, maximum=5.0, jitter=0.5, exp_base=2.0, rand=0.5) == 0.35
    assert backoff(3, initial=1.0, maximum=10.0, jitter=0.5, exp_base=2.0, rand=0.5) == 4.25


# -- v1's Communications link failure ----------------------------------------------------

PROVEN = (
    "Communications link failure\n\nThe last packet sent successfully to the server "
    "was 0 milliseconds ago. The driver has not received any packets from the server."
)
MID_STATEMENT = ("Communications link failure\n\nThe last packet successfully received from "
                 "the server was 5,012 milliseconds ago. The last packet sent successfully to "
                 "the server was 5,013 milliseconds ago.")  # fmt: skip


def test_only_the_nothing_sent_form_is_a_resume_signal() -> None:
    assert classify(service_error("BadRequestException", PROVEN, status_code=400)) \
        is Failure.RESUMING  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        MID_STATEMENT,
        "Communications link failure",
        "Communications link failure\n\nThe last packet sent "
        "successfully to the server was 0 milliseconds ago.",
    ],
)
def test_any_other_link_failure_may_have_run(message: str) -> None:
    """Before: every form was waited out and replayed, though the statement may have run."""
    error = service_error("BadRequestException", message, status_code=400)
    assert isinstance(error, BadRequestException)  # still what v1 callers catch
    assert isinstance(error, StatementMayHaveRunError)
    assert classify(error) is Failure.AMBIGUOUS


# -- proxies from the environment -------------------------------------------------------

URL = "https://rds-data.us-east-1.amazonaws.com"


def test_a_proxy_without_a_scheme_is_http() -> None:
    """Before: ``proxy.corp:3128`` went to httpx as is, which raised a raw ValueError."""
    assert proxy_for(URL, {"HTTPS_PROXY": "proxy.corp:3128"}) == "http://proxy.corp:3128"
    assert proxy_for(URL, {"HTTPS_PROXY": "user:pw@proxy.corp:3128"}) == \
        "http://user:pw@proxy.corp:3128"  # fmt: skip
    assert proxy_for(URL, {"HTTPS_PROXY": "socks5://p:1080"}) == "socks5://p:1080"


def test_a_malformed_proxy_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY"):
        proxy_for(URL, {"HTTPS_PROXY": "http://proxy.corp:notaport"})


@pytest.mark.parametrize(
    ("url", "no_proxy"),
    [
        (URL, "RDS-DATA.US-EAST-1.AMAZONAWS.COM"),
        (URL, ".AmazonAWS.com"),
        ("https://[::1]:8443", "::1"),
        ("https://[::1]:8443", "[::1]:8443"),
        ("https://[fd00::5]", "fd00::5"),
        ("https://10.1.2.3", "10.0.0.0/8"),
        ("https://h.example:8443", "h.example:8443"),
    ],
)
def test_no_proxy_matches_like_curl(url: str, no_proxy: str) -> None:
    """Before: entries kept their case, and ``::1`` was cut to ``""`` at the first ':'."""
    assert proxy_for(url, {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": no_proxy}) is None


@pytest.mark.parametrize(
    ("url", "no_proxy"),
    [("https://[fd00::5]", "fd00::6"), ("https://h.example", "example.org"),
     ("https://10.9.2.3", "10.0.0.0/16"), ("https://h.example:8443", "h.example:443")],
)  # fmt: skip
def test_no_proxy_does_not_match_others(url: str, no_proxy: str) -> None:
    assert proxy_for(url, {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": no_proxy}) == \
        "http://p:3128"  # fmt: skip


# -- Client(retry=...) and its own arguments ----------------------------------------------


def _client(**kwargs: object) -> Client:
    return Client(ARN, SECRET, region="us-east-1", endpoint_url="http://127.0.0.1:9",
                  credentials=KEYS, **kwargs)  # type: ignore[arg-type]  # fmt: skip


def test_explicit_arguments_override_the_policy() -> None:
    """Before: ``retry=`` won and ``idempotent=``/``resume_timeout=`` were silently dropped."""
    policy = RetryPolicy(attempts=7, resume_timeout=5.0)
    with _client(retry=policy, idempotent=True, resume_timeout=300.0) as client:
        used = client.transport.settings.retry
    assert (used.attempts, used.idempotent, used.resume_timeout) == (7, True, 300.0)


def test_the_policy_stands_when_no_argument_is_given() -> None:
    policy = RetryPolicy(idempotent=True, resume_timeout=5.0)
    with _client(retry=policy) as client:
        assert client.transport.settings.retry == policy
    with _client() as client:
        assert client.transport.settings.retry == RetryPolicy()


# -- the first credentials -----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_short_lived_first_credentials_are_fetched_once() -> None:
    """Before: a 15-minute credential_process answer was inside the default 10-minute
    mandatory window, so the first ``get()`` ran the process (and its MFA prompt) again."""
    clock = Clock()
    runs: list[datetime] = []

    def fetch() -> Credentials:
        runs.append(clock.now)
        return Credentials("AKID", "secret", "token", expiration=clock.now + timedelta(minutes=15))

    source = CredentialSource("process", credentials=fetch(), fetch=fetch, clock=clock)
    for _ in range(3):
        source.get()
    assert len(runs) == 1
    clock.now += timedelta(minutes=12)  # inside a quarter of the lifetime: refreshed, once
    source.get()
    source.get()
    assert len(runs) == 2


def test_a_credential_process_with_a_short_lifetime_runs_once(tmp_path: Path) -> None:
    """End to end: a real ``credential_process`` (think MFA prompt) answering 15-minute
    credentials, a real client making three calls. Before: the helper ran twice."""
    from hostile import hostile, keep_alive

    runs = tmp_path / "runs"
    helper = tmp_path / "helper.py"
    helper.write_text(textwrap.dedent(f"""
        import json, datetime
        with open({str(runs)!r}, "a") as log:
            log.write("run\\n")
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15)
        print(json.dumps({{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "s",
                          "SessionToken": "t", "Expiration": expires.isoformat()}}))
    """))  # fmt: skip
    (tmp_path / "config").write_text(f"[default]\ncredential_process = {sys.executable} {helper}\n")
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    server = hostile(keep_alive())
    with server as peer, Client(ARN, SECRET, region="us-east-1", endpoint_url=peer.url,
                                env=env) as db:  # fmt: skip
        for _ in range(3):
            db.execute("SELECT 1")
    assert runs.read_text().count("run") == 1
    assert len(peer.seen) == 3
