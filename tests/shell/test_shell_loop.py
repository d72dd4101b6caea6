"""The loop with a fake connection: batch stops, prompts, transactions, Ctrl-C, Ctrl-D."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _fakes import FakeConnection, FakeError, err, make_session, out  # type: ignore[import-not-found]

from sigv4_dataapi.shell.loop import Shell
from sigv4_dataapi.shell.session import Session

BOOM = FakeError('relation "nope" does not exist', sqlstate="42P01", position=15)


def shell_for(conn: FakeConnection, *, batch: bool = True, keep_going: bool = False) -> Shell:
    session = make_session(conn)
    return Shell(session, status_for=lambda exc: 4, batch=batch, continue_on_error=keep_going)


def test_batch_stops_at_the_first_error_naming_file_and_line() -> None:
    conn = FakeConnection(rules=[("nope", None, BOOM), ("SELECT 1", ["n"], [(1,)])])
    shell = shell_for(conn)
    ok = shell.run_source("load.sql", "SELECT 1;\n\nSELECT *\nFROM nope;\nSELECT 1;\n")
    assert not ok and shell.status == 4
    assert conn.executed == ["SELECT 1", "SELECT *\nFROM nope"]
    assert err(shell.session).splitlines() == [
        'load.sql:3: ERROR: relation "nope" does not exist',
        "POSITION: 15",
        "SQLSTATE: 42P01",
    ]


def test_continue_on_error_runs_everything_but_keeps_the_status() -> None:
    conn = FakeConnection(rules=[("nope", None, BOOM)])
    shell = shell_for(conn, keep_going=True)
    assert shell.run_source("-c", "SELECT * FROM nope; SELECT 2")
    assert conn.executed == ["SELECT * FROM nope", "SELECT 2"] and shell.status == 4


def test_meta_command_errors_stop_batch_with_usage_status() -> None:
    session = make_session()
    shell = Shell(session, status_for=lambda exc: getattr(exc, "exit_status", 1))
    assert not shell.run_source("x.sql", "\\x maybe\nSELECT 1;\n")
    assert shell.status == 2
    assert err(session) == 'x.sql:1: \\x: unrecognized value "maybe": Boolean expected\n'
    assert session.conn.executed == []


def test_unknown_meta_command() -> None:
    session = make_session()
    shell = Shell(session, status_for=lambda exc: 2, batch=False)
    shell.feed("\\frobnicate", 1)
    assert "invalid command \\frobnicate. Try \\? for help." in err(session)


def test_select_streams_on_postgresql_not_on_mysql() -> None:
    for engine, streamed in (("postgresql", [True, False]), ("mysql", [False, False])):
        conn = FakeConnection(engine, [("SELECT", ["n"], [(1,)])])
        shell_for(conn).run_source("-c", "SELECT 1; UPDATE t SET a = 1")
        assert conn.streamed == streamed, engine


def test_rows_then_command_tags() -> None:
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,), (2,)])])
    shell = shell_for(conn)
    shell.run_source("-c", "SELECT n FROM t; INSERT INTO t VALUES (1); CREATE TABLE x (a int)")
    assert out(shell.session) == " n\n---\n 1\n 2\n(2 rows)\nINSERT 0 1\nCREATE TABLE\n"


def test_g_and_gx_send_the_buffer() -> None:
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,)])])
    shell = shell_for(conn)
    shell.feed("SELECT 1 \\gx", 1)
    shell.feed("SELECT 2", 2)
    shell.feed("\\g", 3)
    assert conn.executed == ["SELECT 1", "SELECT 2"]
    assert out(shell.session).startswith("-[ RECORD 1 ]")


def test_prompt_follows_the_transaction() -> None:
    conn = FakeConnection(rules=[("nope", None, BOOM)])
    shell = shell_for(conn, batch=False)
    assert shell.prompt() == "test=> "
    shell.feed("BEGIN;", 1)
    assert shell.prompt() == "test[0s]=*> "
    conn.clock += 42
    shell.feed("SELECT 'open", 2)
    assert shell.prompt() == "test[42s]'*> "
    shell.feed("';", 3)
    shell.feed("SELECT * FROM nope;", 4)
    assert shell.prompt() == "test[0s]=!> "
    shell.feed("ROLLBACK;", 5)
    assert shell.prompt() == "test=> "


def lines(*items: object) -> Iterator[object]:
    yield from items


def reader(items: list[object], prompts: list[str]):  # type: ignore[no-untyped-def]
    source = iter(items)

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        item = next(source)
        if isinstance(item, BaseException):
            raise item
        return str(item)

    return read_line


def test_interactive_ctrl_c_clears_the_buffer_and_ctrl_d_leaves() -> None:
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,)])])
    shell = shell_for(conn, batch=False)
    prompts: list[str] = []
    history: list[str] = []

    class H:
        def add(self, entry: str) -> None:
            history.append(entry)

    items: list[object] = ["SELECT", KeyboardInterrupt(), "SELECT", "2;", EOFError()]
    assert shell.interactive(reader(items, prompts), H()) == 0
    assert prompts == ["test=> ", "test-> ", "test=> ", "test-> ", "test=> "]
    assert conn.executed == ["SELECT\n2"]
    assert history == ["SELECT\n2;"]


def test_ctrl_c_during_a_statement_returns_to_the_prompt() -> None:
    conn = FakeConnection(rules=[("pg_sleep", None, KeyboardInterrupt())])
    shell = shell_for(conn, batch=False)
    prompts: list[str] = []
    shell.interactive(reader(["SELECT pg_sleep(4);", "\\q"], prompts))
    assert "server may still be running the statement" in err(shell.session)
    assert len(prompts) == 2


def test_ctrl_c_in_batch_mode_propagates() -> None:
    conn = FakeConnection(rules=[("pg_sleep", None, KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt):
        shell_for(conn).run_source("-c", "SELECT pg_sleep(4)")


def test_leaving_rolls_back_an_open_transaction() -> None:
    conn = FakeConnection()
    shell = shell_for(conn, batch=False)
    shell.interactive(reader(["BEGIN;", "\\q"], []))
    assert conn.executed[-1] == "<rollback>"
    assert "Rolling back the open transaction." in err(shell.session)


def test_idle_warning_and_expiry() -> None:
    conn = FakeConnection()
    shell = shell_for(conn, batch=False)
    shell.feed("BEGIN;", 1)
    conn.clock += 160
    shell._warn_idle()
    assert "idle 160 s; the Data API ends it in 20 s" in err(shell.session)
    conn.clock += 30
    shell.feed("SELECT 1;", 2)
    assert "The transaction has expired" in err(shell.session)
    assert not conn.in_transaction
    assert shell.prompt() == "test=> "


def test_expired_transaction_error_resets_state() -> None:
    gone = FakeError("Transaction AQID is not found")
    conn = FakeConnection(rules=[("SELECT", None, gone)])
    shell = shell_for(conn, batch=False)
    shell.feed("BEGIN;", 1)
    shell.feed("SELECT 1;", 2)
    assert "The transaction has expired" in err(shell.session)
    assert shell.prompt() == "test=> "


def test_timing_reports_calls() -> None:
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,)])])
    shell = shell_for(conn)
    shell.run_source("-c", "\\timing on\nSELECT 1;")
    assert "(1 Data API call)" in err(shell.session)


def test_include_runs_the_file_and_quit_stops(tmp_path: Path) -> None:
    script = tmp_path / "s.sql"
    script.write_text("SELECT 1;\n\\q\nSELECT 2;\n", encoding="utf-8")
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,)])])
    shell = shell_for(conn)
    shell.run_source("-c", f"\\i {script}\nSELECT 3;")
    assert conn.executed == ["SELECT 1"]


def test_output_redirect_sends_rows_to_the_file(tmp_path: Path) -> None:
    target = tmp_path / "o.csv"
    conn = FakeConnection(rules=[("SELECT", ["n"], [(1,)])])
    shell = shell_for(conn)
    shell.run_source("-c", f"\\pset format csv\n\\o {target}\nSELECT 1;\n\\o")
    assert target.read_text(encoding="utf-8") == "n\n1\n"
    assert "n\n1" not in out(shell.session)


def test_session_type() -> None:
    assert isinstance(make_session(), Session)


def test_the_idle_alarm_warns_while_waiting_at_the_prompt() -> None:
    import time

    from sigv4_dataapi.shell import execute
    from sigv4_dataapi.shell.idle import IdleAlarm

    conn = FakeConnection()
    shell = shell_for(conn, batch=False)
    shell.feed("BEGIN;", 1)
    conn.clock += execute.WARN_SECONDS - 0.2  # the warning is due in 0.2 s

    def slow_typist(prompt: str) -> str:
        time.sleep(0.6)  # the alarm rings meanwhile (signal handlers run in the main thread)
        return "COMMIT;"

    assert IdleAlarm(shell, None, slow_typist)("p> ") == "COMMIT;"
    assert "WARNING: this transaction has been idle 150 s" in err(shell.session)
    assert out(shell.session).endswith("test[150s]=*> ")  # the prompt is drawn again
