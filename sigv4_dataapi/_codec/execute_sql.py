"""Legacy ``ExecuteSql`` responses (deprecated; Aurora Serverless v1 only, §2, §4).

Rare and small, so the body is parsed plainly and walked, not through the
Field hook of ``_decode``: its ``Value`` union differs (``bigIntValue``,
``structValue``, ...), its records are ``{"values": [...]}`` objects.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from sigv4_dataapi._codec.decode import (
    RecordDecoder,
    column_metadata,
    count_member,
    double_member,
    list_member,
    null_member,
)
from sigv4_dataapi._codec.result import Result
from sigv4_dataapi._errors import ResponseParseError

_LEGACY_SCALARS = frozenset(
    {"bitValue", "bigIntValue", "intValue", "realValue", "doubleValue", "stringValue"}
)


def parse_execute_sql_response(body: bytes | str, *, convert: bool = True) -> list[Result]:
    """A legacy ``ExecuteSql`` body -> one ``Result`` per statement (§4 legacy shapes)."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ResponseParseError(f"the response is not the Data API's JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ResponseParseError(f"the response is a JSON {type(data).__name__}, not an object")
    statements = list_member(data, "sqlStatementResults")
    try:
        return [_legacy_statement(s, convert) for s in statements]
    except RecursionError as exc:
        raise ResponseParseError("the response nests too deeply to be the Data API's") from exc


def _legacy_statement(statement: object, convert: bool) -> Result:
    if not isinstance(statement, dict):
        raise ResponseParseError("sqlStatementResults must be a list of objects")
    frame = _member_object(statement, "resultFrame")
    metadata = _member_object(frame, "resultSetMetadata")
    columns = column_metadata(metadata.get("columnMetadata"))
    records = []
    for record in list_member(frame, "records"):
        if not isinstance(record, dict):
            raise ResponseParseError("a legacy record must be an object with values")
        records.append([_legacy_value(v) for v in list_member(record, "values")])
    return Result(
        RecordDecoder(columns, convert=convert).decode(records),
        columns=columns,
        number_of_records_updated=count_member(statement.get("numberOfRecordsUpdated")),
    )


def _member_object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ResponseParseError(f"{key} must be an object, got {type(value).__name__}")
    return value


def _legacy_value(value: object) -> Any:
    """One legacy ``Value`` union (``bigIntValue``, ``structValue``, ...) -> Python."""
    present = [(k, v) for k, v in value.items() if v is not None] if isinstance(value, dict) else []
    if len(present) != 1:
        raise ResponseParseError(f"a Value must have exactly one member, got {value!r}")
    ((key, member),) = present
    if key in _LEGACY_SCALARS:
        return (
            double_member(member)
            if key in ("realValue", "doubleValue") and isinstance(member, (str, int))
            else member
        )
    if key == "isNull":
        return null_member(member)
    if key == "blobValue":
        return _blob(member)
    if key == "arrayValues" and isinstance(member, list):
        return [_legacy_value(v) for v in member]
    if key == "structValue" and isinstance(member, dict):
        return [_legacy_value(v) for v in list_member(member, "attributes")]
    raise ResponseParseError(f"a Value has an unknown or malformed member {key!r}")


def _blob(text: object) -> bytes:
    try:
        return binascii.a2b_base64(text)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise ResponseParseError(f"blobValue is not base64: {exc}") from exc
