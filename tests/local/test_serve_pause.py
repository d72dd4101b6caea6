"""A paused cluster (``--pause-after``, ``--resume-seconds``, ``--start-paused``) over boto3.

Robust on a loaded machine: a fixed sleep is used only as a lower bound (sleeping
longer never changes the outcome), resumes are long enough that "still resuming"
cannot run out between two calls, and the end of a resume is polled for.
Each test runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from _waits import error_code, poll
from botocore.exceptions import ClientError


def _works(rds: Any, endpoint: Any) -> bool:
    return error_code(rds.execute_statement, sql="SELECT 1", **endpoint.arns) == ""


@pytest.mark.slow
def test_pause_and_resume_v2(engine_factory: Any) -> None:
    endpoint = engine_factory("--pause-after", "1", "--resume-seconds", "5")
    rds = endpoint.boto3_client()
    assert rds.execute_statement(sql="SELECT 1", **endpoint.arns)["records"]
    time.sleep(1.5)  # idle for at least --pause-after: it pauses
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", **endpoint.arns)  # starts the resume
    error = caught.value.response["Error"]
    assert error["Code"] == "DatabaseResumingException"
    assert "is resuming after being auto-paused" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error_code(rds.begin_transaction, **endpoint.arns) == "DatabaseResumingException"
    poll(lambda: _works(rds, endpoint), "the cluster to resume")
    assert rds.execute_statement(sql="SELECT 2", **endpoint.arns)["records"] == [
        [{"longValue": 2}]
    ]


def test_start_paused_v1_communications_link_failure(engine_factory: Any) -> None:
    endpoint = engine_factory("--start-paused", "--resume-seconds", "0.5", flavor="v1")
    rds = endpoint.boto3_client()
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", **endpoint.arns)
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith("Communications link failure")
    poll(lambda: _works(rds, endpoint), "the cluster to resume")


def test_auth_failure_does_not_wake_a_paused_cluster(engine_factory: Any) -> None:
    endpoint = engine_factory("--start-paused", "--resume-seconds", "0.3")
    import boto3

    bad = boto3.session.Session().client(
        "rds-data", endpoint_url=endpoint.endpoint, verify=endpoint.verify,
        region_name=endpoint.region, aws_access_key_id=endpoint.access_key_id,
        aws_secret_access_key="wrong",
    )  # fmt: skip
    assert error_code(bad.execute_statement, sql="SELECT 1", **endpoint.arns) == (
        "InvalidSignatureException"
    )
    time.sleep(0.6)  # at least a resume's length: had it started, it would be over
    rds = endpoint.boto3_client()
    assert error_code(rds.execute_statement, sql="SELECT 1", **endpoint.arns) == (
        "DatabaseResumingException"
    )
