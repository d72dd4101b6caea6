"""The hazards the DB-API refuses, against the endpoint that reproduces them (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _dbapi_support import PG_FLAVORS, connect, start_endpoint

from sigv4_dataapi import Client, dbapi


@pytest.fixture(scope="module", params=PG_FLAVORS)
def pg(request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


def test_dollar_body_parameter_is_corrupted_by_the_service_and_refused_here(pg: Any) -> None:
    with Client(
        pg.resource_arn,
        pg.secret_arn,
        database="test",
        endpoint_url=pg.endpoint,
        region=pg.region,
        verify=pg.ca_file,
        credentials=pg.credentials(),
    ) as client:
        corrupted = client.execute("SELECT $$a :b c$$ AS t", {"b": "x"})
    assert corrupted.records == [["a $1 c"]]  # what the service does (F17b)
    with connect(pg, autocommit=True, engine="postgresql") as conn:
        cur = conn.cursor()
        with pytest.raises(dbapi.ProgrammingError, match=r"\$\$-quoted body"):
            cur.execute("SELECT $$a :b c$$ AS t", {"b": "x"})
        assert conn.call_count == 0
        cur.execute("SELECT $$a : b c$$ AS t, :b AS b", {"b": "x"})  # no hazard: sent as is
        assert cur.fetchall() == [("a : b c", "x")]


def test_array_slice_fails_on_the_service_and_is_refused_here(pg: Any) -> None:
    with connect(pg, autocommit=True, engine="postgresql") as conn:
        cur = conn.cursor()
        with pytest.raises(dbapi.ProgrammingError, match=r"\[1 : 2\]"):
            cur.execute("SELECT (ARRAY[1,2,3])[1:2] AS s")
        assert conn.call_count == 0
        cur.execute("SELECT (ARRAY[1,2,3])[1 : 2] AS s")
        assert cur.fetchall() == [([1, 2],)]
    with (
        Client(
            pg.resource_arn,
            pg.secret_arn,
            database="test",
            endpoint_url=pg.endpoint,
            region=pg.region,
            verify=pg.ca_file,
            credentials=pg.credentials(),
        ) as client,
        pytest.raises(Exception, match=r"syntax error at or near \"\$1\""),
    ):
        client.execute("SELECT (ARRAY[1,2,3])[1:2] AS s")
