"""A config file maps secret ARNs to database users (here on PostgreSQL, where users exist)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

CLUSTER = "arn:aws:rds:us-east-1:123456789012:cluster:pg"
ADMIN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-AbCdEf"
READER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reader-AbCdEf"
GHOST = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghost-AbCdEf"

pytestmark = pytest.mark.postgres


def test_each_secret_logs_in_as_its_user(local_endpoint_factory: Any, postgres_url: str) -> None:
    endpoint = local_endpoint_factory(
        engine="postgres",
        config={
            "clusters": [{"arn": CLUSTER, "database_url": postgres_url}],
            "secrets": [
                {"arn": ADMIN, "user": "postgres"},
                {"arn": READER, "user": "dataapi_reader"},
                {"arn": GHOST, "user": "no_such_role_xyz"},
            ],
        },
    )
    rds = endpoint.rds
    rds.execute_statement(
        sql="DO $$ BEGIN CREATE ROLE dataapi_reader LOGIN; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        resourceArn=CLUSTER, secretArn=ADMIN,
    )  # fmt: skip
    for secret, user in ((ADMIN, "postgres"), (READER, "dataapi_reader")):
        reply = rds.execute_statement(
            sql="SELECT current_user", resourceArn=CLUSTER, secretArn=secret
        )
        assert reply["records"] == [[{"stringValue": user}]]
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1", resourceArn=CLUSTER, secretArn=GHOST)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 504)
    assert "no_such_role_xyz" in caught.value.response["Error"]["Message"]
