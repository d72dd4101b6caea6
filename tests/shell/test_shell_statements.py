"""The statement splitter, table-driven, through the shared lexer and the shell's buffer."""

from __future__ import annotations

import pytest

from sigv4_dataapi.shell.prompt import continuation_sign, prompt
from sigv4_dataapi.shell.statements import Buffer

# (dialect, lines typed, statements run, what the continuation prompt shows after, or None)
CASES = [
    ("postgresql", ["SELECT 1;"], ["SELECT 1"], None),
    ("postgresql", ["SELECT 1; SELECT 2;"], ["SELECT 1", "SELECT 2"], None),
    ("postgresql", ["SELECT", "  1", ";"], ["SELECT\n  1"], None),
    ("postgresql", ["SELECT 1"], [], "-"),
    ("postgresql", ["SELECT 'a;b"], [], "'"),
    ("postgresql", ["SELECT 'a;b", "c';"], ["SELECT 'a;b\nc'"], None),
    ("postgresql", ["SELECT 'it''s;';"], ["SELECT 'it''s;'"], None),
    ("postgresql", ["SELECT E'a\\';b"], [], "'"),
    ("postgresql", ["SELECT E'a\\';b';"], ["SELECT E'a\\';b'"], None),
    ("postgresql", ["SELECT $$a;", "b$$;"], ["SELECT $$a;\nb$$"], None),
    ("postgresql", ["SELECT $fn$ $$ ; $fn$;"], ["SELECT $fn$ $$ ; $fn$"], None),
    ("postgresql", ["SELECT $body$;"], [], "$"),
    ("postgresql", ['SELECT 1 AS "a;b";'], ['SELECT 1 AS "a;b"'], None),
    ("postgresql", ['SELECT 1 AS "a;'], [], '"'),
    ("postgresql", ["SELECT 1 -- no; end", ";"], ["SELECT 1 -- no; end"], None),
    (
        "postgresql",
        ["/* a /* nested; */ still; */ SELECT 1;"],
        ["/* a /* nested; */ still; */ SELECT 1"],
        None,
    ),
    ("postgresql", ["/* a /* nested */ still;"], [], "/"),
    ("postgresql", ["SELECT (1,"], [], "("),
    ("postgresql", ["SELECT `x`;"], ["SELECT `x`"], None),
    ("postgresql", ["SELECT 1 # 2;"], ["SELECT 1 # 2"], None),
    ("mysql", ["SELECT `a;b`;"], ["SELECT `a;b`"], None),
    ("mysql", ["SELECT `a;b"], [], "`"),
    ("mysql", ["SELECT 1 # not; here", ";"], ["SELECT 1 # not; here"], None),
    ("mysql", ["SELECT 'a\\';b';"], ["SELECT 'a\\';b'"], None),
    ("mysql", ['SELECT "a;b";'], ['SELECT "a;b"'], None),
    ("mysql", ["/* a /* b */ SELECT 1;"], ["/* a /* b */ SELECT 1"], None),
    ("mysql", ["SELECT $$a;"], ["SELECT $$a"], None),
    ("mysql", ["SELECT 1 --x;"], ["SELECT 1 --x"], None),
    ("mysql", ["SELECT 1 -- x;"], [], "-"),
]


@pytest.mark.parametrize(("dialect", "lines", "expected", "sign"), CASES)
def test_buffer_splits_like_psql(
    dialect: str, lines: list[str], expected: list[str], sign: str | None
) -> None:
    buffer = Buffer(dialect)
    ran = [s.sql for n, line in enumerate(lines, 1) for s in buffer.add(line, n)]
    assert ran == expected
    if sign is None:
        assert buffer.empty
    else:
        assert not buffer.empty
        assert continuation_sign(buffer.state()) == sign


def test_case_count() -> None:
    assert len(CASES) == 29  # a wrong table cannot pass by running nothing


def test_statement_lines_count_from_the_source() -> None:
    buffer = Buffer("postgresql", "a.sql")
    found = []
    for number, line in enumerate(["", "SELECT 1;", "", "SELECT", "2; SELECT 3", ";"], 1):
        found += buffer.add(line, number)
    assert [(s.sql, s.source, s.line) for s in found] == [
        ("SELECT 1", "a.sql", 2), ("SELECT\n2", "a.sql", 4), ("SELECT 3", "a.sql", 5),
    ]  # fmt: skip


def test_flush_returns_the_unterminated_rest() -> None:
    buffer = Buffer("postgresql")
    assert buffer.add("SELECT 1; SELECT 2", 1)[0].sql == "SELECT 1"
    assert [s.sql for s in buffer.flush()] == ["SELECT 2"]
    assert buffer.empty


@pytest.mark.parametrize(
    ("transaction", "state_sign", "idle", "expected"),
    [
        ("", None, None, "test=> "),
        ("*", None, 12.4, "test[12s]=*> "),
        ("!", None, None, "test=!> "),
        ("", "-", None, "test-> "),
        ("*", "'", None, "test'*> "),
    ],
)
def test_prompts(transaction: str, state_sign: str | None, idle: float | None,
                 expected: str) -> None:  # fmt: skip
    state = None
    if state_sign is not None:
        buffer = Buffer("postgresql")
        buffer.add("SELECT 'x" if state_sign == "'" else "SELECT 1", 1)
        state = buffer.state()
    assert prompt("test", transaction, state=state, idle_seconds=idle) == expected
