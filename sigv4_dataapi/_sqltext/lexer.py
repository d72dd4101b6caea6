"""A dialect-aware SQL lexer: statement splitting, continuation state, placeholders.

Three consumers share it: the shell (split a buffer into statements, know when a
line needs a continuation prompt), the DB-API (find ``:name`` placeholders and
refuse SQL the Data API would silently change) and the local endpoint.

Lexical rules (PostgreSQL "4.1 Lexical Structure", MariaDB "Comment Syntax" and
"String Literals"):

========================  ==========================  ==========================
construct                 postgresql                  mysql
========================  ==========================  ==========================
``'..'``                  ``''`` escapes              ``''`` and backslash
``E'..'``                 ``''`` and backslash        (plain ``'..'``)
``".."``                  identifier, ``""``          string, ``""`` + backslash
`` `..` ``                (code)                      identifier, ``````
``$tag$..$tag$``          dollar quote                (code)
``-- ..``                 comment                     comment if followed by space
``# ..``                  (code)                      comment
``/* .. */``              comment, nests              comment, does not nest
========================  ==========================  ==========================

Placeholders live in ``parameters.py``, BEGIN/COMMIT recognition in
``transactions.py``; both build on :func:`tokenize`. Their names are also reachable
from this module (lazily), so ``from ..lexer import find_parameters`` works.
"""

from __future__ import annotations

import bisect
import importlib
import re
from dataclasses import dataclass
from typing import Literal

Dialect = Literal["postgresql", "mysql"]
DIALECTS: tuple[Dialect, ...] = ("postgresql", "mysql")

# token kinds
CODE = "code"
SEMICOLON = "semicolon"
STRING = "string"  # '..', E'..', MySQL ".."
IDENTIFIER = "identifier"  # PostgreSQL "..", MySQL `..`
DOLLAR = "dollar"  # PostgreSQL $tag$..$tag$
LINE_COMMENT = "line_comment"
BLOCK_COMMENT = "block_comment"

_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_SPECIAL = re.compile(r"""['"`$\-#/;]""")
_NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class Token:
    """One lexical piece of the text: ``text[start:end]``.

    ``closed`` is False only for the last token when the text ends inside it;
    ``opener`` is the delimiter that opened it (``'``, ``E'``, ``$body$``, ``/*``, ...).
    """

    kind: str
    start: int
    end: int
    closed: bool = True
    opener: str = ""
    depth: int = 0  # nesting depth left open, for an unclosed PostgreSQL /* */


@dataclass(frozen=True)
class Statement:
    """One statement of a script, without its ``;`` and surrounding blanks."""

    text: str
    start: int  # offset of ``text`` in the source
    line: int  # 1-based line number of ``start``
    terminated: bool  # ended by a ``;`` (False for a trailing statement without one)


@dataclass(frozen=True)
class ScanState:
    """Where a buffer ends, for a shell's continuation prompt.

    ``open`` names the unclosed construct (``'``, ``"``, `` ` ``, ``$tag$``, ``/*``)
    or is ``""``; ``pending`` is True when code follows the last ``;``.
    """

    open: str
    paren_depth: int
    pending: bool

    @property
    def complete(self) -> bool:
        """True when nothing is open and every statement is terminated."""
        return not self.open and not self.pending


def _check_dialect(dialect: str) -> Dialect:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {DIALECTS}")
    return dialect


def _is_ident_char(char: str) -> bool:
    return char.isalnum() or char in "_$"


def _closing_pattern(quote: str, backslash: bool) -> re.Pattern[str]:
    """The rest of a literal after its opener, up to and with its closing ``quote``.

    Unrolled loops (each character has one way to be consumed), so an unclosed
    literal fails in linear time; the closing quote is not followed by another
    one, as a doubled quote is an escaped one (``'a''`` is unclosed).
    """
    q = re.escape(quote)
    if backslash:
        return re.compile(rf"[^{q}\\]*(?:(?:\\.|{q}{q})[^{q}\\]*)*{q}(?!{q})", re.DOTALL)
    return re.compile(rf"[^{q}]*(?:{q}{q}[^{q}]*)*{q}(?!{q})")


_CLOSINGS = {(q, b): _closing_pattern(q, b) for q in "'\"`" for b in (False, True)}
_BLOCK_EDGE = re.compile(r"\*/|/\*")  # ``*/`` first: ``*/*`` closes before it opens


def _quoted_end(text: str, start: int, quote: str, backslash: bool) -> int:
    """Index after the closing ``quote`` of a literal opened at ``start``, or -1."""
    match = _CLOSINGS[quote, backslash].match(text, start)
    return -1 if match is None else match.end()


def _block_comment_end(text: str, start: int, nested: bool) -> tuple[int, int]:
    """(index after the closing ``*/`` or -1, depth still open) for ``/*`` at start."""
    if not nested:
        close = text.find("*/", start + 2)
        return (-1, 1) if close < 0 else (close + 2, 0)
    depth = 1
    for edge in _BLOCK_EDGE.finditer(text, start + 2):
        depth += 1 if edge.group() == "/*" else -1
        if depth == 0:
            return edge.end(), 0
    return -1, depth


def _line_comment_at(text: str, index: int, dialect: Dialect) -> bool:
    if text.startswith("--", index):
        if dialect == "postgresql":
            return True
        after = text[index + 2 : index + 3]
        return after == "" or after.isspace() or ord(after) < 32
    return dialect == "mysql" and text[index] == "#"


def _quote_at(text: str, index: int, dialect: Dialect) -> tuple[str, str, bool] | None:
    """(token kind, opener, backslash escapes) when a quoted construct opens here."""
    char = text[index]
    prev = text[index - 1] if index else ""
    if char == "'":
        return STRING, "'", dialect == "mysql"
    e_string = char in "Ee" and text[index + 1 : index + 2] == "'" and not _is_ident_char(prev)
    if e_string and dialect == "postgresql":
        return STRING, "E'", True
    if char == '"':
        if dialect == "postgresql":
            return IDENTIFIER, '"', False
        return STRING, '"', True
    if char == "`" and dialect == "mysql":
        return IDENTIFIER, "`", False
    return None


def _special_token(text: str, index: int, dialect: Dialect, dollars: bool = True) -> Token | None:
    """The non-code token starting at ``index``, if any."""
    quote = _quote_at(text, index, dialect)
    if quote is not None:
        kind, opener, backslash = quote
        end = _quoted_end(text, index + len(opener), opener[-1], backslash)
        return Token(kind, index, end if end >= 0 else len(text), end >= 0, opener)
    if _line_comment_at(text, index, dialect):
        newline = text.find("\n", index)
        return Token(LINE_COMMENT, index, len(text) if newline < 0 else newline + 1)
    if text.startswith("/*", index):
        end, depth = _block_comment_end(text, index, nested=dialect == "postgresql")
        return Token(BLOCK_COMMENT, index, end if end >= 0 else len(text), end >= 0, "/*", depth)
    if text[index] == "$" and dialect == "postgresql" and dollars:
        return _dollar_token(text, index)
    if text[index] == ";":
        return Token(SEMICOLON, index, index + 1)
    return None


def _dollar_token(text: str, index: int) -> Token | None:
    if index and _is_ident_char(text[index - 1]):
        return None  # part of an identifier such as a$b, or $1
    match = _DOLLAR_TAG.match(text, index)
    if match is None:
        return None
    tag = match.group(0)
    close = text.find(tag, match.end())
    end = len(text) if close < 0 else close + len(tag)
    return Token(DOLLAR, index, end, close >= 0, tag)


def tokenize(text: str, dialect: str, *, dollar_quotes: bool = True) -> list[Token]:
    """Split ``text`` into code runs, semicolons, literals, identifiers and comments.

    ``dollar_quotes=False`` reads PostgreSQL as the Data API's placeholder scanner
    does, knowing no ``$$`` quotes (``parameters``).
    """
    checked = _check_dialect(dialect)
    tokens: list[Token] = []
    code_start = index = 0
    while index < len(text):
        match = _SPECIAL.search(text, index)
        if match is None:
            break
        at = match.start()
        if text[at] == "'" and at and text[at - 1] in "Ee":
            at -= 1  # let _special_token decide about a possible E'..'
        token = _special_token(text, at, checked, dollar_quotes)
        if token is None and at != match.start():
            token = _special_token(text, match.start(), checked, dollar_quotes)
            at = match.start()
        if token is None:
            index = match.start() + 1
            continue
        if at > code_start:
            tokens.append(Token(CODE, code_start, at))
        tokens.append(token)
        code_start = index = token.end
    if code_start < len(text):
        tokens.append(Token(CODE, code_start, len(text)))
    return tokens


def _has_code(tokens: list[Token], text: str) -> bool:
    comments = (LINE_COMMENT, BLOCK_COMMENT)
    return any(
        t.kind not in comments and (t.kind != CODE or text[t.start : t.end].strip()) for t in tokens
    )


def split_statements(text: str, dialect: str) -> list[Statement]:
    """The statements of a script, in order; blank and comment-only pieces are dropped."""
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    statements: list[Statement] = []
    piece: list[Token] = []
    for token in [*tokenize(text, dialect), None]:
        if token is not None and token.kind != SEMICOLON:
            piece.append(token)
            continue
        if piece and _has_code(piece, text):
            statement = _statement(text, piece[0].start, piece[-1].end, newlines)
            statements.append(statement if token is not None else _unterminated(statement))
        piece = []
    return statements


def _statement(text: str, start: int, end: int, newlines: list[int]) -> Statement:
    raw = text[start:end]
    begin = start + len(raw) - len(raw.lstrip())
    return Statement(raw.strip(), begin, bisect.bisect_left(newlines, begin) + 1, True)


def _unterminated(statement: Statement) -> Statement:
    return Statement(statement.text, statement.start, statement.line, False)


def scan(text: str, dialect: str) -> ScanState:
    """Where ``text`` ends: inside a literal or comment, nesting, unterminated code."""
    tokens = tokenize(text, dialect)
    opened = ""
    if tokens and not tokens[-1].closed:
        opened = tokens[-1].opener
    depth = 0
    pending: list[Token] = []
    for token in tokens:
        if token.kind == SEMICOLON:
            depth, pending = 0, []
            continue
        pending.append(token)
        if token.kind == CODE:
            chunk = text[token.start : token.end]
            depth = max(0, depth + chunk.count("(") - chunk.count(")"))
    return ScanState(opened, depth, bool(pending) and _has_code(pending, text))


def is_complete(text: str, dialect: str) -> bool:
    """True when the buffer ends outside any literal/comment and after a ``;`` (or is blank).

    A shell keeps reading lines while this is False.
    """
    return scan(text, dialect).complete


_ELSEWHERE = {
    "Hazard": "parameters",
    "Parameter": "parameters",
    "find_parameters": "parameters",
    "parameter_hazards": "parameters",
    "placeholder_names": "parameters",
    "placeholders_and_hazards": "parameters",
    "TransactionControl": "transactions",
    "transaction_control": "transactions",
}


def __getattr__(name: str) -> object:
    """The placeholder and transaction helpers, re-exported without an import cycle."""
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"sigv4_dataapi._sqltext.{module}"), name)


__all__ = [
    "BLOCK_COMMENT",
    "CODE",
    "DIALECTS",
    "DOLLAR",
    "IDENTIFIER",
    "LINE_COMMENT",
    "SEMICOLON",
    "STRING",
    "Dialect",
    "ScanState",
    "Statement",
    "Token",
    "is_complete",
    "scan",
    "split_statements",
    "tokenize",
]
