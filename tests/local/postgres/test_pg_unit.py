"""PostgreSQL backend pieces that need no server: placeholders, URLs, the pool."""

from __future__ import annotations

import pytest
from _backends import assert_segments_rewrite
from hypothesis import given, settings
from hypothesis import strategies as st

from sigv4_dataapi._server.backends._placeholders import numbered_postgres
from sigv4_dataapi._server.backends._pool import ConnectionPool
from sigv4_dataapi._server.backends.postgres import rewrite_placeholders


@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT E'\\' :a', :b", "SELECT E'\\' :a', %s", ("b",)),
        ('SELECT "x:a" FROM t WHERE y = :b', 'SELECT "x:a" FROM t WHERE y = %s', ("b",)),
        ("SELECT x::int, :b::text", "SELECT x::int, %s::text", ("b",)),
        ("SELECT /* :a /* :n */ :m */ :b", "SELECT /* :a /* :n */ :m */ %s", ("b",)),
        # F17b: the service's scanner knows no dollar quotes; ``:2`` is a name
        ("SELECT $$ :a $$, :b", "SELECT $$ %s $$, %s", ("a", "b")),
        ("SELECT $f$ :a $$ ':c' $f$, :b", "SELECT $f$ %s $$ ':c' $f$, %s", ("a", "b")),
        ("SELECT a[1:2], a[:n]", "SELECT a[1%s], a[%s]", ("2", "n")),
        ("SELECT a$b, :c", "SELECT a$b, %s", ("c",)),
        ("SELECT :_x1, :é", "SELECT %s, %s", ("_x1", "é")),
        ("SELECT $1", "SELECT $1", ()),
    ],
)
def test_rewrite_placeholders_of_this_dialect(sql: str, text: str, names: tuple[str, ...]) -> None:
    rewritten = rewrite_placeholders(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


def test_numbered_placeholders_are_what_postgresql_is_handed() -> None:
    """F13/F17b: the service's ``$n`` text, used to report PostgreSQL's syntax errors first."""
    sql = "SELECT a[1:2], :b, $$ :c $$, ':d', /* :e */ 1 % 2, x::int"
    assert numbered_postgres(sql) == "SELECT a[1$1], $2, $$ $3 $$, ':d', /* :e */ 1 % 2, x::int"


_WORD = st.text(alphabet="abcxyz019 ,()=+<>", min_size=1, max_size=8)
_INSIDE = st.text(alphabet="ab :x%$-*/\n", max_size=8)  # what literals and comments may hold
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _segment(kind: str, body: str) -> tuple[str, str, list[str]]:
    """(SQL, expected rewrite, expected names) for one lexical element."""
    quoted = {"string": ("'", "'"), "quoted": ('"', '"'), "block": ("/*", "*/"),
              "comment": ("--", "\n")}  # fmt: skip
    if kind == "param":
        return f":{body}", "%s", [body]
    if kind == "word":
        return body, body, []
    if kind == "cast":
        return "x::int", "x::int", []
    if kind == "percent":
        return "%", "%%", []
    opening, closing = quoted[kind]
    forbidden = {"string": "'", "quoted": '"', "block": "*/", "comment": "\n"}
    clean = "".join(c for c in body if c not in forbidden[kind])
    text = f"{opening}{clean}{closing}"
    return text, text.replace("%", "%%"), []


_SEGMENTS = st.lists(
    st.one_of(
        st.tuples(st.just("param"), _NAME),
        st.tuples(st.just("word"), _WORD),
        st.tuples(st.sampled_from(["string", "quoted", "block", "comment"]), _INSIDE),
        st.tuples(st.sampled_from(["cast", "percent"]), st.just("")),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_SEGMENTS)
def test_rewrite_touches_only_placeholders_and_percent(segments: list[tuple[str, str]]) -> None:
    assert_segments_rewrite(rewrite_placeholders, [_segment(k, body) for k, body in segments])


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pool_reuses_resets_caps_and_expires() -> None:
    clock, discarded = FakeClock(), []
    healthy = {"a": True, "b": True, "c": False, "d": True}
    pool: ConnectionPool[str] = ConnectionPool(
        2, reset=lambda c: healthy[c], discard=discarded.append, max_idle=10, clock=clock
    )
    key = ("db", "user")
    assert pool.take(key) is None
    pool.give(key, "a")
    pool.give(key, "c")  # reset fails: closed, not kept
    pool.give(key, "b")
    pool.give(key, "d")  # over the size: closed
    assert discarded == ["c", "d"]
    assert pool.take(("other", "user")) is None
    assert pool.take(key) == "b"  # most recently returned first
    clock.now = 11
    assert pool.take(key) is None  # "a" idled too long
    assert discarded == ["c", "d", "a"]
    pool.give(key, "b")
    pool.close()
    assert discarded[-1] == "b"
    pool.give(key, "a")  # after close nothing is kept
    assert discarded[-1] == "a"
