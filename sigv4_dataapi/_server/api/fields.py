"""Fields both ways: request ``SqlParameter`` -> :class:`Param`, values -> ``Field``.

Requests are read as the service's JSON parser reads them: string-typed
booleans and numbers (``"true"``, ``"42"``) are coerced, every Field must hold
exactly one member, and array parameters are refused (reference §4, F11).
Results are shaped as the service shapes them (F8, F9): one non-null member
per Field, ``{"isNull": true}``, base64 blobs, ``arrayValue`` for arrays,
decimals as strings unless ``decimalReturnType`` says otherwise.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sigv4_dataapi._server.api.api_error import ApiError, validation
from sigv4_dataapi._server.backends.base import TYPE_HINTS, Column, Param, Value

_INT64 = (-(2**63), 2**63 - 1)
_SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# TypeHint formats (reference §4); the texts are java.sql's own IllegalArgumentException ones.
_HINT_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "DATE": (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "Date format must be yyyy-mm-dd"),
    "TIME": (re.compile(r"\d{1,2}:\d{2}:\d{2}(\.\d{1,9})?"), "Time format must be hh:mm:ss[.fff]"),
    "TIMESTAMP": (
        re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}(\.\d{1,9})?"),
        "Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]",
    ),
}


def _serialization(message: str) -> ApiError:
    return ApiError("SerializationException", message)


def coerce_bool(value: Any, member: str) -> bool:
    """A JSON boolean, or the strings ``"true"``/``"false"`` that hand-written files carry."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _serialization(f"Cannot deserialize value of type boolean from {value!r} at '{member}'")


def _coerce_long(value: Any, member: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]:
        return value
    raise _serialization(f"Cannot deserialize value of type long from {value!r} at '{member}'")


def _coerce_double(value: Any, member: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if value in _SPECIAL_DOUBLES:
            return _SPECIAL_DOUBLES[value]
        try:
            return float(value)
        except ValueError:
            pass
    raise _serialization(f"Cannot deserialize value of type double from {value!r} at '{member}'")


def _coerce_string(value: Any, member: str) -> str:
    if isinstance(value, str):
        return value
    raise _serialization(f"Cannot deserialize value of type string from {value!r} at '{member}'")


def _coerce_blob(value: Any, member: str) -> bytes:
    try:
        return base64.b64decode(_coerce_string(value, member), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _serialization(f"Invalid base64 value at '{member}'") from exc


def _coerce_null(value: Any, member: str) -> None:
    if coerce_bool(value, member):
        return None
    raise validation(member, "isNull may only be true", "false")


_FIELD_READERS: dict[str, Callable[[Any, str], Any]] = {
    "isNull": _coerce_null,
    "booleanValue": coerce_bool,
    "longValue": _coerce_long,
    "doubleValue": _coerce_double,
    "stringValue": _coerce_string,
    "blobValue": _coerce_blob,
}


def decode_field(field: Any, member: str) -> bool | int | float | str | bytes | None:
    """The one value a request Field holds."""
    if not isinstance(field, Mapping):
        raise _serialization(f"Expected an object at '{member}'")
    present = [key for key, value in field.items() if value is not None]
    if "arrayValue" in present:
        raise ApiError("BadRequestException", "Array parameters are not supported.")
    known = [key for key in present if key in _FIELD_READERS]
    if len(known) != 1:
        raise validation(member, "Member must have exactly one union member set", "{...}")
    key = known[0]
    return _FIELD_READERS[key](field[key], f"{member}.{key}")  # type: ignore[no-any-return]


def decode_parameter(raw: Any, member: str) -> Param:
    """One ``SqlParameter``: name, value and an optional, format-checked ``typeHint``."""
    if not isinstance(raw, Mapping):
        raise _serialization(f"Expected an object at '{member}'")
    name = _coerce_string(raw.get("name", ""), f"{member}.name")
    value = decode_field(raw.get("value", {"isNull": True}), f"{member}.value")
    hint = raw.get("typeHint")
    if hint is not None and hint not in TYPE_HINTS:
        enum = ", ".join(TYPE_HINTS)
        raise validation(
            f"{member}.typeHint", f"Member must satisfy enum value set: [{enum}]", f"'{hint}'"
        )
    if hint in _HINT_FORMATS and isinstance(value, str):
        pattern, message = _HINT_FORMATS[hint]
        if not pattern.fullmatch(value):
            raise ApiError("BadRequestException", message)
    return Param(name=name.lstrip(":"), value=value, type_hint=hint)


def decode_parameters(raw: Any, member: str) -> list[Param]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _serialization(f"Expected a list at '{member}'")
    return [decode_parameter(item, f"{member}.{i + 1}.member") for i, item in enumerate(raw)]


@dataclass(frozen=True)
class ResultOptions:
    """``resultSetOptions`` (reference §4)."""

    decimal_as_number: bool = False  # decimalReturnType DOUBLE_OR_LONG
    long_as_string: bool = False  # longReturnType STRING


def decimal_number(value: Decimal) -> int | float:
    """DOUBLE_OR_LONG: a scale-0 value is a long, any other a double (precision may go)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def _double(value: float) -> float | str:
    """NaN and the infinities travel as strings, the way botocore writes them."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _array(values: list[Value], options: ResultOptions) -> dict[str, Any]:
    """An ``ArrayValue``: the member is picked from the element kind (lists are sparse)."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, list):
        return {"arrayValues": [None if v is None else _array(v, options) for v in values]}  # type: ignore[arg-type]
    if isinstance(sample, bool):
        return {"booleanValues": values}
    if isinstance(sample, int) and all(isinstance(v, int) or v is None for v in values):
        return {"longValues": values}
    if isinstance(sample, (int, float)):
        return {"doubleValues": [None if v is None else _double(float(v)) for v in values]}  # type: ignore[arg-type]
    return {"stringValues": [None if v is None else _scalar_text(v) for v in values]}


def _scalar_text(value: Value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def encode_field(value: Value, options: ResultOptions) -> dict[str, Any]:
    """One result ``Field`` with exactly one non-null member."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"stringValue": str(value)} if options.long_as_string else {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": _double(value)}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bytes):
        return {"blobValue": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Decimal):
        if not options.decimal_as_number:
            return {"stringValue": format(value, "f")}
        number = decimal_number(value)
        return {"longValue": number} if isinstance(number, int) else {"doubleValue": number}
    return {"arrayValue": _array(value, options)}


def value_size(value: Value) -> int:
    """Bytes a value counts for toward the row and result limits (its data, not its JSON)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8"))
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, list):
        return sum(value_size(v) for v in value)
    return 1 if isinstance(value, bool) else 8


def column_metadata(column: Column) -> dict[str, Any]:
    """A ``ColumnMetadata`` object (reference §4, F15)."""
    return {
        "name": column.name,
        "type": column.type,
        "typeName": column.type_name,
        "label": column.label,
        "schemaName": column.schema_name,
        "tableName": column.table_name,
        "isAutoIncrement": column.is_auto_increment,
        "isSigned": column.is_signed,
        "isCurrency": column.is_currency,
        "isCaseSensitive": column.is_case_sensitive,
        "nullable": column.nullable,
        "precision": column.precision,
        "scale": column.scale,
        "arrayBaseColumnType": column.array_base_column_type,
    }
