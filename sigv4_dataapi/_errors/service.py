"""The service's answers as exceptions: one class per error code, chosen through a table.

:data:`SERVICE_ERRORS` maps the code (read by ``_wire`` from ``x-amzn-ErrorType``
or the body) to a class; :func:`service_error` builds it. Database errors parse
the engine's SQLSTATE / MySQL error number out of the message (F12).
"""

from __future__ import annotations

import re

from sigv4_dataapi._errors.base import DataAPIError, StatementMayHaveRunError


class ServiceError(DataAPIError):
    """The service answered with an error; :data:`SERVICE_ERRORS` picks the subclass.

    Carries the wire facts as attributes: ``code`` (the service's error code),
    ``message``, ``status_code``, ``request_id`` (``x-amzn-RequestId``) and
    ``db_connection_id`` (``StatementTimeoutException`` only).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        request_id: str | None = None,
        db_connection_id: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.request_id = request_id
        self.db_connection_id = db_connection_id
        self.operation = operation

    def __str__(self) -> str:
        head = f"{self.code} ({self.status_code})"
        tail = f" [request id {self.request_id}]" if self.request_id else ""
        if isinstance(self, StatementMayHaveRunError) and self.operation:
            tail += f"; {self.operation}: the statement may have run"  # say it, not only type it
        return f"{head}: {self.message}{tail}" if self.message else f"{head}{tail}"


# F12: v2 PostgreSQL ends with "SQLState: 42P01"; v1 MySQL says "Database error code: 1146."
_SQLSTATE = re.compile(r"SQLState:\s*([0-9A-Z]{5})\b", re.IGNORECASE)
_MYSQL_ERRNO = re.compile(r"(?:Database error code|Error code):\s*(\d+)", re.IGNORECASE)


class StatementError(ServiceError):
    """The database rejected the SQL; the engine's code is parsed from the message."""

    @property
    def sqlstate(self) -> str | None:
        """The five-character SQLSTATE, when the message carries one."""
        match = _SQLSTATE.search(self.message)
        return match.group(1).upper() if match else None

    @property
    def mysql_errno(self) -> int | None:
        """The MySQL/MariaDB error number, when the message carries one."""
        match = _MYSQL_ERRNO.search(self.message)
        return int(match.group(1)) if match else None


# The name of ``StatementError`` in 0.1, kept so that code written against it still works.
# PEP 249's ``DatabaseError`` is another thing: ``sigv4_dataapi.dbapi.DatabaseError``.
DatabaseError = StatementError


class DatabaseErrorException(StatementError):
    """v2: the SQL failed in the database."""


class BadRequestException(StatementError):
    """v1: any rejected request, SQL errors and "Communications link failure" included."""


# v1's "Communications link failure" (MySQL Connector/J's text, rds-data-api.md F6). Only the
# form saying that no packet ever reached the server proves the statement did not run.
COMMUNICATIONS_LINK_FAILURE = "Communications link failure"
_NOTHING_SENT = (
    "the last packet sent successfully to the server was 0 milliseconds ago.",
    "the driver has not received any packets from the server.",
)


def is_link_failure(message: str) -> bool:
    return message.lstrip().startswith(COMMUNICATIONS_LINK_FAILURE)


def is_link_failure_before_sending(message: str) -> bool:
    """The resume signal: the link failed before a packet of the statement was sent."""
    text = " ".join(message.split()).lower()
    return is_link_failure(message) and all(sentence in text for sentence in _NOTHING_SENT)


class LinkFailureError(BadRequestException, StatementMayHaveRunError):
    """A "Communications link failure" that broke mid-statement: it may have run.

    Still a ``BadRequestException`` (what v1 code catches); the client replays
    it only for an idempotent call, like any other ambiguous failure.
    """


class ThrottlingError(ServiceError):
    """Too many requests: nothing ran, retried with backoff."""


class ThrottlingException(ThrottlingError):
    """The AWS front door throttled the call."""


class TooManyRequestsException(ThrottlingError):
    """The AWS front door throttled the call (HTTP 429)."""


class AuthError(ServiceError):
    """Authentication or authorisation failed before anything ran."""


class AccessDeniedException(AuthError):
    """IAM denied the call (or the secret)."""


class ForbiddenException(AuthError):
    """The call is forbidden for this caller."""


class UnrecognizedClientException(AuthError):
    """The access key id is unknown."""


class InvalidSignatureException(AuthError):
    """The signature did not verify (or expired: see the clock-skew re-sign)."""


class ExpiredTokenException(AuthError):
    """The session token has expired."""


class IncompleteSignatureException(AuthError):
    """The Authorization header is malformed or misses a part."""


class ServerFaultError(ServiceError, StatementMayHaveRunError):
    """A 5xx: the service failed somewhere after accepting the request."""


class InternalServerErrorException(ServerFaultError):
    """500 from the service."""


class ServiceUnavailableError(ServerFaultError):
    """503 from the service."""


class DatabaseUnavailableException(ServerFaultError):
    """504: the database did not answer the service in time."""


class StatementTimeoutException(ServiceError, StatementMayHaveRunError):
    """The statement ran past the call timeout (45 s); it may have committed or still run."""


class DatabaseResumingException(ServiceError):
    """The cluster is resuming from auto-pause; the client waits this out."""


class DatabaseNotFoundException(ServiceError):
    """The database does not exist."""


class TransactionNotFoundException(ServiceError):
    """The transaction id is unknown, finished or expired (3 minutes idle)."""


class NotFoundException(ServiceError):
    """The resource (v1: often the transaction) was not found."""


class HttpEndpointNotEnabledException(ServiceError):
    """The Data API is not enabled on the cluster."""


class InvalidResourceStateException(ServiceError):
    """The cluster is not in a state that accepts the call."""


class InvalidSecretException(ServiceError):
    """The secret is not usable for the database login."""


class SecretsErrorException(ServiceError):
    """Secrets Manager failed while the service read the secret."""


class UnsupportedResultException(ServiceError):
    """The result is too large (1 MiB) or holds a type the Data API cannot return."""


class ValidationException(ServiceError):
    """Unmodeled: multi-statement SQL, or the ``schema`` parameter on v2."""


def _by_name(*classes: type[ServiceError]) -> dict[str, type[ServiceError]]:
    return {cls.__name__: cls for cls in classes}


# service error code -> class; a code missing here becomes a plain ServiceError
# (or ServerFaultError for a 5xx status), never a lost error.
SERVICE_ERRORS: dict[str, type[ServiceError]] = {
    **_by_name(
        AccessDeniedException,
        BadRequestException,
        DatabaseErrorException,
        DatabaseNotFoundException,
        DatabaseResumingException,
        DatabaseUnavailableException,
        ExpiredTokenException,
        ForbiddenException,
        HttpEndpointNotEnabledException,
        IncompleteSignatureException,
        InternalServerErrorException,
        InvalidResourceStateException,
        InvalidSecretException,
        InvalidSignatureException,
        NotFoundException,
        SecretsErrorException,
        ServiceUnavailableError,
        StatementTimeoutException,
        ThrottlingException,
        TooManyRequestsException,
        TransactionNotFoundException,
        UnrecognizedClientException,
        UnsupportedResultException,
        ValidationException,
    ),
    "AccessDenied": AccessDeniedException,
    "Throttling": ThrottlingException,
    "ThrottledException": ThrottlingException,
    "RequestLimitExceeded": ThrottlingException,
    "SignatureDoesNotMatch": InvalidSignatureException,
    "InvalidClientTokenId": UnrecognizedClientException,
    "InternalFailure": InternalServerErrorException,
    "ServiceUnavailable": ServiceUnavailableError,
}


def service_error(
    code: str,
    message: str,
    *,
    status_code: int,
    request_id: str | None = None,
    db_connection_id: int | None = None,
    operation: str | None = None,
) -> ServiceError:
    """Build the exception for one error answer, choosing its class by ``code``."""
    cls = SERVICE_ERRORS.get(code)
    if cls is BadRequestException and is_link_failure(message) \
            and not is_link_failure_before_sending(message):  # fmt: skip
        cls = LinkFailureError
    if cls is None:
        cls = ServerFaultError if status_code >= 500 else ServiceError
        if status_code == 429:
            cls = ThrottlingError
    return cls(
        message,
        code=code,
        status_code=status_code,
        request_id=request_id,
        db_connection_id=db_connection_id,
        operation=operation,
    )
