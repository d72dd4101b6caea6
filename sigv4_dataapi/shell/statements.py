"""The input buffer: lines in, complete statements out, with their line numbers.

Splitting is the shared lexer's (``sigv4_dataapi._sqltext``, also the DB-API's
hazard scanner): a statement ends at ``;`` outside quotes, dollar quotes,
``E''`` strings, nested ``/* */`` and ``--`` comments, MySQL backticks and
``#`` comments. What follows the last ``;`` stays in the buffer, and
:meth:`Buffer.state` says what is open for the continuation prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigv4_dataapi._sqltext import ScanState, scan, split_statements, tokenize
from sigv4_dataapi._sqltext.lexer import SEMICOLON


@dataclass(frozen=True)
class Located:
    """A statement to run and where it came from (for batch errors)."""

    sql: str
    source: str
    line: int


class Buffer:
    """Lines typed or read so far that do not yet end a statement."""

    def __init__(self, dialect: str, source: str = "") -> None:
        self.dialect = dialect
        self.source = source
        self.text = ""
        self.first_line = 1

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def clear(self) -> None:
        self.text = ""

    def state(self) -> ScanState:
        return scan(self.text, self.dialect)

    def add(self, line: str, line_number: int) -> list[Located]:
        """Append one line; return the statements it completes, in order."""
        if self.empty:
            self.text, self.first_line = "", line_number
        self.text += line if line.endswith("\n") else line + "\n"
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

    def flush(self) -> list[Located]:
        """Everything left as statements, terminated or not (``\\g``, end of input)."""
        pieces = split_statements(self.text, self.dialect)
        found = [Located(s.text, self.source, self.first_line + s.line - 1) for s in pieces]
        self.text = ""
        return found


def _after_last_semicolon(text: str, dialect: str) -> int:
    """Offset just after the last statement-ending ``;`` (0 if none)."""
    ends = [t.end for t in tokenize(text, dialect) if t.kind == SEMICOLON]
    return ends[-1] if ends else 0


def split_script(text: str, dialect: str, source: str) -> list[Located]:
    """Every statement of a whole script (``-c``), in order."""
    return [Located(s.text, source, s.line) for s in split_statements(text, dialect)]
