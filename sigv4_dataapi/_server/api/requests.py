"""Request bodies -> frozen request objects, checked as the service checks them.

JSON in any key order; members not in the model are ignored; wrong JSON types
are ``SerializationException``; model constraints (required members, lengths,
enums) are ``ValidationException`` in the front door's own wording, because
botocore does not check ``max`` lengths or enums (reference §2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._server.api.api_error import ApiError, validation
from sigv4_dataapi._server.api.fields import ResultOptions, coerce_bool, decode_parameters
from sigv4_dataapi._server.backends.base import Param

RESOURCE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?:cluster|db):(?P<name>[A-Za-z0-9-]+)"
)
SECRET_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+"
)
ARN_LENGTH = (11, 570)
DB_NAME_MAX = 64
TRANSACTION_ID_MAX = 192


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
MAX_DEPTH = 64  # nesting a request may have: the model's deepest is 5 (arrayValue in arrays)


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body, checked before any member is read.

    Not JSON: ``SerializationException``. Nested deeper than :data:`MAX_DEPTH`
    or holding a lone surrogate (``"\\ud800"``, which no engine can store):
    ``ValidationException``. Both are bad input (400), never a 500.
    """
    try:
        data = json.loads(body)
    except RecursionError:
        raise _too_deep() from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError("SerializationException", "Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ApiError("SerializationException", "Request body must be a JSON object")
    brackets = body.count(b"[") + body.count(b"{")  # C speed; the walk only when needed
    if brackets > MAX_DEPTH or _SURROGATE_ESCAPE.search(body):
        _check_tree(data)
    return data


def _too_deep() -> ApiError:
    return ApiError("ValidationException", f"Request body nests deeper than {MAX_DEPTH} levels")


def _check_tree(data: Any) -> None:
    """Depth and lone surrogates, walking the parsed body without recursion."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, where)
                stack.append((item, depth + 1, f"{where}.{key}" if where else key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{where}.{i + 1}") for i, item in enumerate(value))


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise validation(
            where or "body", "Member must be valid Unicode (no lone surrogate)", "'...'"
        ) from None


def _string(data: Mapping[str, Any], member: str, *, required: bool = False) -> str | None:
    value = data.get(member)
    if value is None:
        if required:
            raise validation(member, "Member must not be null")
        return None
    if not isinstance(value, str):
        raise ApiError(
            "SerializationException", f"Cannot deserialize value of type string at '{member}'"
        )
    return value


def _bounded(data: Mapping[str, Any], member: str, low: int, high: int, *, required: bool) -> str:
    value = _string(data, member, required=required)
    if value is None:
        return ""
    if len(value) < low:
        raise validation(
            member, f"Member must have length greater than or equal to {low}", f"'{value}'"
        )
    if len(value) > high:
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise validation(
            member, f"Member must have length less than or equal to {high}", f"'{shown}'"
        )
    return value


def _enum(data: Mapping[str, Any], member: str, allowed: tuple[str, ...]) -> str:
    value = _string(data, member) or allowed[0]
    if value not in allowed:
        raise validation(
            member, f"Member must satisfy enum value set: [{', '.join(allowed)}]", f"'{value}'"
        )
    return value


@dataclass(frozen=True)
class Target:
    """Which cluster, which secret, which database: every operation names them."""

    resource_arn: str
    secret_arn: str
    database: str | None
    schema: str | None

    @property
    def cluster_id(self) -> str:
        match = RESOURCE_ARN.fullmatch(self.resource_arn)
        return match.group("name") if match else self.resource_arn


def read_target(
    data: Mapping[str, Any], arn_member: str = "resourceArn", secret_member: str = "secretArn"
) -> Target:
    resource_arn = _bounded(data, arn_member, *ARN_LENGTH, required=True)
    secret_arn = _bounded(data, secret_member, *ARN_LENGTH, required=True)
    if not RESOURCE_ARN.fullmatch(resource_arn):
        raise ApiError("BadRequestException", f"Invalid resource ARN: {resource_arn}")
    if not SECRET_ARN.fullmatch(secret_arn):
        raise ApiError("BadRequestException", f"Invalid secret ARN: {secret_arn}")
    database = _bounded(data, "database", 0, DB_NAME_MAX, required=False) or None
    schema = _bounded(data, "schema", 0, DB_NAME_MAX, required=False) if "schema" in data else None
    return Target(resource_arn, secret_arn, database, schema)


def read_transaction_id(data: Mapping[str, Any], *, required: bool) -> str | None:
    return _bounded(data, "transactionId", 0, TRANSACTION_ID_MAX, required=required) or None


def read_sql(data: Mapping[str, Any], member: str, max_chars: int) -> str:
    return _bounded(data, member, 0, max_chars, required=True)


@dataclass(frozen=True)
class ExecuteRequest:
    target: Target
    sql: str
    parameters: list[Param]
    transaction_id: str | None
    include_metadata: bool
    continue_after_timeout: bool
    options: ResultOptions
    format_json: bool


def _flag(data: Mapping[str, Any], member: str) -> bool:
    value = data.get(member)
    return False if value is None else coerce_bool(value, member)


def _result_options(data: Mapping[str, Any]) -> ResultOptions:
    raw = data.get("resultSetOptions") or {}
    if not isinstance(raw, Mapping):
        raise ApiError("SerializationException", "Expected an object at 'resultSetOptions'")
    decimal = _enum(raw, "decimalReturnType", ("STRING", "DOUBLE_OR_LONG"))
    long = _enum(raw, "longReturnType", ("LONG", "STRING"))
    return ResultOptions(decimal_as_number=decimal != "STRING", long_as_string=long == "STRING")


def read_execute(data: Mapping[str, Any], max_sql: int) -> ExecuteRequest:
    return ExecuteRequest(
        target=read_target(data),
        sql=read_sql(data, "sql", max_sql),
        parameters=decode_parameters(data.get("parameters"), "parameters"),
        transaction_id=read_transaction_id(data, required=False),
        include_metadata=_flag(data, "includeResultMetadata"),
        continue_after_timeout=_flag(data, "continueAfterTimeout"),
        options=_result_options(data),
        format_json=_enum(data, "formatRecordsAs", ("NONE", "JSON")) == "JSON",
    )


@dataclass(frozen=True)
class BatchRequest:
    target: Target
    sql: str
    parameter_sets: list[list[Param]]
    transaction_id: str | None


def read_batch(data: Mapping[str, Any], max_sql: int) -> BatchRequest:
    raw_sets = data.get("parameterSets") or []
    if not isinstance(raw_sets, list):
        raise ApiError("SerializationException", "Expected a list at 'parameterSets'")
    return BatchRequest(
        target=read_target(data),
        sql=read_sql(data, "sql", max_sql),
        parameter_sets=[
            decode_parameters(raw, f"parameterSets.{i + 1}.member")
            for i, raw in enumerate(raw_sets)
        ],
        transaction_id=read_transaction_id(data, required=False),
    )
