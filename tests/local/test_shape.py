"""Reply shaping and its limits, with limits shrunk so the data stays small."""

from __future__ import annotations

from typing import Any

import pytest

from sigv4_dataapi._server.api.api_error import ApiError, Faults
from sigv4_dataapi._server.api.fields import ResultOptions
from sigv4_dataapi._server.api.requests import ExecuteRequest, Target
from sigv4_dataapi._server.api.shape import shape_execute
from sigv4_dataapi._server.backends.base import Column, StatementResult
from sigv4_dataapi._server.server_settings import Limits

COLUMNS = [Column("a", "a", 12, "text"), Column("b", "b", -5, "int8")]


def _request(**changes: Any) -> ExecuteRequest:
    options: dict[str, Any] = {
        "target": Target("arn", "secret", None, None), "sql": "SELECT", "parameters": [],
        "transaction_id": None, "include_metadata": False, "continue_after_timeout": False,
        "options": ResultOptions(), "format_json": False, **changes,
    }  # fmt: skip
    return ExecuteRequest(**options)


def _shape(request: ExecuteRequest, rows: list[list[Any]], limits: Limits, flavor: str) -> Any:
    return shape_execute(request, StatementResult(COLUMNS, rows), limits, Faults(flavor))


@pytest.mark.parametrize(
    ("limits", "code_v2", "text"),
    [
        (Limits(max_row_bytes=10), "UnsupportedResultException", "Packet for query is too large"),
        (Limits(max_result_bytes=20), "UnsupportedResultException", "size limit 1 MB"),
    ],
)
def test_size_limits_per_flavour(limits: Limits, code_v2: str, text: str) -> None:
    rows: list[list[Any]] = [["x" * 8, 1], ["y" * 8, 2], ["z" * 8, 3]]
    with pytest.raises(ApiError) as v2:
        _shape(_request(), rows, limits, "v2")
    assert (v2.value.code, text in v2.value.message) == (code_v2, True)
    with pytest.raises(ApiError) as v1:
        _shape(_request(), rows, limits, "v1")
    assert v1.value.code == "BadRequestException"


def test_json_string_limit_and_duplicate_labels() -> None:
    with pytest.raises(ApiError) as caught:
        _shape(_request(format_json=True), [["x", 1]], Limits(max_json_bytes=10), "v2")
    assert caught.value.message == "The JSON result exceeds the size limit 10 MB."
    twice = [Column("a", "same", 12, "text"), Column("b", "same", -5, "int8")]
    with pytest.raises(ApiError) as caught:
        shape_execute(
            _request(format_json=True), StatementResult(twice, []), Limits(), Faults("v2")
        )
    assert "duplicate column names: same" in caught.value.message


def test_metadata_only_when_asked_and_generated_fields() -> None:
    plain = _shape(_request(), [["x", 1]], Limits(), "v2")
    assert plain == {"numberOfRecordsUpdated": 0, "records": [[{"stringValue": "x"},
                                                               {"longValue": 1}]]}  # fmt: skip
    with_metadata = _shape(_request(include_metadata=True), [], Limits(), "v2")
    assert [c["typeName"] for c in with_metadata["columnMetadata"]] == ["text", "int8"]
    inserted = shape_execute(
        _request(), StatementResult(None, rows_updated=1, generated=[42]), Limits(), Faults("v2")
    )
    assert inserted == {"numberOfRecordsUpdated": 1, "generatedFields": [{"longValue": 42}]}
