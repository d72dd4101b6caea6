"""Python values -> Data API ``Field`` / ``SqlParameter`` (rds-data-api.md §4, §5).

The encoder is explicit by design: a value's *Python type* chooses the Field
member and the ``typeHint``; the *content* of a string never does (peers.md §3.3:
sniffing UUID-looking strings broke VARCHAR columns in three libraries). To send
a string as a date, UUID, JSON document, ... say so, with ``Param(value,
type_hint="UUID")`` or ``type_hints={"name": "UUID"}``.

The service binds scalars only (F11): ``_pgarray.pg_array_literal`` turns a
Python list into an escaped PostgreSQL array literal for ``CAST(:p AS int[])``.

The text forms sent (``YYYY-MM-DD HH:MM:SS[.ffffff]`` and friends) are the ones
``_columns`` parses back, which the round-trip property tests hold together.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, Literal, get_args

from sigv4_dataapi._errors import ConfigurationError

TypeHint = Literal["JSON", "UUID", "TIMESTAMP", "DATE", "TIME", "DECIMAL"]
TYPE_HINTS: frozenset[str] = frozenset(get_args(TypeHint))

Field = dict[str, Any]
SqlParameter = dict[str, Any]

LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1

# doubleValue members the service cannot carry as JSON numbers (§4 Field, [T] botocore)
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}

_ARRAY_ADVICE = (
    "the Data API binds scalar parameters only (array parameters are not supported); "
    "pass pg_array_literal(values) and cast it in the SQL, e.g. CAST(:{name} AS int[]), "
    "or pass a list as JSON"
)


@dataclass(frozen=True)
class Param:
    """A parameter value with an explicit ``typeHint``.

    ``Param("6f1c...", type_hint="UUID")`` sends the string as a UUID;
    ``Param({"a": 1}, type_hint="JSON")`` sends the dict's JSON text; a ``str``
    with a hint is sent exactly as written.
    """

    value: object
    type_hint: TypeHint | None = None

    def __post_init__(self) -> None:
        if self.type_hint is not None and self.type_hint not in TYPE_HINTS:
            raise ConfigurationError(
                f"unknown type hint {self.type_hint!r}; use one of {', '.join(sorted(TYPE_HINTS))}"
            )


# -- text forms -------------------------------------------------------------------------


def format_date(value: date) -> str:
    """``YYYY-MM-DD`` (the DATE hint's form)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_time(value: time) -> str:
    """``HH:MM:SS[.ffffff]``; an aware time is shifted to UTC first."""
    offset = value.utcoffset()
    if offset:
        moved = datetime.combine(date(2000, 1, 3), value.replace(tzinfo=None)) - offset
        value = moved.time()
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{text}.{value.microsecond:06d}" if value.microsecond else text


def format_timestamp(value: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS[.ffffff]`` with a space, never ``T`` or ``Z`` (§4 TypeHint).

    An aware datetime is converted to UTC, the zone the service renders
    ``timestamptz`` in (F9); a naive one is sent as it is.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(timezone.utc)
    return f"{format_date(value)} {format_time(value.time())}"


def format_decimal(value: Decimal) -> str:
    """Positional notation (``1E+3`` -> ``1000``): every engine parses it."""
    return format(value, "f")


# -- values -> Fields -------------------------------------------------------------------


def encode_field(value: object, *, name: str = "value") -> tuple[Field, TypeHint | None]:
    """The Field and the implied hint for a plain Python value (no hint given)."""
    if value is None:
        return {"isNull": True}, None
    kind = type(value)
    if kind is str:
        return {"stringValue": value}, None
    if kind is bool:
        return {"booleanValue": value}, None
    if isinstance(value, int):  # bool is final, so no bool gets here
        return {"longValue": _long(int(value), name)}, None
    if isinstance(value, float):
        return {"doubleValue": double_value(value)}, None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"blobValue": base64.b64encode(value).decode("ascii")}, None
    if isinstance(value, str):
        return {"stringValue": str(value)}, None
    hint = implied_hint(value)
    if hint is None:
        raise _unsupported(value, name)
    return {"stringValue": hinted_text(value, hint, name)}, hint


def implied_hint(value: object) -> TypeHint | None:
    if isinstance(value, Decimal):
        return "DECIMAL"
    if isinstance(value, datetime):  # before date: a datetime is a date
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    if isinstance(value, time):
        return "TIME"
    if _is_uuid(value):
        return "UUID"
    if isinstance(value, (dict, list)):
        return "JSON"
    return None


def _is_uuid(value: object) -> bool:
    """``isinstance(value, uuid.UUID)`` without importing ``uuid`` (and ``platform``).

    A UUID instance can only exist once its module is loaded, so an absent
    module answers "no" for free and keeps the client's import cheap.
    """
    module = sys.modules.get("uuid")
    return module is not None and isinstance(value, module.UUID)


def hinted_text(value: object, hint: TypeHint, name: str) -> str:
    """The ``stringValue`` for ``value`` sent with ``hint``, or a clear error."""
    if isinstance(value, str):
        return value  # explicit hint on a string: sent exactly as written
    text = _HINT_FORMATS[hint](value)
    if text is None:
        if isinstance(value, (list, tuple, set, frozenset)):
            raise ConfigurationError(f"parameter {name!r}: {_ARRAY_ADVICE.format(name=name)}")
        raise ConfigurationError(
            f"parameter {name!r}: cannot send a {type(value).__name__} with type hint {hint}"
        )
    return text


def _decimal_text(value: object) -> str | None:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def _json_text(value: object) -> str | None:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None


_HINT_FORMATS: dict[str, Callable[[Any], str | None]] = {
    "DECIMAL": _decimal_text,
    "TIMESTAMP": lambda v: format_timestamp(v) if isinstance(v, datetime) else None,
    "DATE": lambda v: format_date(v) if type(v) is date else None,
    "TIME": lambda v: format_time(v) if isinstance(v, time) else None,
    "UUID": lambda v: str(v) if _is_uuid(v) else None,
    "JSON": lambda v: _json_text(v) if isinstance(v, (dict, list, tuple, int, float)) else None,
}


def _long(value: int, name: str) -> int:
    if LONG_MIN <= value <= LONG_MAX:
        return value
    raise ConfigurationError(
        f"parameter {name!r}: {value} does not fit the service's 64-bit longValue; "
        "pass Decimal(value) to send it as DECIMAL"
    )


def double_value(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else _NON_FINITE[value]


def _unsupported(value: object, name: str) -> ConfigurationError:
    if isinstance(value, (tuple, set, frozenset)):
        return ConfigurationError(f"parameter {name!r}: {_ARRAY_ADVICE.format(name=name)}")
    return ConfigurationError(
        f"parameter {name!r}: cannot send a {type(value).__name__}; pass a str with a type hint "
        "(Param(text, type_hint=...)) or one of None, bool, int, float, str, bytes, Decimal, "
        "datetime, date, time, UUID, dict, list"
    )


# -- SqlParameters ----------------------------------------------------------------------


def sql_parameter(name: str, value: object, type_hint: str | None = None) -> SqlParameter:
    """One ``SqlParameter``: ``{"name", "value", ["typeHint"]}``."""
    if isinstance(value, Param):
        type_hint = value.type_hint if value.type_hint is not None else type_hint
        value = value.value
    if type_hint is None or value is None:
        field, hint = encode_field(value, name=name)
        if hint is None:
            return {"name": name, "value": field}
        return {"name": name, "value": field, "typeHint": hint}
    if type_hint not in TYPE_HINTS:
        raise ConfigurationError(f"parameter {name!r}: unknown type hint {type_hint!r}")
    text = hinted_text(value, type_hint, name)  # type: ignore[arg-type]
    return {"name": name, "value": {"stringValue": text}, "typeHint": type_hint}


def encode_parameters(
    parameters: Mapping[str, object] | None,
    *,
    type_hints: Mapping[str, str] | None = None,
) -> list[SqlParameter]:
    """``{"id": 7}`` -> ``[{"name": "id", "value": {"longValue": 7}}]``.

    Only a mapping is accepted: the service binds ``:name`` placeholders and
    nothing positional (F13). ``type_hints`` names must be parameters, so a
    typo fails here instead of silently sending an unhinted string.
    """
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping):
        raise ConfigurationError(
            "parameters must be a mapping of names to values: the Data API binds :name "
            f"placeholders only, not positional ones (got {type(parameters).__name__})"
        )
    hints = type_hints or {}
    if hints:
        unknown = sorted(set(hints) - set(parameters))
        if unknown:
            raise ConfigurationError(f"type_hints name unknown parameters: {', '.join(unknown)}")
    encoded = []
    for name, value in parameters.items():
        if not isinstance(name, str):
            raise ConfigurationError(f"parameter names must be str, not {type(name).__name__}")
        kind = value.__class__  # an ORM's commonest values first, without the calls
        if kind is str and name not in hints:
            encoded.append({"name": name, "value": {"stringValue": value}})
        elif kind is int and name not in hints and LONG_MIN <= value <= LONG_MAX:  # type: ignore[operator]
            encoded.append({"name": name, "value": {"longValue": value}})
        else:
            encoded.append(sql_parameter(name, value, hints.get(name)))
    return encoded


def encode_parameter_sets(
    parameter_sets: Iterable[Mapping[str, object]],
    *,
    type_hints: Mapping[str, str] | None = None,
) -> list[list[SqlParameter]]:
    """``BatchExecuteStatement.parameterSets``: one encoded list per mapping."""
    if isinstance(parameter_sets, (Mapping, str, bytes)):
        raise ConfigurationError("parameter sets must be a list of mappings, one per execution")
    return [encode_parameters(one, type_hints=type_hints) for one in parameter_sets]
