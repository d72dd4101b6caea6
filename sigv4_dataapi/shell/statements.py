"""The input buffer: lines in, complete statements out, with their line numbers.

Splitting is the shared lexer's (``sigv4_dataapi._sqltext``, also the DB-API's
hazard scanner): a statement ends at ``;`` outside quotes, dollar quotes,
``E''`` strings, nested ``/* */`` and ``--`` comments, MySQL backticks and
``#`` comments. What follows the last ``;`` stays in the buffer, and
:meth:`Buffer.state` says what is open for the continuation prompt.

The mysql client's ``DELIMITER //`` (a client command, never sent) swaps the
terminator: a statement then ends at ``//`` found in code (the lexer's code and
``;`` tokens, never inside quotes, backticks or comments), and its ``;`` stay
text, so a ``CREATE PROCEDURE ... BEGIN ...; ...; END//`` goes as one statement.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from sigv4_dataapi._sqltext import ScanState, Token, scan, split_statements, tokenize
from sigv4_dataapi._sqltext.lexer import CODE, SEMICOLON

_DELIMITER = re.compile(r"\s*delimiter(?:\s+(.*?))?\s*$", re.I | re.S)


@dataclass(frozen=True)
class Located:
    """A statement to run and where it came from (for batch errors)."""

    sql: str
    source: str
    line: int


class Buffer:
    """Lines typed or read so far that do not yet end a statement."""

    def __init__(self, dialect: str, source: str = "", delimiter: str = ";") -> None:
        self.dialect = dialect
        self.source = source
        self.delimiter = delimiter
        self.text = ""
        self.first_line = 1

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def clear(self) -> None:
        self.text = ""

    def state(self) -> ScanState:
        state = scan(self.text, self.dialect)
        if self.delimiter == ";":
            return state
        # a ``;`` ends nothing here: code anywhere in the buffer is pending
        return dataclasses.replace(state, pending=bool(split_statements(self.text, self.dialect)))

    def add(self, line: str, line_number: int) -> list[Located]:
        """Append one line; return the statements it completes, in order."""
        if self.empty:
            self.text, self.first_line = "", line_number
        self.text += line if line.endswith("\n") else line + "\n"
        if self.delimiter != ";":
            return self._add_delimited()
        cut = _after_last_semicolon(self.text, self.dialect)
        if cut == 0:
            return []
        done = [s for s in split_statements(self.text[:cut], self.dialect) if s.terminated]
        found = [Located(s.text, self.source, self.first_line + s.line - 1) for s in done]
        self.first_line += self.text[:cut].count("\n")
        self.text = self.text[cut:]
        if self.empty and not self.state().open:
            self.text = ""
        return found

    def _add_delimited(self) -> list[Located]:
        """:meth:`add` under a custom delimiter: cut at each one found in code."""
        found: list[Located] = []
        start = 0
        for begin, end in find_delimiters(self.text, self.dialect, self.delimiter):
            found += self._piece(start, begin)
            start = end
        self.first_line += self.text.count("\n", 0, start)
        self.text = self.text[start:]
        if self.empty and not self.state().open:
            self.text = ""
        return found

    def _piece(self, start: int, end: int) -> list[Located]:
        """``text[start:end]`` as a statement, unless it is blank or only comments."""
        raw = self.text[start:end]
        if not split_statements(raw, self.dialect):
            return []
        begin = start + len(raw) - len(raw.lstrip())
        line = self.first_line + self.text.count("\n", 0, begin)
        return [Located(raw.strip(), self.source, line)]

    def flush(self) -> list[Located]:
        """Everything left as statements, terminated or not (``\\g``, end of input)."""
        if self.delimiter != ";":
            found = self._piece(0, len(self.text))
            self.text = ""
            return found
        pieces = split_statements(self.text, self.dialect)
        found = [Located(s.text, self.source, self.first_line + s.line - 1) for s in pieces]
        self.text = ""
        return found


def _after_last_semicolon(text: str, dialect: str) -> int:
    """Offset just after the last statement-ending ``;`` (0 if none)."""
    ends = [t.end for t in tokenize(text, dialect) if t.kind == SEMICOLON]
    return ends[-1] if ends else 0


def find_delimiters(text: str, dialect: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each ``delimiter`` in code, never in a literal or comment.

    The lexer cuts code at every ``;``, so runs of code and ``;`` tokens are
    joined again first: a delimiter such as ``;;`` spans two tokens.
    """
    found: list[tuple[int, int]] = []
    for start, end in _code_runs(tokenize(text, dialect)):
        at = text.find(delimiter, start, end)
        while at >= 0:
            found.append((at, at + len(delimiter)))
            at = text.find(delimiter, at + len(delimiter), end)
    return found


def _code_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for token in tokens:
        if token.kind not in (CODE, SEMICOLON):
            continue
        if runs and runs[-1][1] == token.start:
            runs[-1] = (runs[-1][0], token.end)
        else:
            runs.append((token.start, token.end))
    return runs


def delimiter_command(line: str) -> str | None:
    """The argument of a ``DELIMITER <str>`` line (``""`` when missing), else None."""
    match = _DELIMITER.fullmatch(line)
    if match is None:
        return None
    return match.group(1).split()[0] if match.group(1) else ""


def split_script(text: str, dialect: str, source: str) -> list[Located]:
    """Every statement of a whole script (``-c``), in order."""
    return [Located(s.text, source, s.line) for s in split_statements(text, dialect)]
