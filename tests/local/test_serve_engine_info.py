"""``serve`` names the Aurora engine family it answers as and the server's version (issue 13)."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._cli.main import main

FIRST_LINE_KEYS = {"endpoint", "ca_file", "region", "access_key_id", "resource_arn", "secret_arn",
                   "flavor", "pid", "database_url"}  # fmt: skip
SQLITE_ENGINE = {"family": "mysql", "answers_as": "Aurora MySQL", "server": "sqlite",
                 "version": sqlite3.sqlite_version}  # fmt: skip


def test_the_sqlite_default_says_it_answers_as_aurora_mysql(local_endpoint: Any) -> None:
    info = local_endpoint.info
    assert set(info) >= FIRST_LINE_KEYS  # the existing keys stay as they were
    assert info["engine"] == SQLITE_ENGINE


@pytest.mark.postgres
def test_postgresql_says_its_family_and_version(local_endpoint_postgres: Any) -> None:
    engine = local_endpoint_postgres.info["engine"]
    reply = local_endpoint_postgres.rds.execute_statement(
        sql="SHOW server_version", **local_endpoint_postgres.arns
    )
    version = reply["records"][0][0]["stringValue"]
    assert engine == {"family": "postgresql", "answers_as": "Aurora PostgreSQL",
                      "server": "postgresql", "version": version}  # fmt: skip


@pytest.mark.mysql
def test_mariadb_says_the_mysql_family_and_its_version(local_endpoint_mysql: Any) -> None:
    engine = local_endpoint_mysql.info["engine"]
    reply = local_endpoint_mysql.rds.execute_statement(
        sql="SELECT VERSION()", **local_endpoint_mysql.arns
    )
    assert engine == {"family": "mysql", "answers_as": "Aurora MySQL", "server": "mariadb",
                      "version": reply["records"][0][0]["stringValue"]}  # fmt: skip


def test_engine_info_flag_prints_the_engine_and_exits(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["serve", "--engine-info", "--state-dir", str(tmp_path)], stdout=out,
                  stderr=err, env={})  # fmt: skip
    assert (status, err.getvalue()) == (0, "")
    assert out.getvalue().count("\n") == 1
    assert json.loads(out.getvalue()) == SQLITE_ENGINE
    assert not (tmp_path / "server-key.pem").exists()  # it did not get as far as serving
