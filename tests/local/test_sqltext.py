"""Statement boundaries: quotes, comments and dollar quotes hide semicolons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._sqltext.split import is_multistatement, split_statements


@pytest.mark.parametrize(
    "sql",
    [
        "show tables;",
        "SELECT 1 ;  -- trailing comment",
        "SELECT 'a;b', \"c;d\", `e;f`",
        "SELECT $$ ; $$, $tag$ ; $tag$",
        "SELECT 1 /* ; */",
        "SELECT 'it''s; fine'",
        "SELECT 'back\\'slash;'",
        "",
    ],
)
def test_single_statements(sql: str) -> None:
    assert not is_multistatement(sql)


@pytest.mark.parametrize(
    ("sql", "parts"),
    [
        ("SELECT 1; SELECT 2", ["SELECT 1", "SELECT 2"]),
        ("select 1; select 2;", ["select 1", "select 2"]),
        ("SELECT ';'; SELECT 2 -- x", ["SELECT ';'", "SELECT 2 -- x"]),
        ("CREATE FUNCTION f() AS $$ a; b $$; SELECT 1", ["CREATE FUNCTION f() AS $$ a; b $$",
                                                        "SELECT 1"]),
    ],
)  # fmt: skip
def test_split(sql: str, parts: list[str]) -> None:
    assert split_statements(sql) == parts
    assert is_multistatement(sql)


@given(st.lists(st.text(alphabet="abc 1=", min_size=1).filter(str.strip), min_size=1, max_size=5))
def test_split_joins_back(pieces: list[str]) -> None:
    assert split_statements("; ".join(pieces)) == [p.strip() for p in pieces]
