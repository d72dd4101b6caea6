"""MariaDB/MySQL backend pieces that need no server: placeholders, URLs, imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from _backends import assert_segments_rewrite
from hypothesis import given, settings
from hypothesis import strategies as st

from sigv4_dataapi._server import backends
from sigv4_dataapi._server.backends._mysql_types import trim_fraction
from sigv4_dataapi._server.backends.mysql import rewrite_placeholders


@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT 'it\\'s :a', :b", "SELECT 'it\\'s :a', %s", ("b",)),
        ('SELECT "x :a \\" :c", :b', 'SELECT "x :a \\" :c", %s', ("b",)),
        ("SELECT `x:a`, :b", "SELECT `x:a`, %s", ("b",)),
        ("SELECT 1 # :a\n, :b", "SELECT 1 # :a\n, %s", ("b",)),
        ("SELECT 1 --:b", "SELECT 1 --%s", ("b",)),  # '--' without a space is minus minus
        ("SELECT /* :a */ :b", "SELECT /* :a */ %s", ("b",)),
        ("SELECT @v := 1, :b", "SELECT @v := 1, %s", ("b",)),
    ],
)
def test_rewrite_placeholders_of_this_dialect(sql: str, text: str, names: tuple[str, ...]) -> None:
    rewritten = rewrite_placeholders(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


_WORD = st.text(alphabet="abcxyz019 ,()=+<>@", min_size=1, max_size=8)
_INSIDE = st.text(alphabet="ab :x%-#*/\n", max_size=8)  # what literals and comments may hold
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)
_DELIMITERS = {"string": ("'", "'"), "dstring": ('"', '"'), "backtick": ("`", "`"),
               "block": ("/*", "*/"), "hash": ("#", "\n"), "dashes": ("-- ", "\n")}  # fmt: skip
_FORBIDDEN = {"string": "'", "dstring": '"', "backtick": "`", "block": "*/", "hash": "\n",
              "dashes": "\n"}  # fmt: skip


def _segment(kind: str, body: str) -> tuple[str, str, list[str]]:
    """(SQL, expected rewrite, expected names) for one lexical element."""
    if kind == "param":
        return f":{body}", "%s", [body]
    if kind == "word":
        return body, body, []
    if kind == "percent":
        return "%", "%%", []
    opening, closing = _DELIMITERS[kind]
    text = opening + "".join(c for c in body if c not in _FORBIDDEN[kind]) + closing
    return text, text.replace("%", "%%"), []


_SEGMENTS = st.lists(
    st.one_of(
        st.tuples(st.just("param"), _NAME),
        st.tuples(st.just("word"), _WORD),
        st.tuples(st.sampled_from(sorted(_DELIMITERS)), _INSIDE),
        st.tuples(st.just("percent"), st.just("")),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_SEGMENTS)
def test_rewrite_touches_only_placeholders_and_percent(segments: list[tuple[str, str]]) -> None:
    assert_segments_rewrite(rewrite_placeholders, [_segment(k, body) for k, body in segments])


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        ("2024-01-02 03:04:05.120000", "2024-01-02 03:04:05.12"),
        ("2024-01-02 03:04:05.000000", "2024-01-02 03:04:05"),
        ("2024-01-02 03:04:05", "2024-01-02 03:04:05"),
        ("10:00:00", "10:00:00"),
        ("-838:59:59.000", "-838:59:59"),
    ],
)
def test_trim_fraction(text: str, trimmed: str) -> None:
    assert trim_fraction(text) == trimmed


_PACKAGE = "sigv4_dataapi._server.backends"


def _backend_imports(module: str) -> set[str]:
    """The backend modules ``module`` needs, itself included, read from the source with ast."""
    folder = Path(backends.__file__).parent
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or not (folder / f"{name}.py").is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == _PACKAGE:
                todo.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_PACKAGE):
                todo.append((node.module or "").rsplit(".", 1)[1])
    return seen


@pytest.mark.parametrize(
    ("engine", "foreign"), [("mysql", ("postgres", "_pg_")), ("postgres", ("mysql", "_mysql_"))]
)
def test_engines_share_modules_but_never_import_each_other(
    engine: str, foreign: tuple[str, ...]
) -> None:
    needed = _backend_imports(engine)
    assert {"_pool", "_placeholders", "_session", "base"} <= needed
    assert not [name for name in needed if name.startswith(foreign)]
