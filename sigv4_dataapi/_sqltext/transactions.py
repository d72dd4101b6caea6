"""Recognise transaction-control statements (BEGIN, COMMIT, ROLLBACK and synonyms).

The DB-API maps them to BeginTransaction/CommitTransaction/RollbackTransaction:
sent as SQL, a COMMIT would leave the Data API transaction open until it expires
(dbapi-streaming-shell.md A.5). Savepoint statements pass through as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sigv4_dataapi._sqltext.lexer import (
    BLOCK_COMMENT,
    CODE,
    LINE_COMMENT,
    split_statements,
    tokenize,
)

TxKind = Literal["begin", "commit", "rollback"]


@dataclass(frozen=True)
class TransactionControl:
    """A ``BEGIN``/``COMMIT``/``ROLLBACK`` statement; ``modes`` keeps BEGIN's options."""

    kind: TxKind
    modes: str = ""


_TX_VERBS: dict[str, TxKind] = {
    "begin": "begin",
    "start": "begin",
    "commit": "commit",
    "end": "commit",
    "rollback": "rollback",
    "abort": "rollback",
}
_NOISE = ("work", "transaction")
_LITERAL = "<literal>"
_PLAIN_TAILS: tuple[list[str], ...] = (
    [],
    ["and", "no", "chain"],
    ["no", "release"],
    ["and", "no", "chain", "no", "release"],
)
_MODE_WORDS = frozenset(
    (
        *("isolation", "level", "serializable", "repeatable", "read", "committed"),
        *("uncommitted", "write", "only", "not", "deferrable", "with", "consistent"),
        *("snapshot", ","),
    )
)


def transaction_control(sql: str, dialect: str) -> TransactionControl | None:
    """The transaction verb of ``sql`` if it is a plain BEGIN/COMMIT/ROLLBACK.

    ``ROLLBACK TO``, ``SAVEPOINT``, ``RELEASE``, ``COMMIT PREPARED`` and
    ``COMMIT AND CHAIN`` are not matched: they pass through as SQL.
    """
    words = _code_words(sql, dialect)
    if not words or _LITERAL in words:
        return None
    kind = _TX_VERBS.get(words[0].lower())
    if kind is None:
        return None
    rest = [w.lower() for w in words[1:]]
    if words[0].lower() == "start":
        if not rest or rest[0] != "transaction":
            return None
        return _begin(words[2:], dialect)
    if kind == "begin":
        skip = 1 if rest and rest[0] in _NOISE else 0
        if dialect == "mysql" and len(rest) > skip:
            return None  # MariaDB's BEGIN NOT ATOMIC .. END is a compound statement
        return _begin(words[1 + skip :], dialect)
    if rest and rest[0] in _NOISE:
        rest = rest[1:]
    if rest in (
        [],
        ["and", "no", "chain"],
        ["no", "release"],
        ["and", "no", "chain", "no", "release"],
    ):
        return TransactionControl(kind)
    return None


def _begin(modes: list[str], dialect: str) -> TransactionControl | None:
    """BEGIN with its transaction modes, if every word is a known mode word."""
    if any(word.lower() not in _MODE_WORDS for word in modes):
        return None
    return TransactionControl("begin", " ".join(modes).replace(" , ", ", "))


def _code_words(sql: str, dialect: str) -> list[str] | None:
    """The words of the only statement in ``sql`` (comments dropped), else None."""
    statements = split_statements(sql, dialect)
    if len(statements) != 1:
        return None
    tokens = tokenize(statements[0].text, dialect)
    words: list[str] = []
    for token in tokens:
        if token.kind in (LINE_COMMENT, BLOCK_COMMENT):
            continue
        if token.kind != CODE:
            return [*words, _LITERAL]
        words.extend(statements[0].text[token.start : token.end].replace(",", " , ").split())
    return words


__all__ = ["TransactionControl", "TxKind", "transaction_control"]
