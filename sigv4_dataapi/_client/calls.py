"""The sans-IO core both clients share: request bodies in, decoded answers out.

:class:`Calls` builds the JSON body of each of the six operations from Python
values (serialised once, compactly) and decodes the answers; it never touches
the network, so ``Client`` and ``AsyncClient`` differ only in how they wait.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from sigv4_dataapi._codec import decode as _decode
from sigv4_dataapi._codec import encode as _encode  # loaded anyway: _codec.result uses it
from sigv4_dataapi._codec import jsontext
from sigv4_dataapi._codec.result import BatchResult, Result
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError
from sigv4_dataapi._transport import driver as _transport
from sigv4_dataapi._transport.retry import RetryPolicy

if TYPE_CHECKING:
    pass

Params = Mapping[str, object]
OnResume = Callable[[int, float, float], None]  # attempt, seconds waited, deadline
DEFAULT_RESUME_TIMEOUT = RetryPolicy().resume_timeout
RecordsFormat = Literal["NONE", "JSON"]


class BatchOptions(TypedDict, total=False):
    """Per-call options of ``batch_execute`` (every one optional)."""

    type_hints: Mapping[str, str] | None  # parameter name -> JSON/UUID/TIMESTAMP/DATE/TIME/DECIMAL
    transaction_id: str | None
    database: str | None  # default: the client's
    schema: str | None  # default: the client's (v2 rejects any schema, F10)


class ExecuteOptions(BatchOptions, total=False):
    """Per-call options of ``execute``: the service's request members (§2), snake_cased."""

    include_result_metadata: bool | None  # default: the client's (True)
    continue_after_timeout: bool | None
    format_records_as: RecordsFormat | None
    result_set_options: Mapping[str, str] | None  # decimalReturnType, longReturnType


# The legacy operation names its ARNs differently (rds-data-api.md §2).
_ARN_KEYS = {"ExecuteSql": ("dbClusterOrInstanceArn", "awsSecretStoreArn")}


# built once: ``json.dumps`` with options builds an encoder on every call
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
# ... and so does ``JSONEncoder.encode``: its C encoder, built here once without the
# circular-reference check (~2.5 us of ~7 for an ORM's body); None without the C module
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODER: Callable[[object, int], list[str]] | None = None
if _make_c_encoder is not None:  # markers, default, strings, indent, separators, sort, skip, nan
    _C_ENCODER = _make_c_encoder(
        None, _ENCODER.default, json.encoder.encode_basestring_ascii, None, ":", ",",
        False, False, False,
    )  # fmt: skip


def dumps(body: Mapping[str, Any]) -> bytes:
    """JSON as the service reads it: compact, ASCII-only (non-ASCII escaped, as boto3 does).

    NaN/Infinity are refused: they are not JSON (the codec sends them as strings).
    A value that contains itself recurses in the unchecked encoder; the checking
    one then names it, as it always did.
    """
    try:
        if _C_ENCODER is not None:
            try:
                return "".join(_C_ENCODER(body, 0)).encode("ascii")
            except RecursionError:
                pass  # circular (the checking encoder says so) or merely deep (it raises too)
        return _ENCODER.encode(body).encode("ascii")
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"the request cannot be sent as JSON: {exc}") from exc


def loads(raw: _transport.RawResponse) -> dict[str, Any]:
    """A 2xx body as a dict; anything else is a clear :class:`ResponseParseError`."""
    try:
        data = jsontext.loads(raw.content)  # json.loads, without its per-call overhead
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the stack
        snippet = raw.content[:120].decode("utf-8", "replace")
        raise ResponseParseError(f"the answer is not JSON ({exc}): {snippet!r}") from exc
    if not isinstance(data, dict):
        raise ResponseParseError(f"the answer is JSON but not an object: {type(data).__name__}")
    return data


class Calls:
    """Bodies and answers of the six operations, for one resource and secret (sans-IO)."""

    def __init__(
        self,
        resource_arn: str,
        secret_arn: str,
        *,
        database: str | None = None,
        schema: str | None = None,
        include_result_metadata: bool = True,
        convert: bool = True,
    ) -> None:
        if not resource_arn or not secret_arn:
            raise ConfigurationError("resource_arn and secret_arn are both required")
        self.resource_arn = resource_arn
        self.secret_arn = secret_arn
        self.database = database
        self.schema = schema
        self.include_result_metadata = include_result_metadata
        self.convert = convert

    def _base(self, database: str | None, schema: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"resourceArn": self.resource_arn, "secretArn": self.secret_arn}
        database = self.database if database is None else database
        schema = self.schema if schema is None else schema
        if database is not None:
            body["database"] = database
        if schema is not None:  # F10: v2 rejects any schema, so send it only when asked
            body["schema"] = schema
        return body

    def execute(
        self,
        sql: str,
        parameters: Params | None = None,
        *,
        type_hints: Mapping[str, str] | None = None,
        transaction_id: str | None = None,
        database: str | None = None,
        schema: str | None = None,
        include_result_metadata: bool | None = None,
        continue_after_timeout: bool | None = None,
        format_records_as: RecordsFormat | None = None,
        result_set_options: Mapping[str, str] | None = None,
    ) -> bytes:
        """The ``ExecuteStatement`` body; options left as ``None`` are not sent (§5)."""
        body = self._base(database, schema)
        body["sql"] = sql
        if parameters:
            body["parameters"] = _encode.encode_parameters(parameters, type_hints=type_hints)
        elif type_hints:
            raise ConfigurationError("type_hints given without parameters")
        if transaction_id is not None:
            body["transactionId"] = transaction_id
        if include_result_metadata is None:
            include_result_metadata = self.include_result_metadata
        if include_result_metadata:
            body["includeResultMetadata"] = True
        if continue_after_timeout is not None:
            body["continueAfterTimeout"] = continue_after_timeout
        if format_records_as is not None:
            body["formatRecordsAs"] = format_records_as
        if result_set_options is not None:
            body["resultSetOptions"] = dict(result_set_options)
        return dumps(body)

    def batch_execute(
        self,
        sql: str,
        parameter_sets: Iterable[Params],
        *,
        type_hints: Mapping[str, str] | None = None,
        transaction_id: str | None = None,
        database: str | None = None,
        schema: str | None = None,
    ) -> bytes:
        """The ``BatchExecuteStatement`` body: one parameter set per execution."""
        body = self._base(database, schema)
        body["sql"] = sql
        body["parameterSets"] = _encode.encode_parameter_sets(parameter_sets, type_hints=type_hints)
        if transaction_id is not None:
            body["transactionId"] = transaction_id
        return dumps(body)

    def begin(self, *, database: str | None = None, schema: str | None = None) -> bytes:
        return dumps(self._base(database, schema))

    def end(self, transaction_id: str) -> bytes:
        """The body of ``CommitTransaction`` and ``RollbackTransaction``."""
        if not transaction_id:
            raise ConfigurationError("a transaction id is required")
        return dumps({"resourceArn": self.resource_arn, "secretArn": self.secret_arn,
                      "transactionId": transaction_id})  # fmt: skip

    def call(self, operation: str, params: Mapping[str, Any]) -> bytes:
        """Any operation's body from a dict; the client's ARNs fill in when left out."""
        if operation not in _transport.OPERATIONS:
            known = ", ".join(_transport.OPERATIONS)
            raise ConfigurationError(f"unknown operation {operation!r} (one of {known})")
        if not isinstance(params, Mapping):
            raise ConfigurationError("call() takes the request as a dict")
        resource_key, secret_key = _ARN_KEYS.get(operation, ("resourceArn", "secretArn"))
        return dumps({resource_key: self.resource_arn, secret_key: self.secret_arn, **params})

    def execute_sql(
        self, sql_statements: str, *, database: str | None, schema: str | None
    ) -> bytes:
        """The legacy ``ExecuteSql`` body (v1 only, deprecated, §2): ARNs under their old names."""
        body: dict[str, Any] = {"sqlStatements": sql_statements}
        database = self.database if database is None else database
        schema = self.schema if schema is None else schema
        if database is not None:
            body["database"] = database
        if schema is not None:
            body["schema"] = schema
        return self.call("ExecuteSql", body)

    def execute_sql_results(self, raw: _transport.RawResponse) -> list[Result]:
        """One ``Result`` per statement of a legacy ``ExecuteSql`` answer."""
        from sigv4_dataapi._codec.execute_sql import parse_execute_sql_response

        return parse_execute_sql_response(raw.content, convert=self.convert)

    def result(self, raw: _transport.RawResponse, convert: bool | None = None) -> Result:
        return _decode.parse_execute_response(
            raw.content, convert=self.convert if convert is None else convert
        )

    @staticmethod
    def batch_result(raw: _transport.RawResponse) -> BatchResult:
        return _decode.parse_batch_execute_response(raw.content)

    @staticmethod
    def text(raw: _transport.RawResponse, key: str) -> str:
        """``transactionId`` or ``transactionStatus`` out of a small answer."""
        value = loads(raw).get(key)
        if not isinstance(value, str):
            raise ResponseParseError(f"the answer has no {key!r} string")
        return value
