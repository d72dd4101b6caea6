"""Each meta-command's handler returns ``(title, rows, headers, status)``; no terminal needed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from _fakes import FakeConnection, make_session  # type: ignore[import-not-found]

from sigv4_dataapi.shell import (
    catalog_mysql,
    catalog_pg,
    meta_io,
    meta_settings,
    special,
)
from sigv4_dataapi.shell.answer import Answer
from sigv4_dataapi.shell.special_base import MetaError


def run(name: str, arg: str = "", conn: FakeConnection | None = None, **kw: Any) -> Answer:
    session = make_session(conn, **kw)
    handler = special.find(name).handler
    assert handler is not None
    return handler(session, arg)


def test_every_meta_command_of_the_issue_is_registered() -> None:
    wanted = "\\q \\? \\conninfo \\l \\dn \\dt \\dv \\di \\d \\x \\timing \\pset \\o \\i \\e \\set"
    for name in wanted.split():
        assert special.find(name).name == name
    with pytest.raises(MetaError, match="invalid command \\\\nope"):
        special.find("\\nope")


def test_help_lists_every_command() -> None:
    answer = run("\\?")
    assert answer.title == "Meta-commands" and list(answer.headers) == ["Command", "Description"]
    assert len(list(answer.rows)) == len(special.COMMANDS)


def test_split_meta() -> None:
    assert special.split_meta("  \\dt+  app.*  ") == ("\\dt", "app.*")
    assert special.split_meta("\\d") == ("\\d", "")


@pytest.mark.parametrize(
    ("name", "title", "needle"),
    [
        ("\\l", "List of databases", "FROM pg_database"),
        ("\\dn", "List of schemas", "FROM pg_namespace"),
        ("\\dt", "List of relations", "IN ('r', 'p')"),
        ("\\dv", "List of relations", "IN ('v', 'm')"),
        ("\\di", "List of relations", "IN ('i', 'I')"),
    ],
)
def test_listings_run_the_postgresql_catalog_query(name: str, title: str, needle: str) -> None:
    conn = FakeConnection("postgresql", [(".", ["Name"], [("x",)])])
    answer = run(name, conn=conn)
    assert answer == Answer(title, [("x",)], ["Name"], None)
    assert needle in conn.executed[0]


def test_listing_with_nothing_found_says_so() -> None:
    conn = FakeConnection("postgresql", [(".", ["Name"], [])])
    assert run("\\dt", "nope*", conn=conn).status == 'Did not find any tables named "nope*".'
    assert "c.relname LIKE 'nope%'" in conn.executed[0]


def test_mysql_listings_use_information_schema() -> None:
    conn = FakeConnection("mysql", [(".", ["Name"], [("t",)])])
    run("\\dt", "shop.ord*", conn=conn)
    assert "information_schema.tables" in conn.executed[0]
    assert "table_schema LIKE 'shop'" in conn.executed[0]
    assert "table_name LIKE 'ord%'" in conn.executed[0]


REFERENCED = 'TABLE "u" CONSTRAINT "u_t" FOREIGN KEY (t) REFERENCES t(id)'


def test_describe_postgresql() -> None:
    conn = FakeConnection("postgresql", [
        ("FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE true",
         ["oid", "s", "n", "k"], [(42, "public", "t", "table")]),
        ("FROM pg_attribute", ["Column", "Type", "Nullable", "Default"],
         [("id", "integer", "not null", "")]),
        ("FROM pg_index", ["i"], [('"t_pkey" PRIMARY KEY, btree (id)',)]),
        ("conrelid = 42", ["f"], []),
        ("confrelid = 42", ["r"], [(REFERENCED,)]),
    ])  # fmt: skip
    answer = run("\\d", "t", conn=conn)
    assert answer.title == 'Table "public.t"'
    assert list(answer.rows) == [("id", "integer", "not null", "")]
    assert answer.status == (
        'Indexes:\n    "t_pkey" PRIMARY KEY, btree (id)\n'
        'Referenced by:\n    TABLE "u" CONSTRAINT "u_t" FOREIGN KEY (t) REFERENCES t(id)'
    )
    assert "attrelid = 42" in conn.executed[1]


def test_describe_unknown_name() -> None:
    conn = FakeConnection("postgresql", [(".", ["x"], [])])
    assert run("\\d", "nope", conn=conn).status == 'Did not find any relation named "nope".'


@pytest.mark.parametrize("module", [catalog_pg, catalog_mysql])
def test_catalog_queries_never_select_char_columns_bare(module: Any) -> None:
    """``relkind``/``contype``/``attidentity`` are "char": selected only cast to text."""
    from sigv4_dataapi.shell.patterns import NamePattern

    pattern = NamePattern("s", "t%")
    texts = [module.databases(), module.schemas(pattern), module.completion_names()]
    texts += [module.relations(k, pattern) for k in ("tables", "views", "indexes", "relations")]
    texts.append(module.find_relation(pattern))
    key = (1,) if module is catalog_pg else ("s", "t")
    texts += [f(*key) for f in (module.columns, module.indexes, module.foreign_keys,
                                 module.referenced_by)]  # fmt: skip
    for sql in texts:
        for column in ("relkind", "contype", "attidentity"):
            for at in [i for i in range(len(sql)) if sql.startswith(column, i)]:
                assert sql.startswith(f"{column}::text", at), (column, sql)


def test_expanded_and_timing_switches() -> None:
    session = make_session()
    assert meta_settings.expanded(session, "").status == "Expanded display is on."
    assert meta_settings.expanded(session, "off").status == "Expanded display is off."
    assert (
        meta_settings.expanded(session, "auto").status == "Expanded display is used automatically."
    )
    assert session.settings.expanded == "auto"
    assert meta_settings.timing(session, "on").status == "Timing is on."
    assert meta_settings.timing(session, "").status == "Timing is off."
    with pytest.raises(MetaError, match="Boolean expected"):
        meta_settings.timing(session, "maybe")


def test_pset_null_format_pager() -> None:
    session = make_session()
    assert meta_settings.pset(session, "null '[NULL]'").status == 'Null display is "[NULL]".'
    assert session.settings.null == "[NULL]"
    assert meta_settings.pset(session, "null ''").status == 'Null display is "".'
    assert meta_settings.pset(session, "format csv").status == "Output format is csv."
    assert meta_settings.pset(session, "pager off").status == "Pager usage is off."
    assert dict(meta_settings.pset(session, "").rows)["format"] == "csv"  # type: ignore[arg-type]
    with pytest.raises(MetaError):
        meta_settings.pset(session, "border 2")


def test_set_fetch_count() -> None:
    session = make_session()
    assert meta_settings.set_variable(session, "FETCH_COUNT 50").status == "FETCH_COUNT is 50."
    assert session.settings.fetch_count == 50
    for bad in ("FETCH_COUNT 0", "FETCH_COUNT x", "ON_ERROR_STOP 1"):
        with pytest.raises(MetaError):
            meta_settings.set_variable(session, bad)


def test_conninfo_names_database_engine_and_endpoint() -> None:
    text = run("\\conninfo").status or ""
    assert 'database "test" (postgresql)' in text and "https://x" in text


def test_output_to_file_and_back(tmp_path: Path) -> None:
    session = make_session()
    target = tmp_path / "out.txt"
    meta_io.output_to(session, str(target))
    assert session.redirect is not None and session.redirect_name == str(target)
    meta_io.output_to(session, "")
    assert session.redirect is None and target.exists()
    with pytest.raises(MetaError, match="\\\\o: "):
        meta_io.output_to(session, str(tmp_path / "no" / "dir" / "x"))


def test_include_queues_the_file(tmp_path: Path) -> None:
    script = tmp_path / "a.sql"
    script.write_text("SELECT 1;\n", encoding="utf-8")
    session = make_session()
    meta_io.include(session, str(script))
    assert session.pending == [(str(script), "SELECT 1;\n")]
    with pytest.raises(MetaError, match="No such file"):
        meta_io.include(session, str(tmp_path / "missing.sql"))


def test_edit_runs_the_editor_on_the_buffer(tmp_path: Path) -> None:
    editor = tmp_path / "ed.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\nt = open(p).read()\n"
        "open(p, 'w').write(t.strip() + ' + 1;\\n')\n",
        encoding="utf-8",
    )
    session = make_session(env={"EDITOR": f"{sys.executable} {editor}"})
    import subprocess

    session.console.popen = subprocess.Popen
    meta_io.edit(session, "", "SELECT 1")
    assert session.pending == [("\\e", "SELECT 1 + 1;\n")]


def test_quit_and_connect() -> None:
    session = make_session()
    meta_io.quit_shell(session, "")
    assert session.quit
    other = FakeConnection()
    session.reconnect = lambda db: other
    assert meta_io.connect(session, "db2").status == 'You are now connected to database "db2".'
    assert session.conn is other and session.database == "db2"
    other.in_transaction = True
    with pytest.raises(MetaError, match="transaction is open"):
        meta_io.connect(session, "db3")


def test_echo() -> None:
    assert run("\\echo", "hello 'big world'").status == "hello big world"
