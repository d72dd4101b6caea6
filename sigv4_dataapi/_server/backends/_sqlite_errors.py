"""SQLite result codes for an exception, on every supported Python.

Python 3.11+ puts the engine's extended result code on the exception
(``sqlite_errorname``, ``sqlite_errorcode``); 3.10's ``sqlite3`` does not, so
there the code is read from the engine's message, which names the common ones.
"UNIQUE constraint failed: t.a" is also a PRIMARY KEY's (and an explicit
rowid's) message: the columns it names are compared with the table's primary
key, as SQLite itself decides between the two codes.
"""

from __future__ import annotations

import sqlite3

__all__ = ["error_code"]

_CODES_BY_MESSAGE = (
    ("NOT NULL constraint failed", "SQLITE_CONSTRAINT_NOTNULL", 1299),
    ("CHECK constraint failed", "SQLITE_CONSTRAINT_CHECK", 275),
    ("FOREIGN KEY constraint failed", "SQLITE_CONSTRAINT_FOREIGNKEY", 787),
    ("datatype mismatch", "SQLITE_MISMATCH", 20),
    ("interrupted", "SQLITE_INTERRUPT", 9),
    ("database is locked", "SQLITE_BUSY", 5),
    ("attempt to write a readonly database", "SQLITE_READONLY", 8),
)
_UNIQUE = "UNIQUE constraint failed: "
_PRIMARY_KEY = ("SQLITE_CONSTRAINT_PRIMARYKEY", 1555)
_UNIQUE_CODE = ("SQLITE_CONSTRAINT_UNIQUE", 2067)
_ROWID = ("SQLITE_CONSTRAINT_ROWID", 2579)
_CONSTRAINT = ("SQLITE_CONSTRAINT", 19)


def error_code(exc: Exception, connection: sqlite3.Connection | None = None) -> tuple[str, int]:
    """The engine's result code name and number: the exception's own, or read from its text.

    ``connection`` (where the statement failed) tells a PRIMARY KEY from a UNIQUE
    constraint on 3.10; without it such a failure is the primary ``SQLITE_CONSTRAINT``.
    """
    name, code = getattr(exc, "sqlite_errorname", None), getattr(exc, "sqlite_errorcode", None)
    if name and code:
        return name, code
    text = str(exc)
    for start, name, code in _CODES_BY_MESSAGE:
        if text.startswith(start):
            return name, code
    if text.startswith(_UNIQUE):
        return _unique(text.removeprefix(_UNIQUE), connection)
    if isinstance(exc, sqlite3.IntegrityError):
        return _CONSTRAINT
    return "SQLITE_ERROR", 1


def _unique(named: str, connection: sqlite3.Connection | None) -> tuple[str, int]:
    """``t.a, t.b`` -> PRIMARYKEY when they are t's primary key, ROWID for t.rowid."""
    if named.startswith("index "):
        return _UNIQUE_CODE  # a unique index on expressions is never the primary key
    pairs = [item.strip().partition(".") for item in named.split(",")]
    tables = {table for table, _, _ in pairs}
    if connection is None or len(tables) != 1:
        return _CONSTRAINT
    [table] = tables
    try:
        info = connection.execute(
            "SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (table,)
        ).fetchall()
    except sqlite3.Error:
        return _CONSTRAINT
    columns = [column for _, _, column in pairs]
    if [name for name, _ in info] == columns:
        return _PRIMARY_KEY
    if columns == ["rowid"]:
        return _ROWID
    return _UNIQUE_CODE
