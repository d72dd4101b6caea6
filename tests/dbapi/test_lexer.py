"""Table tests for the dialect-aware SQL lexer (sigv4_dataapi._sqltext.lexer)."""

from __future__ import annotations

import itertools

import pytest

from sigv4_dataapi._sqltext import (
    find_parameters,
    is_complete,
    parameter_hazards,
    placeholder_names,
    scan,
    split_statements,
    tokenize,
    transaction_control,
)

PG = "postgresql"
MY = "mysql"

SPLITS = [
    (PG, "SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
    (PG, "SELECT 1", ["SELECT 1"]),
    (PG, "SELECT ';'; SELECT 'it''s;'", ["SELECT ';'", "SELECT 'it''s;'"]),
    (PG, "SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", "SELECT 2"]),
    (PG, "SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", "SELECT 2"]),  # standard strings
    (PG, 'SELECT 1 AS ";"; SELECT 2', ['SELECT 1 AS ";"', "SELECT 2"]),
    (PG, "SELECT $$a;b$$; SELECT 2", ["SELECT $$a;b$$", "SELECT 2"]),
    (PG, "SELECT $f$ $$;$$ $f$; x", ["SELECT $f$ $$;$$ $f$", "x"]),
    (PG, "SELECT $1; SELECT a$b$c", ["SELECT $1", "SELECT a$b$c"]),
    (PG, "SELECT 1 /* ; /* ; */ ; */; SELECT 2", ["SELECT 1 /* ; /* ; */ ; */", "SELECT 2"]),
    (PG, "SELECT 1 -- ;\n; SELECT 2", ["SELECT 1 -- ;", "SELECT 2"]),
    (PG, "SELECT 1 # ; 2", ["SELECT 1 #", "2"]),
    (PG, "SELECT `a;b`", ["SELECT `a", "b`"]),
    (PG, ";;  ; -- only a comment\n/* c */;", []),
    (MY, "SELECT 'a\\';b'; SELECT 2", ["SELECT 'a\\';b'", "SELECT 2"]),
    (MY, 'SELECT "a;\\"b"; SELECT 2', ['SELECT "a;\\"b"', "SELECT 2"]),
    (MY, "SELECT `a;``b`; SELECT 2", ["SELECT `a;``b`", "SELECT 2"]),
    (MY, "SELECT 1 # ;\n; SELECT 2", ["SELECT 1 # ;", "SELECT 2"]),
    (MY, "SELECT 1 -- ;\n; SELECT 2", ["SELECT 1 -- ;", "SELECT 2"]),
    (MY, "SELECT 1--1; SELECT 2", ["SELECT 1--1", "SELECT 2"]),  # no space: minus minus
    (MY, "SELECT 1 /* /* ; */ ; */", ["SELECT 1 /* /* ; */", "*/"]),  # not nested
    (MY, "SELECT $$a;b$$", ["SELECT $$a", "b$$"]),
]


@pytest.mark.parametrize(("dialect", "text", "expected"), SPLITS)
def test_split_statements(dialect: str, text: str, expected: list[str]) -> None:
    assert [s.text for s in split_statements(text, dialect)] == expected


def test_statement_offsets_lines_and_termination() -> None:
    text = "SELECT 1;\n\n  -- c\n  SELECT\n 2;\nSELECT 3"
    statements = split_statements(text, PG)
    assert [(s.line, s.terminated) for s in statements] == [(1, True), (3, True), (6, False)]
    for statement in statements:
        assert text[statement.start : statement.start + len(statement.text)] == statement.text
    assert statements[1].text == "-- c\n  SELECT\n 2"


SCANS = [
    (PG, "", "", False),
    (PG, "SELECT 1;", "", False),
    (PG, "SELECT 1", "", True),
    (PG, "SELECT 'abc", "'", True),
    (PG, "SELECT E'a\\'", "E'", True),
    (PG, 'SELECT "x', '"', True),
    (PG, "SELECT $fn$ body", "$fn$", True),
    (PG, "SELECT 1; /* a /* b */", "/*", False),
    (PG, "SELECT 1; -- trailing", "", False),
    (PG, "SELECT (1,\n (2", "", True),
    (MY, "SELECT 'a\\'", "'", True),
    (MY, "SELECT `x", "`", True),
    (MY, 'SELECT "x', '"', True),
    (MY, "SELECT 1; /* a /* b */", "", False),
    (MY, "SELECT 1; # comment", "", False),
]


@pytest.mark.parametrize(("dialect", "text", "open_", "pending"), SCANS)
def test_scan_state(dialect: str, text: str, open_: str, pending: bool) -> None:
    state = scan(text, dialect)
    assert (state.open, state.pending) == (open_, pending)
    assert is_complete(text, dialect) is (not open_ and not pending)


def test_paren_depth() -> None:
    assert scan("SELECT f(1, (2", PG).paren_depth == 2
    assert scan("SELECT f(1, (2)); SELECT (", PG).paren_depth == 1
    assert scan("SELECT '(' ", PG).paren_depth == 0


PARAMS = [
    (PG, "SELECT :a, :b_2, :a", [("a", False, False), ("b_2", False, False), ("a", False, False)]),
    (PG, "SELECT x::int, :v::text", [("v", False, False)]),
    (PG, "SELECT ':no', \":no\", /* :no */ 1 -- :no", []),
    (PG, "SELECT E'\\':no', :yes", [("yes", False, False)]),
    (PG, "SELECT $$a :b c$$", [("b", True, False)]),
    (PG, "SELECT $t$ :b $t$, :c", [("b", True, False), ("c", False, False)]),
    (PG, "SELECT a[1:2], a[:lo]", [("2", False, True), ("lo", False, False)]),
    (PG, "SELECT a[1 : 2]", []),
    (PG, "DO $$ BEGIN x := 1; END $$", []),
    (
        MY,
        "SELECT :a, ':no', \":no\", `:no`, # :no\n :b",
        [("a", False, False), ("b", False, False)],
    ),
    (MY, "SELECT 'it\\'s :no', :yes", [("yes", False, False)]),
    (MY, "SELECT $$ :x $$", [("x", False, False)]),  # no dollar quotes in MySQL
    (MY, "SELECT a[1:2], :b", [("b", False, False)]),  # MySQL names start with a letter
    (PG, "SELECT $$it's :b$$", []),  # the service's scanner: the quote starts a string
    (PG, "SELECT $$a$$ || :b", [("b", False, False)]),
    (PG, "SELECT $$it's$$, :x", []),  # ... which hides a real placeholder after it
]


# In brackets, a ``:name`` right after a value (word, ``)``, ``]``, quote) is a slice
# bound the service would substitute; after ``[``, ``,``, ``(`` or an operator it is a
# parameter, as the SQL means (SQLAlchemy's ARRAY[:p1, :p2], col[:idx], col[:key]).
SLICES = [
    ("SELECT a[lo:hi]", [("hi", False, True)]),
    ("SELECT a[lo :hi]", [("hi", False, True)]),
    ("SELECT a[f(x):n]", [("n", False, True)]),
    ("SELECT a[b[1]:n]", [("n", False, True)]),
    ("SELECT a['k':n]", [("n", False, True)]),
    ('SELECT a["k":n]', [("n", False, True)]),
    ("SELECT a[\n  1\n  :n]", [("n", False, True)]),
    ("SELECT ARRAY[:p1, :p2]", [("p1", False, False), ("p2", False, False)]),
    ("SELECT x = ANY(ARRAY[:p])", [("p", False, False)]),
    ("SELECT x = ANY (ARRAY[ :p1 ,:p2])", [("p1", False, False), ("p2", False, False)]),
    ("SELECT col[:idx], col[:key]::text", [("idx", False, False), ("key", False, False)]),
    ("SELECT a[:i + 1], a[1 + :i], a[-:i]", [("i", False, False)] * 3),
    (
        "SELECT a[(:i)], a[ARRAY[:j][1]:k]",
        [("i", False, False), ("j", False, False), ("k", False, True)],
    ),
    (
        "SELECT a[CASE WHEN :c THEN :x ELSE:y END], a[x AND:b]",
        [("c", False, False), ("x", False, False), ("y", False, False), ("b", False, False)],
    ),
    ("SELECT a[CASE WHEN c THEN 1 END:n], a[xthen:n]", [("n", False, True)] * 2),
    ("SELECT a[1] :b", [("b", False, False)]),  # outside the brackets: a parameter
    ("SELECT $$ a[1:b] $$", [("b", True, False)]),  # in a $$ body: that hazard only
]


@pytest.mark.parametrize(("sql", "expected"), SLICES)
def test_slice_bounds_follow_a_value(sql: str, expected: list[tuple[str, bool, bool]]) -> None:
    found = [(p.name, p.in_dollar_quote, p.in_slice) for p in find_parameters(sql, PG)]
    assert found == expected
    meant = placeholder_names(sql, PG)
    assert meant == list(dict.fromkeys(n for n, body, bound in expected if not body | bound))


def test_placeholders_in_array_constructors_are_not_hazards() -> None:
    sql = "SELECT 1 FROM pg_class WHERE relname = ANY (ARRAY[:n1, :n2]) AND a[:i] = :v"
    assert parameter_hazards(sql, PG) == []
    assert placeholder_names(sql, PG) == ["n1", "n2", "i", "v"]
    assert [h.kind for h in parameter_hazards("SELECT a[lo:hi]", PG)] == ["array_slice"]


@pytest.mark.parametrize(("dialect", "sql", "expected"), PARAMS)
def test_find_parameters(dialect: str, sql: str, expected: list[tuple[str, bool, bool]]) -> None:
    found = [(p.name, p.in_dollar_quote, p.in_slice) for p in find_parameters(sql, dialect)]
    assert found == expected
    for parameter in find_parameters(sql, dialect):
        assert (
            sql[parameter.start : parameter.start + 1 + len(parameter.name)] == ":" + parameter.name
        )


def test_a_quote_in_a_dollar_body_hides_later_placeholders() -> None:
    hazards = parameter_hazards("SELECT $$it's$$, :x", PG)
    assert [h.kind for h in hazards] == ["hidden_parameter"]
    assert "':x'" in hazards[0].message and "would not see" in hazards[0].message


def test_placeholder_names_are_distinct_and_skip_hazards() -> None:
    assert placeholder_names("SELECT :a, :b, :a, $$:c$$, x[1:d]", PG) == ["a", "b"]


def test_hazards_name_the_fix() -> None:
    hazards = parameter_hazards("SELECT $$a :b c$$,\n arr[1:2]", PG)
    assert [h.kind for h in hazards] == ["dollar_quote_parameter", "array_slice"]
    assert "':b' at line 1" in hazards[0].message
    assert "'[1 : 2]'" in hazards[1].message and "line 2" in hazards[1].message
    assert parameter_hazards("SELECT :a, x::int, 'a[1:2]'", PG) == []


TX = [
    ("BEGIN", "begin", ""),
    ("begin work;", "begin", ""),
    ("  BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY ", "begin",
     "ISOLATION LEVEL SERIALIZABLE, READ ONLY"),
    ("START TRANSACTION", "begin", ""),
    ("start transaction read only", "begin", "read only"),
    ("/* x */ COMMIT", "commit", ""),
    ("COMMIT WORK", "commit", ""),
    ("END", "commit", ""),
    ("end transaction;", "commit", ""),
    ("ROLLBACK", "rollback", ""),
    ("ABORT", "rollback", ""),
    ("rollback work -- bye", "rollback", ""),
    ("COMMIT AND NO CHAIN", "commit", ""),
]  # fmt: skip
NOT_TX = [
    "ROLLBACK TO SAVEPOINT s",
    "ROLLBACK TO s",
    "ROLLBACK WORK TO s",
    "SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "COMMIT PREPARED 'x'",
    "COMMIT AND CHAIN",
    "BEGIN; SELECT 1",
    "START",
    "BEGINNING",
    "SELECT 'BEGIN'",
    "DO $$ BEGIN END $$",
    "BEGIN ISOLATION LEVEL 'x'",
    "",
]


@pytest.mark.parametrize(("sql", "kind", "modes"), TX)
@pytest.mark.parametrize("dialect", [PG, MY])
def test_transaction_control(dialect: str, sql: str, kind: str, modes: str) -> None:
    if dialect == MY and sql.lower().lstrip().startswith("begin") and modes:
        assert transaction_control(sql, dialect) is None
        return
    control = transaction_control(sql, dialect)
    assert control is not None
    assert (control.kind, control.modes) == (kind, modes)


@pytest.mark.parametrize("sql", NOT_TX)
@pytest.mark.parametrize("dialect", [PG, MY])
def test_not_transaction_control(dialect: str, sql: str) -> None:
    assert transaction_control(sql, dialect) is None


def test_mariadb_compound_begin_is_not_a_transaction() -> None:
    assert transaction_control("BEGIN NOT ATOMIC SELECT 1; END", MY) is None
    assert transaction_control("BEGIN NOT ATOMIC", MY) is None


def test_tokens_cover_the_text_exactly() -> None:
    text = "SELECT 'a', \"b\", $q$c$q$ /* d */ -- e\n; f"
    tokens = tokenize(text, PG)
    assert tokens[0].start == 0 and tokens[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(tokens))
    assert "".join(text[t.start : t.end] for t in tokens) == text


def test_unknown_dialect_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        split_statements("x", "oracle")


def test_statement_reading_is_cached_and_frozen() -> None:
    """The DB-API reads each distinct SQL text once (an ORM sends the same text again)."""
    import dataclasses

    from sigv4_dataapi.dbapi import _statement

    rows = ", ".join(f"(:a_{i}, :b_{i})" for i in range(1000))
    sql = f"INSERT INTO t (a, b) VALUES {rows}"  # long: ~20,000 characters, cached too
    first = _statement.read(sql, None)
    assert first.names[:3] == ("a_0", "b_0", "a_1") and len(first.names) == 2000
    assert _statement.read("".join(sql), None) is first
    assert isinstance(first.names, tuple) and isinstance(first.hazards, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.names = ()  # type: ignore[misc]
    assert _statement.read("SELECT a[lo:hi]", "postgresql").hazards
