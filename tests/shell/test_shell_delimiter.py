"""The mysql client's ``DELIMITER``: splitting with a custom terminator, and the loop's command."""

from __future__ import annotations

import pytest
from _fakes import FakeConnection, err, make_session  # type: ignore[import-not-found]

from sigv4_dataapi.shell.loop import Shell
from sigv4_dataapi.shell.prompt import continuation_sign
from sigv4_dataapi.shell.statements import Buffer, delimiter_command, find_delimiters

BODY = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"
MULTI = "CREATE PROCEDURE p()\nBEGIN\nSELECT 1;\nEND"

# (delimiter, lines typed, statements run, continuation sign after, or None when empty)
CASES = [
    ("//", [BODY + "//"], [BODY], None),
    ("//", ["SELECT 1;"], [], "-"),
    ("//", ["SELECT 1; SELECT 2;", "//"], ["SELECT 1; SELECT 2;"], None),
    ("//", ["SELECT 1 // SELECT 2 //"], ["SELECT 1", "SELECT 2"], None),
    ("//", ["SELECT 1 // SELECT 2"], ["SELECT 1"], "-"),
    ("//", ["SELECT '//';//"], ["SELECT '//';"], None),
    ("//", ['SELECT "a//b"//'], ['SELECT "a//b"'], None),
    ("//", ["SELECT `a//b`//"], ["SELECT `a//b`"], None),
    ("//", ["SELECT 1 # no // here", "//"], ["SELECT 1 # no // here"], None),
    ("//", ["SELECT 1 -- no // here", "//"], ["SELECT 1 -- no // here"], None),
    ("//", ["SELECT 1 /* no // here */ //"], ["SELECT 1 /* no // here */"], None),
    ("//", ["SELECT 'a//", "b//'//"], ["SELECT 'a//\nb//'"], None),
    ("//", ["SELECT 'a//"], [], "'"),
    ("//", ["SELECT `a//"], [], "`"),
    ("//", ["/* a // b"], [], "/"),
    ("//", ["CREATE PROCEDURE p()", "BEGIN", "SELECT 1;", "END//"], [MULTI], None),
    ("//", ["//", "-- only a comment //", "//"], [], None),
    ("$$", ["SELECT 1; SELECT 2$$"], ["SELECT 1; SELECT 2"], None),
    ("$$", ["SELECT '$$'$$"], ["SELECT '$$'"], None),
    (";;", ["SELECT 1; SELECT 2;;"], ["SELECT 1; SELECT 2"], None),
    (";;", ["SELECT ';;';;"], ["SELECT ';;'"], None),
    ("END", ["SELECT 'END' END"], ["SELECT 'END'"], None),
]


@pytest.mark.parametrize(("delimiter", "lines", "expected", "sign"), CASES)
def test_buffer_splits_at_a_custom_delimiter(
    delimiter: str, lines: list[str], expected: list[str], sign: str | None
) -> None:
    buffer = Buffer("mysql", delimiter=delimiter)
    ran = [s.sql for n, line in enumerate(lines, 1) for s in buffer.add(line, n)]
    assert ran == expected
    if sign is None:
        assert buffer.empty
    else:
        assert not buffer.empty
        assert continuation_sign(buffer.state()) == sign


def test_case_count() -> None:
    assert len(CASES) == 22  # a wrong table cannot pass by running nothing


def test_lines_and_flush_under_a_custom_delimiter() -> None:
    buffer = Buffer("mysql", "p.sql", "//")
    found = buffer.add("", 1) + buffer.add("SELECT 1; //", 2) + buffer.add("", 3)
    found += buffer.add("SELECT", 4) + buffer.add("2 // SELECT 3", 5)
    assert [(s.sql, s.line) for s in found] == [("SELECT 1;", 2), ("SELECT\n2", 4)]
    assert [(s.sql, s.line) for s in buffer.flush()] == [("SELECT 3", 5)]
    assert buffer.empty


def test_find_delimiters_sees_only_code() -> None:
    text = "a;; ';;' `;;` # ;;\n b;;"
    assert [text[s:e] for s, e in find_delimiters(text, "mysql", ";;")] == [";;", ";;"]
    assert find_delimiters(text, "mysql", ";;")[1][0] == text.rindex(";;")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("DELIMITER //", "//"),
        ("  delimiter $$  ", "$$"),
        ("Delimiter ;", ";"),
        ("DELIMITER", ""),
        ("DELIMITER // trailing", "//"),
        ("delimiters //", None),
        ("SELECT 1 DELIMITER //", None),
    ],
)
def test_delimiter_command(line: str, expected: str | None) -> None:
    assert delimiter_command(line) == expected


def mysql_shell(conn: FakeConnection, *, batch: bool = True) -> Shell:
    return Shell(make_session(conn), status_for=lambda exc: 2, batch=batch)


def test_delimiter_then_restore_in_batch() -> None:
    conn = FakeConnection("mysql")
    shell = mysql_shell(conn)
    script = f"DELIMITER //\n{BODY}//\nCALL p()//\ndelimiter ;\nSELECT 3; SELECT 4;\n"
    assert shell.run_source("p.sql", script)
    assert conn.executed == [BODY, "CALL p()", "SELECT 3", "SELECT 4"]
    assert shell.buffer.delimiter == ";" and shell.status == 0


def test_delimiter_only_at_an_empty_buffer() -> None:
    conn = FakeConnection("mysql")
    shell = mysql_shell(conn)
    assert shell.run_source("-c", "SELECT 1\nDELIMITER //\n;")
    assert conn.executed == ["SELECT 1\nDELIMITER //"]  # sent as text: the server judges it


def test_delimiter_outlives_the_source_that_set_it() -> None:
    conn = FakeConnection("mysql")
    shell = mysql_shell(conn)
    assert shell.run_source("-c", "DELIMITER $$")
    assert shell.run_source("-f", "SELECT 1; SELECT 2$$")
    assert conn.executed == ["SELECT 1; SELECT 2"]


def test_interactive_prompt_continues_until_the_delimiter() -> None:
    conn = FakeConnection("mysql")
    shell = mysql_shell(conn, batch=False)
    prompts: list[str] = []
    items = iter(["DELIMITER //", "CREATE PROCEDURE p() BEGIN", "SELECT 1;", "END //"])

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        return next(items)

    for number in range(1, 5):
        shell.feed(read_line(shell.prompt()), number)
    assert prompts == ["test=> ", "test=> ", "test-> ", "test-> "]
    assert conn.executed == ["CREATE PROCEDURE p() BEGIN\nSELECT 1;\nEND"]
    assert shell.buffer.empty


@pytest.mark.parametrize(
    ("dialect", "line", "message"),
    [
        ("postgresql", "DELIMITER //", "p.sql:1: DELIMITER is a MySQL client command\n"),
        ("mysql", "DELIMITER", "p.sql:1: DELIMITER needs a string without a backslash, "
                               "e.g. DELIMITER //\n"),
        ("mysql", "DELIMITER a\\b", "p.sql:1: DELIMITER needs a string without a backslash, "
                                   "e.g. DELIMITER //\n"),
    ],
)  # fmt: skip
def test_refused_delimiters_are_one_line_and_never_sent(
    dialect: str, line: str, message: str
) -> None:
    conn = FakeConnection(dialect)
    shell = mysql_shell(conn)
    assert not shell.run_source("p.sql", f"{line}\nSELECT 1;\n")
    assert err(shell.session) == message
    assert conn.executed == [] and shell.status == 2 and shell.buffer.delimiter == ";"
