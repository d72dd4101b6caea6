"""History, completion, pager and error rendering, each on its own."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from _fakes import FakeError  # type: ignore[import-not-found]

from sigv4_dataapi.shell import errors
from sigv4_dataapi.shell.completion import Completer
from sigv4_dataapi.shell.history import History, history_path
from sigv4_dataapi.shell.pager import PagedOutput, PagerClosed, pager_command


def test_history_path_is_xdg_state() -> None:
    assert history_path({"XDG_STATE_HOME": "/s", "HOME": "/h"}) == Path(
        "/s/sigv4-dataapi/shell_history"
    )
    assert history_path({"HOME": "/h"}) == Path("/h/.local/state/sigv4-dataapi/shell_history")
    assert history_path({"XDG_STATE_HOME": "rel", "HOME": "/h"}).parts[:3] == ("/", "h", ".local")


def test_history_drops_duplicates_caps_and_keeps_multiline(tmp_path: Path) -> None:
    path = tmp_path / "state" / "h"
    history = History(path, size=3)
    for entry in ("SELECT 1;", "SELECT\n2;", "SELECT 1;", "a;", "b;", "  ", "b;"):
        history.add(entry)
    assert history.entries == ["SELECT 1;", "a;", "b;"]
    history.add("SELECT\n2;")
    history.save()
    assert path.stat().st_mode & 0o777 == 0o600
    assert [json.loads(x) for x in path.read_text().splitlines()] == ["a;", "b;", "SELECT\n2;"]
    again = History(path, size=3)
    again.load()
    assert again.entries == ["a;", "b;", "SELECT\n2;"]


def test_history_feeds_readline() -> None:
    class FakeReadline:
        def __init__(self) -> None:
            self.items: list[str] = []

        def clear_history(self) -> None:
            self.items = []

        def add_history(self, item: str) -> None:
            self.items.append(item)

    readline = FakeReadline()
    history = History(Path("/nonexistent/h"), readline=readline)
    history.load()
    history.add("x;")
    history.add("y;")
    history.add("x;")
    assert readline.items == ["y;", "x;"]


def test_completion_keywords_meta_and_lazy_names() -> None:
    loads: list[int] = []

    def load() -> list[tuple[str, str | None]]:
        loads.append(1)
        return [("orders", "order_id"), ("orders", "total"), ("views_x", None)]

    completer = Completer(["\\d", "\\dt", "\\q"], load)
    assert completer.candidates("\\d", "\\d") == ["\\d", "\\dt"]
    assert loads == []  # meta-commands need no catalog query
    assert completer.candidates("SELECT * FROM ord", "ord") == ["order_id", "orders", "order"]
    assert completer.candidates("sel", "sel") == ["select"]
    assert completer.candidates("SELECT tot", "tot") == ["total"]
    assert loads == [1]  # fetched once
    completer.refresh()
    completer.candidates("x", "x")
    assert loads == [1, 1]
    hook = completer.readline_hook(lambda: "SELECT * FROM ord")
    assert [hook("ord", i) for i in range(4)] == ["order_id", "orders", "order", None]


class FakePager:
    def __init__(self, command: list[str], **kw: Any) -> None:
        self.command = command
        self.stdin = io.StringIO()
        self.waited = False

    def wait(self) -> int:
        self.waited = True
        return 0


def test_pager_only_when_taller_than_the_screen() -> None:
    started: list[FakePager] = []

    def popen(command: list[str], **kw: Any) -> FakePager:
        started.append(FakePager(command, **kw))
        return started[-1]

    screen = io.StringIO()
    short = PagedOutput(screen, height=5, command=["less"], popen=popen)
    short.write("a\nb\nc\n")
    short.close()
    assert screen.getvalue() == "a\nb\nc\n" and not started

    tall = PagedOutput(screen, height=5, command=["less", "-S"], popen=popen)
    for i in range(10):
        tall.write(f"{i}\n")
    assert len(started) == 1 and started[0].command == ["less", "-S"]
    stdin = started[0].stdin
    tall.close()
    assert started[0].waited and stdin.closed


def test_pager_closed_early_stops_the_result() -> None:
    class Gone(FakePager):
        def __init__(self, command: list[str], **kw: Any) -> None:
            super().__init__(command)
            self.stdin.close()

    paged = PagedOutput(io.StringIO(), height=2, command=["less"], popen=Gone)
    with pytest.raises(PagerClosed):
        for i in range(10):
            paged.write(f"{i}\n")


def test_missing_pager_writes_straight_through() -> None:
    def popen(command: list[str], **kw: Any) -> Any:
        raise FileNotFoundError(command[0])

    screen = io.StringIO()
    paged = PagedOutput(screen, height=2, command=["nope"], popen=popen)
    for i in range(5):
        paged.write(f"{i}\n")
    paged.close()
    assert screen.getvalue() == "0\n1\n2\n3\n4\n"


def test_pager_command() -> None:
    assert pager_command({}) == ["less", "-SFRX"]
    assert pager_command({"PAGER": "more -d"}) == ["more", "-d"]
    assert pager_command({"PAGER": ""}) is None


def test_error_lines_postgresql_and_mysql() -> None:
    pg = FakeError("syntax error at or near \"FORM\"", sqlstate="42601", position=10,
                   hint="check it", detail=None)  # fmt: skip
    assert errors.error_lines(pg) == [
        'ERROR: syntax error at or near "FORM"', "HINT: check it", "POSITION: 10",
        "SQLSTATE: 42601",
    ]  # fmt: skip
    my = FakeError("Table 'test.x' doesn't exist", errno=1146, sqlstate="42S02")
    assert errors.error_lines(my, where="f.sql:3: ")[-1] == "errno: 1146"
    assert errors.error_lines(my, where="f.sql:3: ")[0].startswith("f.sql:3: ERROR: Table")


@pytest.mark.parametrize(
    ("message", "advice"),
    [
        ("The result exceeds the size limit 1 MB.", errors.RESULT_TOO_LARGE),
        ("Database returned more than the allowed response size limit", errors.RESULT_TOO_LARGE),
        ("Packet for query is too large (70,000 > 65,536).", errors.ROW_TOO_LARGE),
        ('The result contains the unsupported data type "char".', errors.UNSUPPORTED_TYPE),
        ("The JSON result exceeds the size limit 10 MB.", errors.JSON_TOO_LARGE),
        ("relation does not exist", None),
    ],
)
def test_limit_errors_get_advice(message: str, advice: str | None) -> None:
    assert errors.advice_for(FakeError(message)) == advice


def test_result_too_large_class_gets_advice() -> None:
    class ResultTooLargeError(Exception):
        pass

    assert errors.advice_for(ResultTooLargeError("x")) == errors.RESULT_TOO_LARGE


def test_service_wrapping_is_dropped_once_the_fields_are_split() -> None:
    raw = (
        'DatabaseErrorException (400): ERROR: relation "x" does not exist; Position: 15; '
        "SQLState: 42P01 [request id 7cbd47aa]"
    )
    assert errors.error_lines(FakeError(raw, sqlstate="42P01", position=15)) == [
        'ERROR: relation "x" does not exist', "POSITION: 15", "SQLSTATE: 42P01",
    ]  # fmt: skip
    mysql = "DatabaseErrorException (400): Table 'test.x' doesn't exist; Error code: 1146; " \
        "SQLState: 42S02 [request id 1]"  # fmt: skip
    assert errors.message_of(FakeError(mysql, errno=1146)) == "Table 'test.x' doesn't exist"
    # without the fields, nothing is lost: the tail stays in the message
    assert "SQLState: 42P01" in errors.message_of(FakeError(raw))


def test_a_position_outside_the_statement_is_left_out() -> None:
    exc = FakeError("relation does not exist", sqlstate="42P01", position=149)
    assert "POSITION: 149" not in errors.error_lines(exc, sql="SELECT * FROM nope")
    inside = FakeError("relation does not exist", sqlstate="42P01", position=15)
    assert "POSITION: 15" in errors.error_lines(inside, sql="SELECT * FROM nope")
