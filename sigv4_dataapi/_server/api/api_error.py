"""Error replies of the local endpoint: one exception type, one table of statuses.

Every failure inside the endpoint is an :class:`ApiError` carrying the wire
code, the HTTP status and the message; the HTTP layer turns it into a JSON
reply in exactly one place (``_server``). The flavour-specific choices
(v1 answers nearly everything with ``BadRequestException``, v2 has a code per
case) live in :class:`Faults`, so the operations never spell a code twice.
Texts follow ``shared/reference/rds-data-api.md`` (§3, F2, F5-F7, F10, F12).
"""

from __future__ import annotations

from typing import Any

from sigv4_dataapi._server.backends.base import (
    EngineError,
    InternalFailureError,
    UnsupportedResultError,
)

# Status per code: §3 for modelled codes, 400/403 for the front door's own.
STATUS: dict[str, int] = {
    "AccessDeniedException": 403,
    "BadRequestException": 400,
    "DatabaseErrorException": 400,
    "DatabaseNotFoundException": 404,
    "DatabaseResumingException": 400,
    "DatabaseUnavailableException": 504,
    "ForbiddenException": 403,
    "HttpEndpointNotEnabledException": 400,
    "InternalServerErrorException": 500,
    "InvalidResourceStateException": 400,
    "InvalidSecretException": 400,
    "NotFoundException": 404,
    "SecretsErrorException": 400,
    "ServiceUnavailableError": 503,
    "StatementTimeoutException": 400,
    "TransactionNotFoundException": 404,
    "UnsupportedResultException": 400,
    # unmodelled, from the front door (authentication and input checks)
    "ValidationException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 404,
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 403,
    "InvalidSignatureException": 403,
    "UnrecognizedClientException": 403,
    "RequestEntityTooLargeException": 413,
}

# SQLSTATEs of a database that cannot be reached: connect failed, link lost
_CONNECTION_LOST = frozenset({"08001", "08006", "08S01"})
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."
COMMUNICATIONS_LINK_FAILURE = (
    "Communications link failure\n\nThe last packet sent successfully to the server was "
    "0 milliseconds ago. The driver has not received any packets from the server."
)


class ApiError(Exception):
    """A reply the endpoint sends instead of a result: code, status, message, extras."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = STATUS.get(code, 400)
        self.extra = extra
        self.aborts_transaction = False  # set when the call's transaction must end too

    def body(self) -> dict[str, Any]:
        """The JSON reply body: ``message`` plus modelled extras (``dbConnectionId``)."""
        return {"message": self.message, **self.extra}


def validation(member: str, constraint: str, value: str = "null") -> ApiError:
    """The front door's model-constraint failure, in the Coral wording SDKs show."""
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value {value} at '{member}' failed to satisfy "
        f"constraint: {constraint}",
    )


class Faults:
    """The errors whose code or text depends on the flavour (v1 or v2)."""

    def __init__(self, flavor: str) -> None:
        self.v1 = flavor == "v1"

    def _pick(self, v2_code: str, message: str) -> ApiError:
        return ApiError("BadRequestException" if self.v1 else v2_code, message)

    def database(self, v2_message: str, v1_message: str) -> ApiError:
        """F12: an SQL error from the engine."""
        if self.v1:
            return ApiError("BadRequestException", v1_message)
        return ApiError("DatabaseErrorException", v2_message)

    def from_database(self, exc: EngineError) -> ApiError:
        """An engine error as the service reports it: by kind, then the flavour's form."""
        if isinstance(exc, UnsupportedResultError):
            return self.unsupported_result(exc.message)
        if isinstance(exc, InternalFailureError):  # F17/F17b: a 500 and no message
            return ApiError("InternalServerErrorException", "")
        if exc.sqlstate == "3D000" or exc.errno == 1049:  # PostgreSQL / MySQL: no such db
            return self.database_not_found(exc.message, exc.v1_message)
        if exc.sqlstate in _CONNECTION_LOST:
            return self.unavailable(exc.message)
        return self.database(exc.message, exc.v1_message)

    def unavailable(self, message: str) -> ApiError:
        """The database cannot be reached (504; SDKs retry it), v1: a link failure."""
        if self.v1:
            return ApiError("BadRequestException", COMMUNICATIONS_LINK_FAILURE)
        return ApiError("DatabaseUnavailableException", message)

    def database_not_found(self, v2_message: str, v1_message: str) -> ApiError:
        """The ``database`` parameter names a database the cluster does not have."""
        if self.v1:
            return ApiError("BadRequestException", v1_message)
        return ApiError("DatabaseNotFoundException", v2_message)

    def result_too_large(self) -> ApiError:
        """F2: more than 1 MiB of result data."""
        if self.v1:
            return ApiError(
                "BadRequestException", "Database returned more than the allowed response size limit"
            )
        return ApiError("UnsupportedResultException", "The result exceeds the size limit 1 MB.")

    def row_too_large(self, size: int, limit: int) -> ApiError:
        """F2: one row over 64 KB; the message carries the driver's wording."""
        text = (
            f"Packet for query is too large ({size:,} > {limit:,}). You can change this value "
            "on the server by setting the 'max_allowed_packet' variable."
        )
        return self._pick("UnsupportedResultException", text)

    def unsupported_result(self, message: str) -> ApiError:
        """F9: a value the service cannot encode (multi-dimensional arrays, money...)."""
        return self._pick("UnsupportedResultException", message)

    def json_too_large(self) -> ApiError:
        return self._pick(
            "UnsupportedResultException", "The JSON result exceeds the size limit 10 MB."
        )

    def resuming(self, cluster_id: str) -> ApiError:
        """F6: a call that reaches an auto-paused cluster."""
        if self.v1:
            return ApiError("BadRequestException", COMMUNICATIONS_LINK_FAILURE)
        return ApiError(
            "DatabaseResumingException",
            f"The Aurora DB instance {cluster_id} is resuming after being auto-paused. "
            "Please wait a few seconds and try again.",
        )

    def multistatement(self) -> ApiError | None:
        """F7: v2 refuses several statements in one ``sql``; v1 lets the engine decide."""
        if self.v1:
            return None
        return ApiError("ValidationException", "Multistatements aren't supported.")

    def schema_parameter(self) -> ApiError | None:
        """F10: v2 refuses the ``schema`` parameter; v1 ignores it."""
        if self.v1:
            return None
        return ApiError("ValidationException", "The schema parameter isn't supported")

    def transaction_not_found(self, transaction_id: str, reason: str, *, ending: bool) -> ApiError:
        """F5: an unknown, expired or finished transaction id.

        v1 appends the reason; Commit/Rollback answer ``NotFoundException`` there.
        """
        if self.v1:
            code = "NotFoundException" if ending else "BadRequestException"
            return ApiError(code, f"Transaction {transaction_id} is not found. {reason}")
        message = f"Transaction {transaction_id} is not found"
        return ApiError("TransactionNotFoundException", message)

    def transaction_busy(self) -> ApiError:
        """F5: v2 refuses a second concurrent call on one transaction (v1 queues it)."""
        return ApiError("DatabaseErrorException", "Transaction is still running a query")

    def timeout(self, seconds: float, connection_id: int) -> ApiError:
        """F4: the statement ran longer than the call timeout."""
        return ApiError(
            "StatementTimeoutException",
            f"The statement timed out after {seconds:g} seconds.",
            dbConnectionId=connection_id,
        )

    def unknown_secret(self, secret_arn: str) -> ApiError:
        return self._pick(
            "SecretsErrorException",
            f"Error fetching secret {secret_arn} : "
            "Secrets Manager can't find the specified secret.",
        )

    def unknown_cluster(self, resource_arn: str) -> ApiError:
        return self._pick(
            "HttpEndpointNotEnabledException", f"HttpEndpoint is not enabled for {resource_arn}"
        )

    def bad_request(self, message: str) -> ApiError:
        return ApiError("BadRequestException", message)
