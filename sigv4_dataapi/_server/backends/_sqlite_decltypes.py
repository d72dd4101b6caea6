"""The declared types of a SQLite query's result columns (for ``_sqlite_types``).

Python's ``sqlite3`` does not expose ``sqlite3_column_decltype``, so they are
read the way SQLite itself exposes them: a temporary view over the query
(parameters replaced by NULL, since a view may not hold any), whose
``PRAGMA table_info`` lists each column's declared type ('' for an
expression). The answer is cached per SQL text and schema version, so a
query pays for the view once, and a table created again with other types
is read again.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence

__all__ = ["DeclaredTypes", "without_parameters"]

# SQLite's lexical rules: strings, quoted identifiers ("", ``, []), comments, parameters.
_TOKEN = re.compile(
    r"""
      '[^']*(?:''[^']*)*'?
    | "[^"]*(?:""[^"]*)*"?
    | `[^`]*(?:``[^`]*)*`?
    | \[[^\]]*\]?
    | --[^\n]*
    | /\*.*?(?:\*/|\Z)
    | (?P<param>\?\d*|[:@][^\W\d][\w$]*|\$[^\W\d][\w$]*(?:::[\w$]+)*(?:\([^)]*\))?)
    """,
    re.VERBOSE | re.DOTALL,
)
_VIEW = "_sigv4_dataapi_columns"
_CACHE_SIZE = 512


def without_parameters(sql: str) -> str:
    """``sql`` with every parameter replaced by NULL: a view may not hold parameters."""
    return _TOKEN.sub(lambda m: "NULL" if m.group("param") else m.group(), sql)


class DeclaredTypes:
    """Declared types of a query's result columns, cached per SQL text and schema version."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], tuple[tuple[str, int], ...] | None] = {}
        self._lock = threading.Lock()

    def of(self, connection: sqlite3.Connection, sql: str) -> Sequence[tuple[str, int]] | None:
        """``(declaration, notnull)`` per result column ('' for expressions); None: unknown."""
        try:
            version = connection.execute("PRAGMA schema_version").fetchone()[0]
        except sqlite3.Error:
            return None
        key = (sql, int(version))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = _read_declarations(connection, sql)
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        return found


def _read_declarations(
    connection: sqlite3.Connection, sql: str
) -> tuple[tuple[str, int], ...] | None:
    """A temporary view over the query; its ``table_info`` has the declared types.

    Statements that cannot be a view (``INSERT ... RETURNING``, ``PRAGMA``)
    have none: their columns keep the storage-class rule.
    """
    try:
        connection.execute(f"CREATE TEMP VIEW {_VIEW} AS {without_parameters(sql)}")
    except (sqlite3.Error, sqlite3.Warning):  # Warning: more than one statement
        return None
    try:
        rows = connection.execute(f"PRAGMA temp.table_info({_VIEW})").fetchall()
        return tuple((str(row[2] or ""), int(row[3])) for row in rows)
    except sqlite3.Error:
        return None
    finally:
        connection.execute(f"DROP VIEW IF EXISTS temp.{_VIEW}")
