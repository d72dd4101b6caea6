"""Pure pieces of the dialect: interval text, array text, size paging."""

from __future__ import annotations

import datetime

import pytest

from sigv4_dataapi.dialect._arraytext import parse_array
from sigv4_dataapi.dialect._imv import REQUEST_BUDGET, SQL_BUDGET, group_rows
from sigv4_dataapi.dialect._interval import interval_text, parse_interval

td = datetime.timedelta


@pytest.mark.parametrize("text, value", [
    ("00:00:00", td(0)),
    ("3 days 04:05:06.5", td(days=3, hours=4, minutes=5, seconds=6.5)),
    ("-1 days +23:59:59.999999", td(microseconds=-1)),
    ("1 year 2 mons -3 days", td(days=365 + 60 - 3)),
    ("-00:00:01", td(seconds=-1)),
    ("P1DT2H3M4.5S", td(days=1, hours=2, minutes=3, seconds=4.5)),
])  # fmt: skip
def test_interval_text_parses(text: str, value: datetime.timedelta) -> None:
    assert parse_interval(text) == value


@pytest.mark.parametrize("value", [td(0), td(days=-3, microseconds=7), td(days=99999, seconds=1)])
def test_interval_text_is_what_postgresql_reads(value: datetime.timedelta) -> None:
    days, seconds, micros = interval_text(value).split()[::2]
    assert td(days=int(days), seconds=int(seconds), microseconds=int(micros)) == value


def test_interval_garbage_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL interval"):
        parse_interval("soon")


def test_array_text_parses_nesting_quotes_and_nulls() -> None:
    assert parse_array('{{one,two},{"thr\'ee","a \\"b\\" \\\\ c"}}') == [
        ["one", "two"], ["thr'ee", 'a "b" \\ c']]  # fmt: skip
    assert parse_array('{NULL,"NULL",""}') == [None, "NULL", ""]
    assert parse_array("[0:1]={5,6}") == ["5", "6"]


def test_groups_respect_the_sql_budget() -> None:
    rows = [{"a": 1}] * 10_000
    sizes = list(group_rows(rows, row_sql=30, head_sql=100, limit_rows=100_000))
    assert sum(sizes) == 10_000
    assert all(100 + size * 30 <= SQL_BUDGET for size in sizes)


def test_groups_respect_the_request_budget_and_page_size() -> None:
    rows = [{"body": "x" * 100_000}] * 100
    sizes = list(group_rows(rows, row_sql=20, head_sql=50, limit_rows=1000))
    assert sum(sizes) == 100 and all(size * 100_000 < REQUEST_BUDGET for size in sizes)
    assert list(group_rows([{"a": 1}] * 25, row_sql=5, head_sql=5, limit_rows=10)) == [10, 10, 5]


def test_a_single_oversized_row_still_goes_alone() -> None:
    """Its own request then fails with the service's clear error; nothing is dropped."""
    assert list(group_rows([{"b": "x" * 5_000_000}, {"b": "y"}], row_sql=10, head_sql=10,
                           limit_rows=1000)) == [1, 1]  # fmt: skip


def test_lost_transactions_and_connection_errors_invalidate_the_connection() -> None:
    from sigv4_dataapi import dbapi
    from sigv4_dataapi.dialect.postgresql import PGDialect_dataapi

    dialect = PGDialect_dataapi(dbapi=dbapi)
    lost = dbapi.TransactionLostError("idle for 3 minutes")
    too_large = dbapi.ResultTooLargeError("1 MiB", limit="response", transaction_lost=True)
    kept = dbapi.ResultTooLargeError("1 MiB", limit="response", transaction_lost=False)
    link = dbapi.OperationalError("connection failure")
    link.sqlstate = "08006"
    unique_violation = dbapi.IntegrityError("duplicate key")
    unique_violation.sqlstate = "23505"
    assert dialect.is_disconnect(lost, None, None)
    assert dialect.is_disconnect(too_large, None, None)
    assert dialect.is_disconnect(link, None, None)
    assert not dialect.is_disconnect(kept, None, None)
    assert not dialect.is_disconnect(unique_violation, None, None)


def test_parameters_are_cast_where_the_service_would_mistype_them() -> None:
    from sqlalchemy import Integer, String, column, select, table
    from sqlalchemy.dialects.postgresql import CITEXT

    from sigv4_dataapi.dialect.postgresql import PGDialect_dataapi

    t = table("t", column("c", CITEXT), column("s", String(5)), column("n", Integer))
    query = select(t.c.n).where(t.c.c == "X", t.c.s == "y", t.c.n == 1)
    sql = str(query.compile(dialect=PGDialect_dataapi()))
    assert "t.c = :c_1" in sql  # citext keeps its case-insensitive comparison
    assert "CAST(:s_1 AS VARCHAR)" in sql and "CAST(:n_1 AS INTEGER)" in sql
