"""An ``ExecuteStatement`` reply from a statement's result (reference F2, F8, F9, F15).

Limits are checked on the data before any JSON is made: each row's values
(their bytes, not their JSON) against 64 KB, the sum against 1 MiB, and the
``formattedRecords`` string against 10 MB.
"""

from __future__ import annotations

from typing import Any

from sigv4_dataapi._server.api.api_error import ApiError, Faults
from sigv4_dataapi._server.api.fields import column_metadata, encode_field, value_size
from sigv4_dataapi._server.api.jsonformat import duplicate_label, format_records
from sigv4_dataapi._server.api.requests import ExecuteRequest
from sigv4_dataapi._server.backends.base import StatementResult, Value
from sigv4_dataapi._server.server_settings import Limits


def check_sizes(rows: list[list[Value]], limits: Limits, faults: Faults) -> None:
    total = 0
    for row in rows:
        size = sum(value_size(v) for v in row)
        if size > limits.max_row_bytes:
            raise faults.row_too_large(size, limits.max_row_bytes)
        total += size
        if total > limits.max_result_bytes:
            raise faults.result_too_large()


def shape_execute(
    request: ExecuteRequest, result: StatementResult, limits: Limits, faults: Faults
) -> dict[str, Any]:
    reply: dict[str, Any] = {"numberOfRecordsUpdated": result.rows_updated}
    if result.generated:
        reply["generatedFields"] = [encode_field(v, request.options) for v in result.generated]
    if result.columns is None:
        return reply
    check_sizes(result.rows, limits, faults)
    if request.format_json:
        label = duplicate_label(result.columns)
        if label is not None:
            raise ApiError(
                "BadRequestException" if faults.v1 else "UnsupportedResultException",
                f"The result contains duplicate column names: {label}",
            )
        text = format_records(result.columns, result.rows, request.options)
        if len(text) > limits.max_json_bytes:
            raise faults.json_too_large()
        reply["formattedRecords"] = text
        return reply
    options = request.options
    reply["records"] = [[encode_field(v, options) for v in row] for row in result.rows]
    if request.include_metadata:
        reply["columnMetadata"] = [column_metadata(c) for c in result.columns]
    return reply
