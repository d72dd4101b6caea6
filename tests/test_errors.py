"""Error answers become the right class with the right facts (rds-data-api.md §3)."""

from __future__ import annotations

import json

import pytest

from sigv4_dataapi import _errors
from sigv4_dataapi._errors import (
    SERVICE_ERRORS,
    AccessDeniedException,
    BadRequestException,
    ConnectionLostError,
    DataAPIError,
    DatabaseError,
    DatabaseErrorException,
    DatabaseResumingException,
    DatabaseUnavailableException,
    InternalServerErrorException,
    ReadTimeoutError,
    ResponseParseError,
    ServerFaultError,
    ServiceError,
    StatementMayHaveRunError,
    StatementTimeoutException,
    ThrottlingError,
    TransportError,
    ValidationException,
)
from sigv4_dataapi._wire import error_from_response

JSON = {"Content-Type": "application/json", "x-amzn-RequestId": "rid-1"}

# Every modeled code of the rds-data model (§3), plus the unmodeled ones seen live.
MODELED = [
    "AccessDeniedException", "BadRequestException", "DatabaseErrorException",
    "DatabaseNotFoundException", "DatabaseResumingException", "DatabaseUnavailableException",
    "ForbiddenException", "HttpEndpointNotEnabledException", "InternalServerErrorException",
    "InvalidResourceStateException", "InvalidSecretException", "NotFoundException",
    "SecretsErrorException", "ServiceUnavailableError", "StatementTimeoutException",
    "TransactionNotFoundException", "UnsupportedResultException", "ValidationException",
    "ThrottlingException", "UnrecognizedClientException", "InvalidSignatureException",
    "ExpiredTokenException", "IncompleteSignatureException",
]  # fmt: skip


def answer(status: int, body: object, **headers: str) -> DataAPIError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(status, {**JSON, **headers}, raw, operation="ExecuteStatement")


@pytest.mark.parametrize("code", MODELED)
def test_every_code_has_its_own_class(code: str) -> None:
    error = answer(400, {"message": "m"}, **{"x-amzn-ErrorType": code})
    assert type(error).__name__ == code
    assert type(error) is SERVICE_ERRORS[code]
    assert isinstance(error, ServiceError)
    assert error.code == code and error.message == "m" and error.status_code == 400
    assert error.request_id == "rid-1" and error.operation == "ExecuteStatement"


def test_every_class_in_the_table_is_exported_by_its_name() -> None:
    for cls in set(SERVICE_ERRORS.values()):
        assert getattr(_errors, cls.__name__) is cls


def test_header_code_wins_and_its_suffix_is_dropped() -> None:
    error = answer(400, {"message": "x", "__type": "DatabaseErrorException"},
                   **{"x-amzn-ErrorType": "BadRequestException:http://internal.amazon.com/coral/"
                      "com.amazon.rdsdataservice/"})  # fmt: skip
    assert type(error) is BadRequestException


@pytest.mark.parametrize(
    "body",
    [
        {"code": "ValidationException", "message": "Multistatements aren't supported."},
        {"Code": "ValidationException", "Message": "Multistatements aren't supported."},
        {"__type": "com.amazon.rdsdataservice#ValidationException",
         "message": "Multistatements aren't supported."},
    ],
)  # fmt: skip
def test_code_from_the_body_when_there_is_no_header(body: dict[str, str]) -> None:
    error = answer(400, body)
    assert type(error) is ValidationException
    assert error.message == "Multistatements aren't supported."


def test_unknown_code_is_kept_on_a_plain_service_error() -> None:
    error = answer(400, {"message": "?"}, **{"x-amzn-ErrorType": "BrandNewException"})
    assert type(error) is ServiceError and error.code == "BrandNewException"
    assert str(error) == "BrandNewException (400): ? [request id rid-1]"


@pytest.mark.parametrize(("status", "cls"), [(500, ServerFaultError), (429, ThrottlingError),
                                             (404, ServiceError)])  # fmt: skip
def test_no_code_at_all_falls_back_to_the_status(status: int, cls: type) -> None:
    error = answer(status, {})
    assert type(error) is cls and error.code == str(status)


def test_html_from_a_proxy_on_5xx_is_an_ambiguous_server_fault() -> None:
    error = error_from_response(502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>")
    assert isinstance(error, ServerFaultError) and isinstance(error, StatementMayHaveRunError)
    assert "not the service's JSON (text/html)" in str(error) and "Bad Gateway" in str(error)


@pytest.mark.parametrize("body", [b"<html>nope</html>", b'{"message": "trunc', b"[1, 2]"])
def test_a_4xx_body_that_is_not_the_service_json_is_a_parse_error(body: bytes) -> None:
    error = error_from_response(400, {"Content-Type": "text/html"}, body)
    assert type(error) is ResponseParseError
    assert "HTTP 400" in str(error)


def test_code_in_the_header_survives_a_broken_body() -> None:
    error = error_from_response(400, {"x-amzn-ErrorType": "AccessDeniedException"}, b"<oops")
    assert type(error) is AccessDeniedException and error.message == ""


def test_statement_timeout_keeps_the_connection_id() -> None:
    error = answer(400, {"message": "t", "dbConnectionId": 987654321012},
                   **{"x-amzn-ErrorType": "StatementTimeoutException"})  # fmt: skip
    assert isinstance(error, StatementTimeoutException)
    assert error.db_connection_id == 987654321012


@pytest.mark.parametrize(
    ("message", "sqlstate", "errno"),
    [
        ('ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01',
         "42P01", None),
        ('ERROR: null value in column "name" violates not-null constraint; SQLState: 23502',
         "23502", None),
        ("Database error code: 1146. Message: Table 'db.x' doesn't exist", None, 1146),
        ("Duplicate entry '1' for key 'PRIMARY'; Error code: 1062; SQLState: 23000",
         "23000", 1062),
        ("something else entirely", None, None),
    ],
)  # fmt: skip
def test_database_errors_expose_sqlstate_and_mysql_errno(
    message: str, sqlstate: str | None, errno: int | None
) -> None:
    for code in ("DatabaseErrorException", "BadRequestException"):
        error = answer(400, {"message": message}, **{"x-amzn-ErrorType": code})
        assert isinstance(error, DatabaseError)
        assert error.sqlstate == sqlstate and error.mysql_errno == errno


def test_the_ambiguous_classes_are_marked_and_the_others_are_not() -> None:
    ambiguous = {InternalServerErrorException, DatabaseUnavailableException,
                 StatementTimeoutException, ReadTimeoutError, ConnectionLostError}  # fmt: skip
    for cls in ambiguous:
        assert issubclass(cls, StatementMayHaveRunError), cls
    for cls in (DatabaseErrorException, DatabaseResumingException, AccessDeniedException,
                ThrottlingError, _errors.ConnectError, _errors.CertificateError):  # fmt: skip
        assert not issubclass(cls, StatementMayHaveRunError), cls
    assert issubclass(ReadTimeoutError, TransportError)


def test_message_never_holds_the_request_body() -> None:
    error = answer(500, b"<html>" + b"x" * 5000, **{"Content-Type": "text/html"})
    assert len(str(error)) < 400
