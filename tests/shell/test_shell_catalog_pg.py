"""Every PostgreSQL catalog query, run on the real server: none returns a "char" column.

The Data API refuses ``"char"`` results (UnsupportedResultException), so the oracle
here is PostgreSQL's own description of each result (psycopg), not the endpoint.
"""

from __future__ import annotations

from typing import Any

import pytest

from sigv4_dataapi.shell import catalog_pg
from sigv4_dataapi.shell.patterns import NamePattern

CHAR_OID = 18  # pg_type.oid of "char"

pytestmark = pytest.mark.postgres


def _queries() -> list[str]:
    everything, named = NamePattern(None, None), NamePattern("public", "pg%")
    queries = [catalog_pg.databases(), catalog_pg.completion_names(),
               catalog_pg.current_database()]  # fmt: skip
    for pattern in (everything, named):
        queries.append(catalog_pg.schemas(pattern))
        queries.append(catalog_pg.find_relation(pattern))
        queries += [catalog_pg.relations(kind, pattern) for kind in catalog_pg.KINDS]
    for describe in (catalog_pg.columns, catalog_pg.indexes, catalog_pg.foreign_keys,
                     catalog_pg.referenced_by):  # fmt: skip
        queries.append(describe(1259))  # pg_class's oid: a table with columns and indexes
    return queries


def test_no_catalog_query_returns_a_char_column(postgres_url: str) -> None:
    psycopg: Any = pytest.importorskip("psycopg")
    queries = _queries()
    assert len(queries) == 19
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        with conn.cursor() as cur:  # the oracle sees a bare "char" column for what it is
            cur.execute("SELECT relkind FROM pg_class LIMIT 1")
            assert cur.description[0].type_code == CHAR_OID
        for sql in queries:
            with conn.cursor() as cur:
                cur.execute(sql)
                kinds = [column.type_code for column in cur.description]
                assert CHAR_OID not in kinds, sql
                assert cur.fetchall() is not None
