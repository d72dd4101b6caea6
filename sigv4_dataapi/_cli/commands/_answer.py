"""The Data API's answer as rows for the row modes, through the library's decoder.

``ExecuteStatement`` answers go through ``_decode.parse_execute_response``: one
parse that unwraps each Field as ``json.loads`` meets it (no Field dicts are
ever built), then the column converters of ``_columns``. The records are then
handed to the writers one row at a time; nothing is copied a second time.

``convert`` picks what the values are: the library's Python values (JSON
documents nested, ``Decimal``, dates) for ``json``/``jsonl``, or the service's
own text for ``table``/``csv``, which then show exactly what the database said.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._errors import ResponseParseError

# answers without rows: (member, what a table or CSV says about it on stderr)
_SUMMARIES = (
    ("transactionId", "transaction id"),
    ("transactionStatus", "transaction status"),
    ("numberOfRecordsUpdated", "rows updated"),
)


@dataclass(frozen=True)
class Rows:
    """Column keys (None when the answer has no rows), the rows, or a summary."""

    keys: tuple[str, ...] | None
    rows: Iterator[Sequence[object]]
    summary: str | None = None


def decode_rows(content: bytes, operation: str, *, convert: bool) -> Rows:
    """The rows of an ``ExecuteStatement`` answer, else a one-line summary."""
    if operation == "ExecuteStatement":
        return _statement_rows(content, convert)
    data = _object(content)
    if "updateResults" in data:
        return Rows(None, iter(()), f"parameter sets run: {_count(data['updateResults'])}")
    if "sqlStatementResults" in data:
        return Rows(None, iter(()), f"statements run: {_count(data['sqlStatementResults'])}")
    for key, label in _SUMMARIES:
        if key in data:
            return Rows(None, iter(()), f"{label}: {data[key]}")
    return Rows(None, iter(()))


def _statement_rows(content: bytes, convert: bool) -> Rows:
    from sigv4_dataapi._codec import decode as _decode
    from sigv4_dataapi._codec import result as _result

    result = _decode.parse_execute_response(content, convert=convert)
    if result.formatted_records is not None:
        objects = result.rows  # the parsed formattedRecords, not a copy
        keys = tuple(objects[0]) if objects else result.row_keys
        return Rows(keys, ([obj.get(k) for k in keys] for obj in objects))
    records = result.records
    if not records and not result.columns:
        summary = f"rows updated: {result.number_of_records_updated}"
        return Rows(None, iter(()), summary)
    columns = result.columns or (_result.ColumnMetadata(),) * len(records[0])
    return Rows(_result.row_keys(columns), iter(records))


def _object(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise ResponseParseError(f"the answer is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ResponseParseError("the answer is not a JSON object")
    return data


def _count(items: object) -> int:
    if not isinstance(items, list):
        raise ResponseParseError("the answer's results are not a list")
    return len(items)


def compact_json(content: bytes) -> bytes:
    """The answer on one line (for ``jsonl``), keeping every member as sent."""
    text = json.dumps(_object(content), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")
