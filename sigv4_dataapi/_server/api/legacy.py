"""The deprecated ``ExecuteSql`` (v1 only): ``;``-separated statements, old shapes.

Each statement runs in turn on one autocommit session; each gives a
``SqlStatementResult`` with a ``resultFrame`` of ``Record``/``Value`` items
(``bigIntValue``, ``bitValue``, ``arrayValues``...; reference §4).
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from sigv4_dataapi._server.api.fields import column_metadata
from sigv4_dataapi._server.backends.base import Session, Value
from sigv4_dataapi._sqltext.split import split_statements


def legacy_value(value: Value) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"bitValue": value}
    if isinstance(value, int):
        return {"bigIntValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"blobValue": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return {"arrayValues": [legacy_value(v) for v in value]}
    if isinstance(value, Decimal):
        return {"stringValue": format(value, "f")}
    return {"stringValue": value}


def execute_sql(session: Session, sql: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for statement in split_statements(sql):
        result = session.execute(statement, [])
        entry: dict[str, Any] = {"numberOfRecordsUpdated": result.rows_updated}
        if result.columns is not None:
            entry["resultFrame"] = {
                "resultSetMetadata": {
                    "columnCount": len(result.columns),
                    "columnMetadata": [column_metadata(c) for c in result.columns],
                },
                "records": [{"values": [legacy_value(v) for v in row]} for row in result.rows],
            }
        results.append(entry)
    return results
