"""The ``:name`` placeholders of a statement, as the Data API would substitute them.

The service substitutes placeholders with its own, simpler scanner
(``rds-data-api.md`` F17b): it respects single-quoted strings, double-quoted
identifiers and comments, but it also substitutes inside PostgreSQL ``$$..$$``
bodies (``SELECT $$a :b c$$`` returns ``a $1 c``) and reads the ``:2`` of an array
slice ``a[1:2]`` (or the ``:hi`` of ``a[lo:hi]``) as a parameter. It substitutes
every ``:name`` in brackets, which is what ``ARRAY[:a, :b]`` and ``col[:key]``
mean; only a ``:name`` right after a value is a slice bound. :func:`find_parameters`
reports what the service would substitute and flags those two cases;
:func:`parameter_hazards` turns them into messages, so the DB-API can refuse SQL
that would be silently changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sigv4_dataapi._sqltext.lexer import CODE, DOLLAR, Token, tokenize

# One search per code run finds every ``::`` cast, ``:name`` and bracket; a name
# may start with a digit on PostgreSQL (so a[1:2] holds :2), not on MySQL.
_MARKS = {
    "postgresql": re.compile(r"::|:(\w+)|[\[\]]"),
    "mysql": re.compile(r"::|:([^\W\d]\w*)|[\[\]]"),
}
_NAMES = {"postgresql": re.compile(r"\w+"), "mysql": re.compile(r"[^\W\d]\w*")}
# the character before a slice's ``:`` ends a value: a[1:2], a[lo:hi], a[f(x):n], a['k':n]
_VALUE_END = re.compile(r"""[\w)\]'"`$]""")
_WORD_BEFORE = re.compile(r"\w+\Z")
# reserved words that never end a value: ``a[CASE WHEN c THEN :x ELSE :y END]`` holds parameters
_NOT_VALUES = frozenset(
    ("all", "and", "any", "case", "distinct", "else", "from", "ilike", "in", "is", "like", "not",
     "on", "or", "select", "some", "then", "when", "where")
)  # fmt: skip

HazardKind = Literal["dollar_quote_parameter", "array_slice", "hidden_parameter"]


@dataclass(frozen=True)
class Parameter:
    """A ``:name`` placeholder as the Data API would see it.

    ``in_dollar_quote`` and ``in_slice`` mark the two places where the service
    substitutes although the SQL does not mean a placeholder there.
    """

    name: str
    start: int  # offset of the ``:``
    in_dollar_quote: bool = False
    in_slice: bool = False

    @property
    def hazardous(self) -> bool:
        return self.in_dollar_quote or self.in_slice


# what one scan finds of a placeholder: (name, offset of the ":", in a $$ body, slice bound)
_Found = tuple[str, int, bool, bool]


def find_parameters(sql: str, dialect: str) -> list[Parameter]:
    """The ``:name`` placeholders the Data API would substitute, in order.

    ``::type`` casts and ``:=`` are not placeholders; quoted literals, quoted
    identifiers and comments are skipped. On PostgreSQL the text is read as the
    service reads it, knowing no dollar quotes: a ``:name`` in a ``$$`` body is
    substituted (flagged ``in_dollar_quote``), and a quote inside such a body
    starts a string for the service. Inside ``[..]``, a ``:name`` right after a
    value (``a[1:2]``, ``a[lo:hi]``) is a slice bound the service would take for
    a parameter (flagged ``in_slice``); after ``[``, ``,``, ``(``, an operator or
    a reserved word such as ``THEN`` (``ARRAY[:a, :b]``, ``col[:key]``) it is a
    parameter, as meant.
    """
    found = _service_view(sql, dialect, _dollar_bodies(sql, dialect))
    return [Parameter(*f) for f in found]


def _dollar_bodies(sql: str, dialect: str) -> list[tuple[int, int]]:
    if dialect != "postgresql" or "$" not in sql:
        return []
    return [(t.start, t.end) for t in tokenize(sql, dialect) if t.kind == DOLLAR]


def _service_view(sql: str, dialect: str, bodies: list[tuple[int, int]]) -> list[_Found]:
    return _scan(sql, dialect, tokenize(sql, dialect, dollar_quotes=False), bodies)


def _scan(
    sql: str, dialect: str, tokens: list[Token], bodies: list[tuple[int, int]]
) -> list[_Found]:
    """The placeholders in the code runs of ``tokens`` (``[`` depth counted across runs).

    One compiled search per code run jumps from mark to mark; plain tuples keep
    a 2,000-placeholder bulk INSERT cheap.
    """
    marks = _MARKS[dialect]
    found: list[_Found] = []
    brackets = 0
    for token in tokens:
        if token.kind != CODE:
            continue
        for mark in marks.finditer(sql, token.start, token.end):
            name = mark.group(1)
            if name is None:  # "::", "[" or "]"
                kind = mark.group()
                if kind == "[":
                    brackets += 1
                elif kind == "]" and brackets:
                    brackets -= 1
            elif brackets or bodies:
                at = mark.start()
                in_body = any(a <= at < b for a, b in bodies)
                found.append(
                    (name, at, in_body, bool(brackets) and not in_body and _after_value(sql, at))
                )
            else:
                found.append((name, mark.start(), False, False))
    return found


def _after_value(sql: str, colon: int) -> bool:
    """True when the last non-blank character before ``colon`` ends a value."""
    before = colon - 1
    while before >= 0 and sql[before].isspace():
        before -= 1
    if before < 0 or _VALUE_END.match(sql, before) is None:
        return False
    word = _WORD_BEFORE.search(sql, max(0, before - 8), before + 1)
    return word is None or word.group().lower() not in _NOT_VALUES


def placeholder_names(sql: str, dialect: str) -> list[str]:
    """Distinct names of the placeholders the SQL means (hazards excluded), in order."""
    return _names(_service_view(sql, dialect, _dollar_bodies(sql, dialect)))


def _names(found: list[_Found]) -> list[str]:
    return list(dict.fromkeys(name for name, _, body, bound in found if not (body or bound)))


@dataclass(frozen=True)
class Hazard:
    """SQL the Data API would change before running it; ``message`` says how to avoid it."""

    kind: HazardKind
    start: int
    message: str


def parameter_hazards(sql: str, dialect: str) -> list[Hazard]:
    """Places where the service's placeholder scanner would corrupt ``sql``.

    The service substitutes ``:name`` inside ``$$..$$`` (``SELECT $$a :b c$$`` returns
    ``a $1 c``) and reads ``a[1:2]`` as a parameter ``:2`` (rds-data-api.md F17b,
    docs/local-endpoint-fidelity.md); and a quote inside a ``$$`` body can hide a
    real placeholder after it from the service.
    """
    return placeholders_and_hazards(sql, dialect)[1]


def placeholders_and_hazards(sql: str, dialect: str) -> tuple[list[str], list[Hazard]]:
    """:func:`placeholder_names` and :func:`parameter_hazards` from one scan of ``sql``."""
    bodies = _dollar_bodies(sql, dialect)
    found = _service_view(sql, dialect, bodies)
    hazards = [_hazard(sql, *f) for f in found if f[2] or f[3]]
    seen = {start for _, start, _, _ in found}
    for start in _meant(sql, dialect, found, bodies):
        if start not in seen:
            name = _NAMES[dialect].match(sql, start + 1)
            hazards.append(Hazard("hidden_parameter", start, (
                f"{_where(sql, name.group(0) if name else '', start)} is a placeholder the "
                "Data API would not see: a quote in a $$-quoted body before it starts a "
                "string for the service"
            )))  # fmt: skip
    return _names(found), sorted(hazards, key=lambda h: h.start)


def _hazard(sql: str, name: str, start: int, in_body: bool, in_slice: bool) -> Hazard:
    where = _where(sql, name, start)
    if in_body:
        return Hazard("dollar_quote_parameter", start, (
            f"{where} is inside a $$-quoted body, where the Data API would replace it "
            "with a placeholder; write the colon as chr(58), or pass the text as a "
            "parameter"
        ))  # fmt: skip
    return Hazard("array_slice", start, (
        f"{where} is an array slice the Data API would read as a parameter; "
        f"write spaces around the colon ('[1 : {name}]')"
    ))  # fmt: skip


def _meant(sql: str, dialect: str, found: list[_Found], bodies: list[tuple[int, int]]) -> list[int]:
    """Offsets of the ``:name`` the SQL means (its own lexer's code, outside slices).

    Without dollar quotes both lexers agree, so the service's reading is reused.
    """
    mine = _scan(sql, dialect, tokenize(sql, dialect), []) if bodies else found
    return [start for _, start, _, bound in mine if not bound]


def _where(sql: str, name: str, start: int) -> str:
    line = sql.count("\n", 0, start) + 1
    return f"':{name}' at line {line}, offset {start}"


__all__ = [
    "Hazard",
    "HazardKind",
    "Parameter",
    "find_parameters",
    "parameter_hazards",
    "placeholder_names",
    "placeholders_and_hazards",
]
