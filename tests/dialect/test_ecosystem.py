"""pandas and Alembic over the dialects, PostgreSQL and MariaDB (issue 11)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from tests.dialect.conftest import unique

pandas = pytest.importorskip("pandas")


def test_pandas_to_sql_then_read_sql_whole_and_in_chunks(engine: Any) -> None:
    name = unique("pd")
    frame = pandas.DataFrame({
        "id": range(1, 1201),
        "label": [f"row {i} é" for i in range(1, 1201)],
        "amount": [i / 4 for i in range(1, 1201)],
    })  # fmt: skip
    try:
        # pandas sums rowcounts; BatchExecuteStatement returns none (-1 per chunk, documented)
        frame.to_sql(name, engine, index=False, chunksize=500)
        whole = pandas.read_sql(text(f"SELECT id, label, amount FROM {name} ORDER BY id"), engine)
        pandas.testing.assert_frame_equal(whole, frame)
        chunks = list(pandas.read_sql(text(f"SELECT id FROM {name} ORDER BY id"), engine,
                                      chunksize=500))  # fmt: skip
        assert [len(chunk) for chunk in chunks] == [500, 500, 200]
        assert list(pandas.concat(chunks)["id"]) == list(range(1, 1201))
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))


ENV_PY = """
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None,
                      version_table=config.get_main_option("version_table"))
    with context.begin_transaction():
        context.run_migrations()
"""

MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down}


def upgrade():
{upgrade}


def downgrade():
{downgrade}
"""


def _write_migrations(folder: Path, table: str) -> None:
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(ENV_PY)
    (folder / "script.py.mako").write_text("")
    steps = [
        ("a1", None,
         f"op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True),"
         " sa.Column('name', sa.String(50)))",
         f"op.drop_table('{table}')"),
        ("b2", "'a1'",
         f"op.add_column('{table}', sa.Column('email', sa.String(100)))\n"
         f"op.create_index('ix_{table}_email', '{table}', ['email'])",
         f"op.drop_index('ix_{table}_email', table_name='{table}')\n"
         f"op.drop_column('{table}', 'email')"),
    ]  # fmt: skip
    for rev, down, upgrade, downgrade in steps:
        body = MIGRATION.format(rev=rev, down=down, upgrade=textwrap.indent(upgrade, "    "),
                                downgrade=textwrap.indent(downgrade, "    "))  # fmt: skip
        (folder / "versions" / f"{rev}.py").write_text(body)


def test_alembic_upgrade_and_downgrade(engine: Any, tmp_path: Path) -> None:
    alembic_config = pytest.importorskip("alembic.config")
    from alembic import command

    table, version_table = unique("alem"), unique("alembic_version")
    _write_migrations(tmp_path / "migrations", table)
    config = alembic_config.Config()
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    config.set_main_option("version_table", version_table)
    config.attributes["engine"] = engine

    def state() -> tuple[set[str], set[str], list[str]]:
        insp = inspect(engine)
        if not insp.has_table(table):
            return set(), set(), _versions()
        columns = {c["name"] for c in insp.get_columns(table)}
        return columns, {i["name"] for i in insp.get_indexes(table)}, _versions()

    def _versions() -> list[str]:
        with engine.connect() as conn:
            return list(conn.execute(text(f"SELECT version_num FROM {version_table}")).scalars())

    try:
        command.upgrade(config, "head")
        assert state() == ({"id", "name", "email"}, {f"ix_{table}_email"}, ["b2"])
        command.downgrade(config, "a1")
        assert state() == ({"id", "name"}, set(), ["a1"])
        command.downgrade(config, "base")
        assert state() == (set(), set(), [])
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
            conn.execute(text(f"DROP TABLE IF EXISTS {version_table}"))
