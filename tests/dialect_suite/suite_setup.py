"""The suite's database and endpoint (imported by conftest.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

# The main suite's tests/conftest.py (its endpoint helpers), under a name of its own.
_spec = importlib.util.spec_from_file_location(
    "sigv4_tests_conftest", Path(__file__).resolve().parent.parent / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_main = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _main
_spec.loader.exec_module(_main)
DEV_SECRET_ACCESS_KEY = _main.DEV_SECRET_ACCESS_KEY
engine_database_url = _main.engine_database_url
start_local_endpoint = _main.start_local_endpoint

DATABASE = "sqla_suite"
SCHEMAS = ("test_schema", "test_schema_2")


def start(engine: str, state_dir: Path) -> Any:
    """A v2 endpoint on ``engine`` whose server has the suite's database and schemas."""
    url = engine_database_url(engine)
    assert url is not None
    (_prepare_postgres if engine == "postgres" else _prepare_mysql)(url)
    shutil.rmtree(state_dir, ignore_errors=True)
    return start_local_endpoint(state_dir, database_url=url, engine=engine)


def environment(endpoint: Any) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_RDS_DATA": endpoint.endpoint,
        "AWS_CA_BUNDLE": endpoint.ca_file or "",
        "AWS_REGION": endpoint.region,
        "AWS_ACCESS_KEY_ID": endpoint.access_key_id,
        "AWS_SECRET_ACCESS_KEY": DEV_SECRET_ACCESS_KEY,
        "DATA_API_RESOURCE_ARN": endpoint.resource_arn,
        "DATA_API_SECRET_ARN": endpoint.secret_arn,
    }


def _prepare_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/" + DATABASE, autocommit=True) as conn:
        for schema in SCHEMAS:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def _prepare_mysql(url: str) -> None:
    from urllib.parse import urlsplit

    import pymysql

    parts = urlsplit(url)
    conn = pymysql.connect(
        host=parts.hostname, port=parts.port or 3306,
        user=parts.username or "root", password=parts.password or "",
    )  # fmt: skip
    try:
        with conn.cursor() as cur:
            for name in (DATABASE, *SCHEMAS):
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET utf8mb4")
    finally:
        conn.close()
