"""The ``:name`` placeholders of a statement, as the Data API would substitute them.

The service substitutes placeholders with its own, simpler scanner
(``rds-data-api.md`` F17b): it respects single-quoted strings, double-quoted
identifiers and comments, but it also substitutes inside PostgreSQL ``$$..$$``
bodies (``SELECT $$a :b c$$`` returns ``a $1 c``) and reads the ``:2`` of an array
slice ``a[1:2]`` as a parameter. :func:`find_parameters` reports what the service
would substitute and flags those two cases; :func:`parameter_hazards` turns them
into messages, so the DB-API can refuse SQL that would be silently changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sigv4_dataapi._sqltext.lexer import CODE, DOLLAR, Token, tokenize

# a name may start with a digit on PostgreSQL (so a[1:2] holds :2), not on MySQL
_NAMES = {"postgresql": re.compile(r"\w+"), "mysql": re.compile(r"[^\W\d]\w*")}

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


def find_parameters(sql: str, dialect: str) -> list[Parameter]:
    """The ``:name`` placeholders the Data API would substitute, in order.

    ``::type`` casts and ``:=`` are not placeholders; quoted literals, quoted
    identifiers and comments are skipped. On PostgreSQL the text is read as the
    service reads it, knowing no dollar quotes: a ``:name`` in a ``$$`` body is
    substituted (flagged ``in_dollar_quote``), and a quote inside such a body
    starts a string for the service.
    """
    service = tokenize(sql, dialect, dollar_quotes=False)
    bodies = _dollar_bodies(sql, dialect)
    found: list[Parameter] = []
    brackets = 0
    for token in service:
        if token.kind == CODE:
            brackets = _scan_code(sql, token, brackets, found, _NAMES[dialect], bodies)
    return found


def _dollar_bodies(sql: str, dialect: str) -> list[tuple[int, int]]:
    if dialect != "postgresql" or "$" not in sql:
        return []
    return [(t.start, t.end) for t in tokenize(sql, dialect) if t.kind == DOLLAR]


def _scan_code(
    sql: str, token: Token, brackets: int, found: list[Parameter], name: re.Pattern[str],
    bodies: list[tuple[int, int]],
) -> int:  # fmt: skip
    """Append the placeholders of one code run; returns the ``[`` depth left open."""
    index, end = token.start, token.end
    while index < end:
        char = sql[index]
        if char == ":":
            if sql.startswith("::", index):
                index += 2
                continue
            match = name.match(sql, index + 1, end)
            if match is not None:
                in_body = any(a <= index < b for a, b in bodies)
                found.append(
                    Parameter(match.group(0), index, in_body, brackets > 0 and not in_body)
                )
                index = match.end()
                continue
        elif char == "[":
            brackets += 1
        elif char == "]":
            brackets = max(0, brackets - 1)
        index += 1
    return brackets


def _meant(sql: str, dialect: str) -> list[int]:
    """Offsets of the ``:name`` the SQL means (its own lexer's code, outside slices)."""
    found: list[Parameter] = []
    brackets = 0
    for token in tokenize(sql, dialect):
        if token.kind == CODE:
            brackets = _scan_code(sql, token, brackets, found, _NAMES[dialect], [])
    return [p.start for p in found if not p.in_slice]


def placeholder_names(sql: str, dialect: str) -> list[str]:
    """Distinct names of the placeholders the SQL means (hazards excluded), in order."""
    names: list[str] = []
    for parameter in find_parameters(sql, dialect):
        if not parameter.hazardous and parameter.name not in names:
            names.append(parameter.name)
    return names


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
    hazards: list[Hazard] = []
    found = find_parameters(sql, dialect)
    for parameter in found:
        where = _where(sql, parameter.name, parameter.start)
        if parameter.in_dollar_quote:
            hazards.append(Hazard("dollar_quote_parameter", parameter.start, (
                f"{where} is inside a $$-quoted body, where the Data API would replace it "
                "with a placeholder; write the colon as chr(58), or pass the text as a "
                "parameter"
            )))  # fmt: skip
        elif parameter.in_slice:
            hazards.append(Hazard("array_slice", parameter.start, (
                f"{where} is an array slice the Data API would read as a parameter; "
                f"write spaces around the colon ('[1 : {parameter.name}]')"
            )))  # fmt: skip
    seen = {p.start for p in found}
    for start in _meant(sql, dialect):
        if start not in seen:
            name = _NAMES[dialect].match(sql, start + 1)
            hazards.append(Hazard("hidden_parameter", start, (
                f"{_where(sql, name.group(0) if name else '', start)} is a placeholder the "
                "Data API would not see: a quote in a $$-quoted body before it starts a "
                "string for the service"
            )))  # fmt: skip
    return sorted(hazards, key=lambda h: h.start)


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
]
