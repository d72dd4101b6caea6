"""The whole exception hierarchy of sigv4-dataapi: import every error from here.

    DataAPIError                        root of everything this package raises
    ├── ConfigurationError              bad argument, missing region/ARN, bad input file
    │   └── MissingDependencyError      an optional extra is not installed
    ├── SigningError                    a request cannot be signed (bad header, bad key id)
    ├── CredentialsError                credentials could not be obtained
    │   ├── NoCredentialsError          no provider was configured (lists every attempt)
    │   └── CredentialProviderError     a provider was configured but is broken
    ├── StatementMayHaveRunError        (marker) the outcome is unknown; nothing was replayed
    ├── TransportError                  the request could not be delivered or answered
    │   ├── ConnectError                never reached the service: provably not run
    │   │   └── CertificateError        the server's TLS certificate was rejected
    │   ├── ReadTimeoutError *          sent, but no answer in time (or not all of it)
    │   ├── ConnectionLostError *       sent, but the connection dropped before the answer
    │   └── ResponseTooLargeError *     the answer is over ``max_response_bytes``; not read
    ├── ResponseParseError              the answer is not the service's JSON
    └── ServiceError                    the service answered with an error code
        ├── StatementError              SQL failed: ``sqlstate`` / ``mysql_errno``
        │   ├── DatabaseErrorException
        │   └── BadRequestException     (v1 uses it for everything, SQL errors included)
        │       └── LinkFailureError *  v1's "Communications link failure" mid-statement
        ├── ThrottlingError             ThrottlingException, TooManyRequestsException
        ├── AuthError                   AccessDenied, Forbidden, InvalidSignature, ...
        ├── ServerFaultError *          InternalServerError, ServiceUnavailable, DatabaseUnavailable
        ├── StatementTimeoutException * carries ``db_connection_id``
        ├── DatabaseResumingException   a paused cluster is waking up (retried until a deadline)
        └── one class per other code    (``SERVICE_ERRORS`` maps code -> class)

``*`` marks the classes that are also :class:`StatementMayHaveRunError`: when
``ExecuteStatement``, ``BatchExecuteStatement``, ``CommitTransaction`` or
``ExecuteSql`` fails that way, the statement may have run, so the client raises
instead of replaying it (unless the caller said the call is idempotent).

The classes are defined in ``_errors_base`` (the roots and everything that is
not a service answer) and ``_errors_service`` (one class per service error code
and the table); this module is their single public address.
"""

from __future__ import annotations

from sigv4_dataapi._errors.base import (
    CertificateError,
    ConfigurationError,
    ConnectError,
    ConnectionLostError,
    CredentialProviderError,
    CredentialsError,
    DataAPIError,
    MissingDependencyError,
    NoCredentialsError,
    ReadTimeoutError,
    ResponseParseError,
    ResponseTooLargeError,
    SigningError,
    StatementMayHaveRunError,
    TransportError,
)
from sigv4_dataapi._errors.service import (
    SERVICE_ERRORS,
    AccessDeniedException,
    AuthError,
    BadRequestException,
    DatabaseError,
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
    LinkFailureError,
    NotFoundException,
    SecretsErrorException,
    ServerFaultError,
    ServiceError,
    ServiceUnavailableError,
    StatementError,
    StatementTimeoutException,
    ThrottlingError,
    ThrottlingException,
    TooManyRequestsException,
    TransactionNotFoundException,
    UnrecognizedClientException,
    UnsupportedResultException,
    ValidationException,
    service_error,
)

__all__ = [
    "SERVICE_ERRORS",
    "AccessDeniedException",
    "AuthError",
    "BadRequestException",
    "CertificateError",
    "ConfigurationError",
    "ConnectError",
    "ConnectionLostError",
    "CredentialProviderError",
    "CredentialsError",
    "DataAPIError",
    "DatabaseError",
    "DatabaseErrorException",
    "DatabaseNotFoundException",
    "DatabaseResumingException",
    "DatabaseUnavailableException",
    "ExpiredTokenException",
    "ForbiddenException",
    "HttpEndpointNotEnabledException",
    "IncompleteSignatureException",
    "InternalServerErrorException",
    "InvalidResourceStateException",
    "InvalidSecretException",
    "InvalidSignatureException",
    "LinkFailureError",
    "MissingDependencyError",
    "NoCredentialsError",
    "NotFoundException",
    "ReadTimeoutError",
    "ResponseParseError",
    "ResponseTooLargeError",
    "SecretsErrorException",
    "ServerFaultError",
    "ServiceError",
    "ServiceUnavailableError",
    "SigningError",
    "StatementError",
    "StatementMayHaveRunError",
    "StatementTimeoutException",
    "ThrottlingError",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionNotFoundException",
    "TransportError",
    "UnrecognizedClientException",
    "UnsupportedResultException",
    "ValidationException",
    "service_error",
]
