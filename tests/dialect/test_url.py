"""URL -> dbapi.connect arguments, entry points, statement caching (issue 11 contract)."""

from __future__ import annotations

import importlib.metadata
import inspect as pyinspect
import warnings
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import Dialect

from sigv4_dataapi.dialect import DIALECTS, mysql, postgresql
from sigv4_dataapi.dialect._url import connect_kwargs

ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:my-db"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/pw+x=y-AbCdEf"


def test_every_key_comes_through_url_decoded() -> None:
    url = make_url(
        f"postgresql+dataapi:///app?resource_arn={quote(ARN, safe='')}"
        f"&secret_arn={quote(SECRET, safe='')}&region=eu-west-1"
        f"&endpoint_url={quote('https://127.0.0.1:8443/', safe='')}"
        f"&ca_file={quote('/tmp/my ca.pem', safe='')}&profile=dev&timeout=12.5"
    )  # fmt: skip
    assert connect_kwargs(url, "postgresql") == {
        "engine": "postgresql", "database": "app", "resource_arn": ARN, "secret_arn": SECRET,
        "region": "eu-west-1", "endpoint_url": "https://127.0.0.1:8443/",
        "verify": "/tmp/my ca.pem", "profile": "dev", "timeout": 12.5,
    }  # fmt: skip


def test_missing_values_are_left_to_dbapi_connect() -> None:
    assert connect_kwargs(make_url("mysql+dataapi://"), "mysql") == {"engine": "mysql"}


@pytest.mark.parametrize("url, message", [
    ("postgresql+dataapi://user:pw@host/db", "no host, port, user or password"),
    ("postgresql+dataapi:///db?resourceArn=x", r"unknown postgresql\+dataapi URL key 'resource"),
    ("postgresql+dataapi:///db?region=a&region=b", "given more than once"),
    ("postgresql+dataapi:///db?timeout=soon", "must be a number of seconds"),
])  # fmt: skip
def test_bad_urls_are_one_clear_error(url: str, message: str) -> None:
    with pytest.raises(exc.ArgumentError, match=message):
        create_engine(url).connect()


def test_entry_points_name_the_four_dialects() -> None:
    entry_points = importlib.metadata.entry_points(group="sqlalchemy.dialects")
    found = {ep.name: ep.value for ep in entry_points if ep.value.startswith("sigv4_dataapi.")}
    for name in ("postgresql.dataapi", "mysql.dataapi", "postgresql.dataapi_async",
                 "mysql.dataapi_async"):  # fmt: skip
        module, cls = DIALECTS[name]
        assert found[name] == f"{module}:{cls}"


def test_every_dialect_class_sets_statement_cache_itself() -> None:
    classes = {cls for module in (postgresql, mysql) for _, cls in pyinspect.getmembers(module)
               if isinstance(cls, type) and issubclass(cls, Dialect)
               and cls.__module__ == module.__name__}  # fmt: skip
    assert len(classes) == 6
    for cls in classes:
        assert cls.__dict__.get("supports_statement_cache") is True, cls


def test_environment_alone_is_enough(
    local_endpoint_postgres: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    endpoint = local_endpoint_postgres
    for name, value in {
        "AWS_ENDPOINT_URL_RDS_DATA": endpoint.endpoint, "AWS_CA_BUNDLE": endpoint.ca_file,
        "DATA_API_RESOURCE_ARN": endpoint.resource_arn, "DATA_API_SECRET_ARN": endpoint.secret_arn,
        "AWS_REGION": endpoint.region, "AWS_ACCESS_KEY_ID": endpoint.access_key_id,
        "AWS_SECRET_ACCESS_KEY": endpoint.secret_access_key,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine = create_engine("postgresql+dataapi:///test")
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT current_database()")).scalar_one() == "test"
        finally:
            engine.dispose()
