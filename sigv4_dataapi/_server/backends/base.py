"""The contract between the local endpoint's operations and a database engine.

Notes from B (local endpoint core) to B2 (postgres.py, mysql.py), additive only:
- ``backends/__init__.py:open_backend(url)`` imports the engine module lazily and
  calls its module-level ``open_backend(url: str) -> Backend`` (the full URL, e.g.
  ``postgresql://postgres@127.0.0.1:5432/test``); please define that function.
- Sessions without ``begin()`` must autocommit each statement.
- Optional: a ``connection_id: int`` attribute on a Session (the engine's backend
  pid / thread id) becomes ``dbConnectionId`` in StatementTimeoutException;
  ops read it with ``getattr(session, "connection_id", 0)``.
- ``ops`` checks TypeHint formats (DATE/TIME/TIMESTAMP) before a backend sees a
  Param, rejects array parameters, and rejects multi-statement SQL on v2.
- ``ENGINES`` below maps a URL scheme to its engine module.
- ``UnsupportedResultError`` below: raise it (or a subclass) for a result the
  service cannot encode; ops answers ``UnsupportedResultException`` (v2) /
  ``BadRequestException`` (v1) with its ``message``.

A backend turns Data API parameters into the engine's driver calls and the
engine's answers into plain Python values that ``ops`` encodes as Fields. It
knows its engine's placeholder style, type names, JDBC type codes and error
texts; it knows nothing of HTTP, JSON, SigV4 or the Data API's limits.

Values a backend returns in ``StatementResult.rows`` are already normalised:
``None``, ``bool``, ``int``, ``float``, ``Decimal``, ``str``, ``bytes``, or a
``list`` of those (arrays, nested lists for multi-dimensional arrays). Dates,
times, timestamps (timestamptz rendered in UTC, no offset), UUIDs, JSON and
anything else the service sends as ``stringValue`` come back as ``str`` in the
service's text form (``YYYY-MM-DD HH:MM:SS[.ffffff]`` with trailing zeros of
the fraction trimmed, as the service does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

Value = None | bool | int | float | Decimal | str | bytes | list["Value"]

TYPE_HINTS = ("JSON", "UUID", "TIMESTAMP", "DATE", "TIME", "DECIMAL")

# URL scheme -> engine module under sigv4_dataapi._server.backends (added by B)
ENGINES: dict[str, str] = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}


@dataclass(frozen=True)
class Param:
    """One ``SqlParameter`` after JSON decoding: ``:name`` in the SQL."""

    name: str
    value: bool | int | float | str | bytes | None
    type_hint: str | None = None  # one of TYPE_HINTS


@dataclass(frozen=True)
class Column:
    """One ``ColumnMetadata`` entry, in the service's member names' order."""

    name: str
    label: str
    type: int  # JDBC java.sql.Types code
    type_name: str  # the engine's own type name
    precision: int = 0
    scale: int = 0
    nullable: int = 2  # 0 no nulls, 1 nullable, 2 unknown
    is_signed: bool = False
    is_auto_increment: bool = False
    is_case_sensitive: bool = False
    is_currency: bool = False
    schema_name: str = ""
    table_name: str = ""
    array_base_column_type: int = 0


@dataclass
class StatementResult:
    columns: list[Column] | None  # None: the statement produced no result set
    rows: list[list[Value]] = field(default_factory=list)
    rows_updated: int = 0
    generated: list[Value] = field(default_factory=list)  # generatedFields (MySQL)


class EngineError(Exception):
    """An error the engine raised; ``message`` is in the service's v2 form.

    ``message`` for PostgreSQL: ``ERROR: <text>; [Position: N;] SQLState: XXXXX``;
    for MySQL: ``Error code: N; SQLState: XXXXX``-suffixed engine text;
    ``v1_message`` is the v1 form (``Database error code: N. Message: ...``).
    """

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        errno: int | None = None,
        v1_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.errno = errno
        self.v1_message = v1_message or message


class UnsupportedResultError(EngineError):
    """A result value the service cannot put in a Field (reference F9); added by B."""


class InternalFailureError(EngineError):
    """A result the service fails on with a bare 500 and no message (F17, F17b).

    ``ops`` answers ``InternalServerErrorException`` with an empty message:
    PostgreSQL ``infinity``/``-infinity`` dates and timestamps.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class Session(Protocol):
    """One database connection, pinned to a transaction or used per call."""

    def execute(self, sql: str, params: Sequence[Param]) -> StatementResult: ...

    def execute_batch(self, sql: str, param_sets: Sequence[Sequence[Param]]) -> list[list[Value]]:
        """Run ``sql`` once per set; return each set's generated fields."""
        ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def cancel(self) -> None:
        """Interrupt the running statement from another thread (timeouts)."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    engine: str  # "sqlite", "postgresql" or "mysql"

    def session(self, database: str | None, user: str | None) -> Session:
        """A new connection (``database`` as the request named it, may be None)."""
        ...

    def close(self) -> None: ...
