"""PEP 249's exception hierarchy, carrying the database's diagnostics.

    Warning
    Error                          (also a sigv4_dataapi DataAPIError)
    ├── InterfaceError             misuse of this module: closed connection or cursor
    └── DatabaseError
        ├── DataError              bad data: division by zero, out of range, too long
        │   └── ResultTooLargeError  a result or a row over the Data API's size limits
        ├── OperationalError       outside the programmer's control: timeouts, auth
        │   └── TransactionLostError the transaction expired (3 minutes idle) or was ended
        ├── IntegrityError         unique, foreign key, not-null violations
        ├── InternalError          invalid transaction state (25P02), invalid cursor
        ├── ProgrammingError       syntax, missing table, wrong parameters
        └── NotSupportedError      a feature the Data API or the engine lacks

Every error raised for a service answer keeps that answer as ``__cause__`` and
carries ``sqlstate``, ``errno`` (MySQL), ``detail``/``hint``/``position``
(PostgreSQL, when the message has them). The mapping lives in ``_errormap``.
"""

from __future__ import annotations

from sigv4_dataapi._errors import DataAPIError


class Warning(Exception):
    """Important warnings (PEP 249); this module raises none today."""


class Error(DataAPIError):
    """The root of PEP 249's errors, and a :class:`sigv4_dataapi.DataAPIError`.

    Attributes are ``None`` when the message did not carry them.
    """

    def __init__(
        self,
        message: str = "",
        *,
        sqlstate: str | None = None,
        errno: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
        self.errno = errno
        self.detail = detail
        self.hint = hint
        self.position = position


class InterfaceError(Error):
    """The module was misused: a closed connection or cursor, a wrong argument type."""


class DatabaseError(Error):
    """An error reported by the database or the Data API."""


class DataError(DatabaseError):
    """Bad data: division by zero, a value out of range or too long."""


class OperationalError(DatabaseError):
    """Outside the programmer's control: a lost transaction, access denied, a timeout."""


class TransactionLostError(OperationalError):
    """The Data API transaction is gone: idle for 3 minutes, or ended by an error.

    The connection has forgotten it; the next statement begins a new one.
    """


class IntegrityError(DatabaseError):
    """A relational integrity violation: unique key, foreign key, not null, check."""


class InternalError(DatabaseError):
    """The database is in an invalid state: an aborted transaction (25P02), a bad cursor."""


class ProgrammingError(DatabaseError):
    """A mistake in the SQL or its parameters: syntax, missing table, missing parameter."""


class NotSupportedError(DatabaseError):
    """A feature the Data API or the engine does not offer."""


class ResultTooLargeError(DataError):
    """A result over the Data API's 1 MiB response limit, or a row over 64 KB.

    ``limit`` is ``"response"`` or ``"row"``; ``transaction_lost`` says whether
    the open transaction ended with it (the service ends it on such an error).
    """

    def __init__(self, message: str, *, limit: str, transaction_lost: bool, **info: object) -> None:
        super().__init__(message, **info)  # type: ignore[arg-type]
        self.limit = limit
        self.transaction_lost = transaction_lost


EXCEPTIONS: tuple[type[Exception], ...] = (
    Warning,
    Error,
    InterfaceError,
    DatabaseError,
    DataError,
    OperationalError,
    IntegrityError,
    InternalError,
    ProgrammingError,
    NotSupportedError,
)

__all__ = [
    "EXCEPTIONS",
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "ResultTooLargeError",
    "TransactionLostError",
    "Warning",
]
