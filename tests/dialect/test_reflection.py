"""Reflection through the Data API, PostgreSQL and MariaDB (issue 11, C.5 item 7).

PostgreSQL's catalog queries select ``"char"`` columns, which the service (and
the local endpoint) refuse; these tests pass only because the dialect reads
them as text.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    text,
)

from tests.dialect.conftest import unique


@pytest.fixture
def schema(engine: Any) -> Any:
    meta = MetaData()
    parent = Table(unique("parent"), meta, Column("id", Integer, primary_key=True),
                   Column("code", String(20), nullable=False),
                   UniqueConstraint("code", name=unique("uq")))  # fmt: skip
    child = Table(unique("child"), meta,
                  Column("id", Integer, primary_key=True),
                  Column("parent_id", Integer, ForeignKey(parent.c.id, ondelete="CASCADE")),
                  Column("name", String(50), comment="the child's name"),
                  Column("qty", Integer, server_default="3"),
                  CheckConstraint("qty >= 0", name=unique("ck")))  # fmt: skip
    Index(unique("ix"), child.c.name, child.c.qty.desc())
    meta.create_all(engine)
    view = unique("v")
    with engine.begin() as conn:
        conn.execute(text(f"CREATE VIEW {view} AS SELECT id, name FROM {child.name}"))
    yield parent, child, view
    with engine.begin() as conn:
        conn.execute(text(f"DROP VIEW {view}"))
    meta.drop_all(engine)


def test_inspector_reads_tables_columns_keys_indexes(engine: Any, schema: Any,
                                                     backend: str) -> None:  # fmt: skip
    parent, child, view = schema
    insp = inspect(engine)
    assert {parent.name, child.name} <= set(insp.get_table_names())
    assert view in insp.get_view_names() and view not in insp.get_table_names()
    assert insp.has_table(child.name) and not insp.has_table(unique("absent"))
    columns = {c["name"]: c for c in insp.get_columns(child.name)}
    assert list(columns) == ["id", "parent_id", "name", "qty"]
    assert columns["name"]["comment"] == "the child's name"
    assert "3" in str(columns["qty"]["default"])
    assert isinstance(columns["name"]["type"], String) and columns["name"]["type"].length == 50
    assert insp.get_pk_constraint(child.name)["constrained_columns"] == ["id"]
    (fk,) = insp.get_foreign_keys(child.name)
    assert (fk["referred_table"], fk["constrained_columns"], fk["referred_columns"]) == (
        parent.name, ["parent_id"], ["id"])  # fmt: skip
    assert fk["options"].get("ondelete") == "CASCADE"
    uniques = insp.get_unique_constraints(parent.name)
    assert [u["column_names"] for u in uniques] == [["code"]]
    indexes = {i["name"]: i for i in insp.get_indexes(child.name)}
    ours = [i for name, i in indexes.items() if name.startswith("ix_")]
    assert [i["column_names"] for i in ours] == [["name", "qty"]]
    checks = insp.get_check_constraints(child.name)
    assert any("qty" in c["sqltext"] for c in checks)


def test_get_multi_forms(engine: Any, schema: Any) -> None:
    parent, child, _ = schema
    names = [parent.name, child.name]
    insp = inspect(engine)
    key = (None, child.name)
    assert [c["name"] for c in insp.get_multi_columns(filter_names=names)[key]] == [
        "id", "parent_id", "name", "qty"]  # fmt: skip
    assert insp.get_multi_pk_constraint(filter_names=names)[key]["constrained_columns"] == ["id"]
    assert insp.get_multi_foreign_keys(filter_names=names)[key][0]["referred_table"] == parent.name
    assert any(i["name"].startswith("ix_") for i in insp.get_multi_indexes(filter_names=names)[key])
    uniques = insp.get_multi_unique_constraints(filter_names=names)[(None, parent.name)]
    assert [u["column_names"] for u in uniques] == [["code"]]


def test_reflect_whole_table(engine: Any, schema: Any) -> None:
    _, child, _ = schema
    reflected = Table(child.name, MetaData(), autoload_with=engine)
    assert [c.name for c in reflected.columns] == ["id", "parent_id", "name", "qty"]
    assert reflected.c.parent_id.references(reflected.foreign_keys.pop().column)
