"""PostgreSQL backend pieces that need no server: placeholders, URLs, the pool."""

from __future__ import annotations

import sys

import pytest
from _pg import PG_URL
from hypothesis import given, settings
from hypothesis import strategies as st

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi.local.backends._pool import ConnectionPool
from sigv4_dataapi.local.backends.postgres import (
    PostgresBackend,
    rewrite_placeholders,
)


@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT :a, :b", "SELECT %s, %s", ("a", "b")),
        ("SELECT :a + :a", "SELECT %s + %s", ("a", "a")),
        ("SELECT ':a', :b", "SELECT ':a', %s", ("b",)),
        ("SELECT 'it''s :a', :b", "SELECT 'it''s :a', %s", ("b",)),
        ("SELECT E'\\' :a', :b", "SELECT E'\\' :a', %s", ("b",)),
        ('SELECT "x:a" FROM t WHERE y = :b', 'SELECT "x:a" FROM t WHERE y = %s', ("b",)),
        ("SELECT x::int, :b::text", "SELECT x::int, %s::text", ("b",)),
        ("SELECT 1 -- :a\n, :b", "SELECT 1 -- :a\n, %s", ("b",)),
        ("SELECT /* :a /* :n */ :m */ :b", "SELECT /* :a /* :n */ :m */ %s", ("b",)),
        ("SELECT $$ :a $$, :b", "SELECT $$ :a $$, %s", ("b",)),
        ("SELECT $f$ :a $$ :c $f$, :b", "SELECT $f$ :a $$ :c $f$, %s", ("b",)),
        ("SELECT a$b, :c", "SELECT a$b, %s", ("c",)),
        ("SELECT 5 % 2, :b, '%'", "SELECT 5 %% 2, %s, '%%'", ("b",)),
        ("SELECT ':unterminated", "SELECT ':unterminated", ()),
        ("SELECT :_x1, :é", "SELECT %s, %s", ("_x1", "é")),
        ("SELECT $1", "SELECT $1", ()),
    ],
)
def test_rewrite_placeholders(sql: str, text: str, names: tuple[str, ...]) -> None:
    rewritten = rewrite_placeholders(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


_WORD = st.text(alphabet="abcxyz019 ,()=+<>", min_size=1, max_size=8)
_INSIDE = st.text(alphabet="ab :x%$-*/\n", max_size=8)  # what literals and comments may hold
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _segment(kind: str, body: str) -> tuple[str, str, list[str]]:
    """(SQL, expected rewrite, expected names) for one lexical element."""
    quoted = {"string": ("'", "'"), "quoted": ('"', '"'), "dollar": ("$q$", "$q$"),
              "block": ("/*", "*/"), "comment": ("--", "\n")}  # fmt: skip
    if kind == "param":
        return f":{body}", "%s", [body]
    if kind == "word":
        return body, body, []
    if kind == "cast":
        return "x::int", "x::int", []
    if kind == "percent":
        return "%", "%%", []
    opening, closing = quoted[kind]
    forbidden = {"string": "'", "quoted": '"', "dollar": "$", "block": "*/", "comment": "\n"}
    clean = "".join(c for c in body if c not in forbidden[kind])
    text = f"{opening}{clean}{closing}"
    return text, text.replace("%", "%%"), []


_SEGMENTS = st.lists(
    st.one_of(
        st.tuples(st.just("param"), _NAME),
        st.tuples(st.just("word"), _WORD),
        st.tuples(st.sampled_from(["string", "quoted", "dollar", "block", "comment"]), _INSIDE),
        st.tuples(st.sampled_from(["cast", "percent"]), st.just("")),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_SEGMENTS)
def test_rewrite_touches_only_placeholders_and_percent(segments: list[tuple[str, str]]) -> None:
    parts = [_segment(kind, body) for kind, body in segments]
    sql = " ".join(p[0] for p in parts)
    rewritten = rewrite_placeholders(sql)
    assert rewritten.text == " ".join(p[1] for p in parts)
    assert list(rewritten.names) == [name for p in parts for name in p[2]]


def test_repr_hides_the_password() -> None:
    backend = PostgresBackend("postgresql://u:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret" not in repr(backend)
    backend.close()


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresBackend("mysql://root@127.0.0.1/test")


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependencyError, match=r"sigv4-dataapi\[postgres\]"):
        PostgresBackend(PG_URL)


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
