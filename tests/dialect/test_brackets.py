"""PostgreSQL brackets hold parameters: ARRAY[...], subscripts, slices, JSONB subscripts.

The DB-API refuses a ``:name`` in brackets only as a slice bound glued to a value
(``a[1:n]``), so the dialect renders SQLAlchemy's own ``ARRAY[:p, ...]``,
``col[:idx]`` and ``doc[:key]`` (reference F17b, docs/local-endpoint-fidelity.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, create_engine, insert, select
from sqlalchemy.dialects import postgresql

from tests.dialect.conftest import dataapi_url, unique

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(local_endpoint_postgres: Any) -> Iterator[Any]:
    endpoint = local_endpoint_postgres
    eng = create_engine(dataapi_url(endpoint, "postgresql"),
                        connect_args={"credentials": endpoint.credentials()})  # fmt: skip
    yield eng
    eng.dispose()


def test_array_constructor_and_any_take_parameters(pg_engine: Any) -> None:
    values = postgresql.array([bindparam("a", 2), bindparam("b", 3)])
    query = select(values, bindparam("x", 3) == values.any_())
    assert "ARRAY[" in str(query.compile(dialect=pg_engine.dialect))
    with pg_engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ([2, 3], True)


def test_subscripts_slices_and_jsonb_keys_take_parameters(pg_engine: Any) -> None:
    table = Table(unique("brackets"), MetaData(), Column("id", Integer, primary_key=True),
                  Column("arr", postgresql.ARRAY(Integer)),
                  Column("doc", postgresql.JSONB))  # fmt: skip
    with pg_engine.begin() as conn:
        table.create(conn)
        try:
            conn.execute(insert(table), {"id": 1, "arr": [10, 20, 30], "doc": {"k": {"n": 5}}})
            query = select(
                table.c.arr[bindparam("i", 2)],
                table.c.arr[bindparam("lo", 2) : bindparam("hi", 3)],
                table.c.doc[bindparam("key", "k")]["n"].as_integer(),
            )
            sql = str(query.compile(dialect=pg_engine.dialect))
            assert "[:i]" in sql.replace("CAST(", "").replace(" AS INTEGER)", "")
            assert tuple(conn.execute(query).one()) == (20, [20, 30], 5)
        finally:
            table.drop(conn)
