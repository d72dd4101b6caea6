"""Error answers become the right class with the right facts (rds-data-api.md §3)."""

from __future__ import annotations

import json

import httpx
import pytest

from sigv4_dataapi import _errors
from sigv4_dataapi._errors import (
    SERVICE_ERRORS,
    AccessDeniedException,
    BadRequestException,
    ConnectionLostError,
    DataAPIError,
    DatabaseErrorException,
    DatabaseResumingException,
    DatabaseUnavailableException,
    InternalServerErrorException,
    ReadTimeoutError,
    ResponseParseError,
    ServerFaultError,
    ServiceError,
    StatementError,
    StatementMayHaveRunError,
    StatementTimeoutException,
    ThrottlingError,
    TransportError,
    ValidationException,
)
from sigv4_dataapi._transport.answers import error_from_httpx, error_from_response

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
    assert type(error) is cls and isinstance(error, ServiceError) and error.code == str(status)


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
        assert isinstance(error, StatementError)
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


@pytest.mark.parametrize(
    ("code", "status"),
    [("InternalServerErrorException", 500), ("ServiceUnavailableError", 503),
     ("DatabaseUnavailableException", 504), ("StatementTimeoutException", 400)],
)  # fmt: skip
def test_an_ambiguous_answer_says_the_statement_may_have_run(code: str, status: int) -> None:
    error = answer(status, {"message": "m"}, **{"x-amzn-ErrorType": code})
    assert isinstance(error, StatementMayHaveRunError)
    assert str(error).endswith("; ExecuteStatement: the statement may have run")
    final = answer(400, {"message": "m"}, **{"x-amzn-ErrorType": "DatabaseErrorException"})
    assert "may have run" not in str(final)


@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), _errors.ConnectError),
        (httpx.ConnectError("[Errno 111] Connection refused"), _errors.ConnectError),
        (httpx.ConnectTimeout("timed out"), _errors.ConnectError),
        (httpx.PoolTimeout("no connection free"), _errors.ConnectError),
        (httpx.ReadTimeout("timed out"), ReadTimeoutError),
        (httpx.WriteTimeout("timed out"), ReadTimeoutError),
        (httpx.RemoteProtocolError("Server disconnected"), ConnectionLostError),
        (httpx.ReadError("reset by peer"), ConnectionLostError),
        (httpx.WriteError("broken pipe"), ConnectionLostError),
        (httpx.UnsupportedProtocol("ftp"), _errors.ConfigurationError),
    ],
)  # fmt: skip
def test_httpx_failures_are_sorted_by_what_they_prove(failure: Exception, cls: type) -> None:
    """Connect failures (DNS, refused, connect/pool timeout) prove nothing was sent."""
    error = error_from_httpx(failure, "ExecuteStatement", "https://h")
    assert type(error) is cls
    may_have_run = isinstance(error, StatementMayHaveRunError)
    assert may_have_run is (cls in (ReadTimeoutError, ConnectionLostError))
    assert ("may have run" in str(error)) is may_have_run


def test_every_public_name_has_one_address() -> None:
    """``_errors`` re-exports both halves; nothing is defined twice or left out."""
    from sigv4_dataapi._errors import base as _errors_base
    from sigv4_dataapi._errors import service as _errors_service

    halves = [vars(_errors_base), vars(_errors_service)]
    for name in _errors.__all__:
        assert any(half.get(name) is getattr(_errors, name) for half in halves), name
    defined = {n for h in halves for n, v in h.items()
               if isinstance(v, type) and issubclass(v, BaseException)
               and v.__module__ in (_errors_base.__name__, _errors_service.__name__)}
    assert defined <= set(_errors.__all__)
