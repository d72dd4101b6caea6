"""stream_results / yield_per use the DB-API's streaming cursor (PostgreSQL, issue 11)."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select, text
from sqlalchemy.orm import DeclarativeBase, Session

from tests.dialect.conftest import Statements, unique

ROWS = 2_400
ROW_TEXT = 4_000  # 2,400 rows x 4 kB = 9.6 MB: nine times the 1 MiB result limit
MiB = 1024 * 1024


@pytest.fixture
def big_table(engine: Any, backend: str) -> Any:
    if backend != "postgresql":
        pytest.skip("the Data API has no server-side cursor on MySQL")
    meta = MetaData()
    table = Table(unique("big"), meta, Column("id", Integer, primary_key=True),
                  Column("body", Text))  # fmt: skip
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "body": f"{i:06d}" + "x" * ROW_TEXT}
                                     for i in range(ROWS)])  # fmt: skip
    yield table
    meta.drop_all(engine)


def test_plain_select_of_the_table_is_over_the_result_limit(engine: Any, big_table: Any) -> None:
    """The premise: without streaming the service refuses this result."""
    from sqlalchemy.exc import DataError

    with engine.connect() as conn, pytest.raises(DataError, match="1 MiB"):
        conn.execute(select(big_table)).all()


def test_stream_results_reads_every_row_with_bounded_memory(engine: Any, big_table: Any) -> None:
    statements = Statements(engine)
    tracemalloc.start()
    try:
        seen = 0
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, max_row_buffer=50).execute(
                select(big_table).order_by(big_table.c.id))  # fmt: skip
            assert result.cursor.stream is True
            for partition in result.partitions(50):
                for row in partition:
                    assert row.id == seen and row.body.startswith(f"{seen:06d}")
                    seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == ROWS
    assert peak < 4 * MiB, f"peak {peak} bytes for a 9.6 MB result: rows were held"
    assert any("DECLARE" in sql or "SELECT" in sql for sql in statements.sql)


def test_orm_yield_per_streams(engine: Any, big_table: Any) -> None:
    class Base(DeclarativeBase):
        pass

    class Big(Base):
        __table__ = big_table

    with Session(engine) as session:
        ids = [big.id for big in session.scalars(select(Big).order_by(Big.id)
                                                 .execution_options(yield_per=100))]  # fmt: skip
    assert ids == list(range(ROWS))


def test_pandas_read_sql_chunks_stream(engine: Any, big_table: Any) -> None:
    pandas = pytest.importorskip("pandas")
    with engine.connect() as conn:
        chunks = list(pandas.read_sql(
            text(f"SELECT id, body FROM {big_table.name} ORDER BY id"),
            conn.execution_options(stream_results=True), chunksize=200))  # fmt: skip
    assert [len(chunk) for chunk in chunks] == [200] * (ROWS // 200)
    assert list(pandas.concat(chunks)["id"]) == list(range(ROWS))
