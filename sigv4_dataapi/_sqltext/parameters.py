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

from sigv4_dataapi._sqltext.lexer import CODE, DOLLAR, tokenize

_NAME = re.compile(r"\w+")


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
    identifiers and comments are skipped; PostgreSQL dollar-quoted bodies are not
    (the service substitutes there too, flagged ``in_dollar_quote``).
    """
    found: list[Parameter] = []
    brackets = 0
    for token in tokenize(sql, dialect):
        if token.kind == CODE:
            brackets = _scan_code(sql, token.start, token.end, brackets, found)
        elif token.kind == DOLLAR:
            body_start = token.start + len(token.opener)
            body_end = token.end - len(token.opener) if token.closed else token.end
            _scan_code(sql, body_start, body_end, 0, found, in_dollar=True)
    return found


def _scan_code(
    sql: str,
    start: int,
    end: int,
    brackets: int,
    found: list[Parameter],
    *,
    in_dollar: bool = False,
) -> int:
    index = start
    while index < end:
        char = sql[index]
        if char == "[":
            brackets += 1
        elif char == "]":
            brackets = max(0, brackets - 1)
        elif char == ":":
            if sql.startswith("::", index):
                index += 2
                continue
            match = _NAME.match(sql, index + 1, end)
            if match is not None:
                slice_hazard = brackets > 0 and not in_dollar
                found.append(Parameter(match.group(0), index, in_dollar, slice_hazard))
                index = match.end()
                continue
        index += 1
    return brackets


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

    kind: Literal["dollar_quote_parameter", "array_slice"]
    start: int
    message: str


def parameter_hazards(sql: str, dialect: str) -> list[Hazard]:
    """Places where the service's placeholder scanner would corrupt ``sql``.

    The service substitutes ``:name`` inside ``$$..$$`` (``SELECT $$a :b c$$`` returns
    ``a $1 c``) and reads ``a[1:2]`` as a parameter ``:2`` (rds-data-api.md F17b).
    """
    hazards: list[Hazard] = []
    for parameter in find_parameters(sql, dialect):
        line = sql.count("\n", 0, parameter.start) + 1
        where = f"':{parameter.name}' at line {line}, offset {parameter.start}"
        if parameter.in_dollar_quote:
            hazards.append(Hazard("dollar_quote_parameter", parameter.start, (
                f"{where} is inside a $$-quoted body, where the Data API would replace it "
                "with a placeholder; pass the text as a parameter or use a '..' literal"
            )))  # fmt: skip
        elif parameter.in_slice:
            hazards.append(Hazard("array_slice", parameter.start, (
                f"{where} is an array slice the Data API would read as a parameter; "
                f"write a space after the colon (': {parameter.name}')"
            )))  # fmt: skip
    return hazards


__all__ = ["Hazard", "Parameter", "find_parameters", "parameter_hazards", "placeholder_names"]
