"""Response bodies -> ``Result`` / ``BatchResult`` (the hot path; pure, no I/O).

Speed comes from two choices (measured by ``scripts/bench decode``):

1. Fields are unwrapped *while* ``json.loads`` parses, by an
   ``object_pairs_hook``: a one-member ``{"longValue": 1}`` never becomes a
   dict, and nothing walks the tree afterwards. The hook knows no context, so
   it does only what a Field's own member says (null, bytes, arrays, doubles).
2. Column types are applied afterwards, column by column, with converters
   chosen once from the column metadata (``RecordDecoder``) and run through
   ``map`` so the per-value loop stays in C where the data allows it.

Malformed bodies (not JSON, truncated, a Field with 0 or 2 members, records of
the wrong width) raise ``ResponseParseError``. A single value that its column
type cannot represent (a PostgreSQL ``BC`` date, MySQL's ``0000-00-00``) is
kept as the service's string rather than failing the whole result.
"""

from __future__ import annotations

import binascii
import functools
import json
import threading
from collections import deque
from collections.abc import Callable
from itertools import repeat
from operator import itemgetter, setitem
from typing import Any

from sigv4_dataapi._codec import jsontext
from sigv4_dataapi._codec.columns import column_converter
from sigv4_dataapi._codec.result import (
    BatchResult,
    ColumnMetadata,
    Result,
    UpdateResult,
    unique_keys,
)
from sigv4_dataapi._errors import ResponseParseError

Hook = Callable[[list[tuple[str, Any]]], Any]

# members whose JSON value is already the Python value (arrays arrive as lists)
_AS_IS = frozenset(
    {"stringValue", "longValue", "booleanValue", "arrayValue"}
    | {"longValues", "stringValues", "booleanValues", "arrayValues"}
)
FIELD_MEMBERS = _AS_IS | {"isNull", "doubleValue", "blobValue", "doubleValues"}
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}
_NUMBERS = frozenset({int, float, bool, type(None)})
# below this many characters a body is parsed with ``_small_body_hook``: measured, its
# length test wins while there are fewer than ~70 Fields per column (rows < ~70)
SMALL_BODY = 16 * 1024


class _Parse(threading.local):
    """The parse's state: objects that may be malformed Fields (``{}``, unknown member).

    The hook cannot tell an empty Field from an empty ``UpdateResult``, so it
    only counts them; a scan of the values runs afterwards only when needed.
    The decoders are built once and shared, so the count is the thread's: a
    parse runs from start to end in one thread without yielding to another.
    """

    suspects = 0
    objects = 0  # objects of several members kept as dicts: the top level, each column's metadata


_STATE = _Parse()


def _field_hook(state: _Parse) -> Hook:
    """The ``object_pairs_hook`` that turns each one-member Field into its value.

    It runs once per JSON object (tens of thousands per MiB), so everything is
    inline: the common members first, no call for NULL or a finite double. Its
    helpers are default arguments, not closure cells: a closure copies its
    cells into every call's frame (~3% of the hook's time, measured).
    """

    def hook(
        pairs: list[tuple[str, Any]],
        _as_is: frozenset[str] = _AS_IS,
        a2b: Callable[[Any], bytes] = binascii.a2b_base64,
        state: _Parse = state,
    ) -> Any:
        try:
            ((key, value),) = pairs
        except ValueError:
            return _object(pairs, state)
        if key in _as_is:
            return value
        if key == "isNull" and value is True:
            return None
        if key == "doubleValue" and value.__class__ is float:
            return value
        if key == "blobValue":
            return a2b(value)
        return _rare_member(key, value, state)

    return hook


def _small_body_hook(state: _Parse) -> Hook:
    """``_field_hook`` for a small body, where objects of many members are a large share.

    ``_field_hook`` finds them by a failed unpacking, free for a Field but ~1 us
    each: a one-row result has more of them (the top level and one per column's
    metadata) than Fields. A length test first costs ~3% on a large body (one
    test per Field), and saves that microsecond per object on a small one.
    """

    def hook(
        pairs: list[tuple[str, Any]],
        _as_is: frozenset[str] = _AS_IS,
        a2b: Callable[[Any], bytes] = binascii.a2b_base64,
        state: _Parse = state,
    ) -> Any:
        if len(pairs) != 1:
            return _object(pairs, state)
        ((key, value),) = pairs
        if key in _as_is:
            return value
        if key == "isNull" and value is True:
            return None
        if key == "doubleValue" and value.__class__ is float:
            return value
        if key == "blobValue":
            return a2b(value)
        return _rare_member(key, value, state)

    return hook


_FIELD_HOOK = _field_hook(_STATE)
# built once: ``json.loads`` with a hook builds a decoder and its scanner on every call
_LARGE = json.JSONDecoder(object_pairs_hook=_FIELD_HOOK)
_SMALL = json.JSONDecoder(object_pairs_hook=_small_body_hook(_STATE))


def _rare_member(key: str, value: Any, state: _Parse) -> Any:
    """A Field member off the hook's fast path: checked, or kept for the suspect scan."""
    if key == "isNull":
        return null_member(value)
    if key == "doubleValue":
        return double_member(value)
    if key == "doubleValues":
        return [v if v.__class__ is not str else double_member(v) for v in value]
    state.suspects += 1
    return {key: value}


def _object(pairs: list[tuple[str, Any]], state: _Parse) -> Any:
    """Any object that is not a one-member Field (the slow path: a few per body)."""
    if not pairs:
        state.suspects += 1
        return {}
    data = dict(pairs)
    if FIELD_MEMBERS.isdisjoint(data):
        state.objects += 1
        return data
    present = [(key, value) for key, value in pairs if value is not None]
    if len(present) == 1 and present[0][0] in FIELD_MEMBERS:
        return _FIELD_HOOK(present)  # {"isNull": null, "longValue": 1}, as botocore
    raise ResponseParseError(f"a Field must have exactly one member, got {sorted(data)}")


def null_member(value: object) -> None:
    if value is True:
        return None
    raise ResponseParseError(f"a Field's isNull must be true, got {value!r}")


def double_member(value: object) -> float:
    if value in _NON_FINITE or (isinstance(value, int) and not isinstance(value, bool)):
        return float(value)
    raise ResponseParseError(f"doubleValue must be a number, got {value!r}")


def load_fields(body: bytes | str) -> tuple[dict[str, Any], bool]:
    """Parse ``body`` with Fields unwrapped; also say whether a suspect object was seen."""
    _STATE.suspects = _STATE.objects = 0
    try:
        text = jsontext.text_of(body)
        data = jsontext.loads_text(text, _SMALL if len(text) < SMALL_BODY else _LARGE)
    except (ValueError, TypeError) as exc:  # JSONDecodeError, bad base64, bad UTF-8
        raise ResponseParseError(f"the response is not the Data API's JSON: {exc}") from exc
    except RecursionError as exc:
        raise ResponseParseError("the response nests too deeply to be the Data API's") from exc
    if not isinstance(data, dict):
        raise ResponseParseError(f"the response is a JSON {type(data).__name__}, not an object")
    return data, _STATE.suspects > 0


# -- ExecuteStatement -------------------------------------------------------------------


class RecordDecoder:
    """Column converters chosen once from metadata, applied to each page of records."""

    __slots__ = ("_converters", "width")

    def __init__(self, columns: tuple[ColumnMetadata, ...], *, convert: bool = True) -> None:
        self.width = len(columns)
        chosen = [(i, column_converter(c)) for i, c in enumerate(columns)] if convert else []
        self._converters = [(i, conv) for i, conv in chosen if conv is not None]

    def decode(self, records: list[list[Any]]) -> list[list[Any]]:
        """Check the shape of ``records`` and convert their values in place."""
        _check_records(records, self.width)
        for index, convert in self._converters:
            if _first_value(records, index).__class__ in _NUMBERS:
                continue  # LONG / DOUBLE_OR_LONG numbers: nothing to convert, skip the pass
            column = list(map(itemgetter(index), records))
            converted = convert(column)
            if converted is not column:  # write back in C: setitem(row, index, value)
                deque(map(setitem, records, repeat(index), converted), maxlen=0)
        return records


def _first_value(records: list[list[Any]], index: int) -> Any:
    """The column's first non-NULL value: the service sends a column in one form.

    ``resultSetOptions`` apply to the whole result, so a column is all text or
    all numbers (plus NULLs); one look decides whether it needs a pass at all.
    """
    for row in records:
        if row[index] is not None:
            return row[index]
    return None


def parse_execute_response(body: bytes | str, *, convert: bool = True) -> Result:
    """An ``ExecuteStatement`` response body -> ``Result``.

    ``convert=False`` keeps the service's own values: Fields are unwrapped
    (blobs to ``bytes``, arrays to lists, nulls to ``None``) but no column type
    is applied, so decimals, dates and JSON stay strings.
    """
    try:
        return _execute_result(body, convert)
    except RecursionError as exc:  # nesting deeper than any result (arrays, JSON documents)
        raise ResponseParseError("the response nests too deeply to be the Data API's") from exc


def _execute_result(body: bytes | str, convert: bool) -> Result:
    data, suspect = load_fields(body)
    objects = _STATE.objects
    column_set = columns_of(data.get("columnMetadata"))
    records = list_member(data, "records")
    generated = list_member(data, "generatedFields")
    if suspect or objects > 1 + len(column_set.columns):  # an object where a Field belongs?
        _reject_bad_fields(records, generated)
    if records:  # no records: nothing to check or convert (an UPDATE, an empty SELECT)
        records = column_set.decoder(convert).decode(records)
    formatted = data.get("formattedRecords")
    return Result(
        records if formatted is None or records else None,
        columns=column_set.columns,
        number_of_records_updated=count_member(data.get("numberOfRecordsUpdated")),
        generated_fields=generated,
        formatted_records=formatted,
        json_rows=None if formatted is None else _json_rows(formatted),
    )


class ColumnSet:
    """One response's ``ColumnMetadata`` and its ``RecordDecoder``s, shared by equal responses.

    A statement's columns come back alike on every call, so the set is kept
    (``_known_columns``) and its decoders are built once, on first use, not
    once per call: for a one-row result they were a third of the decoding.
    Both are immutable, so sharing them between results and threads is safe.
    """

    __slots__ = ("_decoders", "columns")

    def __init__(self, columns: tuple[ColumnMetadata, ...]) -> None:
        self.columns = columns
        self._decoders: dict[bool, RecordDecoder] = {}

    def decoder(self, convert: bool) -> RecordDecoder:
        decoder = self._decoders.get(convert)
        if decoder is None:  # a race builds it twice, harmlessly
            decoder = self._decoders[convert] = RecordDecoder(self.columns, convert=convert)
        return decoder


_NO_COLUMNS = ColumnSet(())


def column_metadata(raw: object) -> tuple[ColumnMetadata, ...]:
    return columns_of(raw).columns


def columns_of(raw: object) -> ColumnSet:
    """``columnMetadata`` -> ``ColumnSet``, looked up whole: one key for all the columns.

    The key holds each member's type, since ``True == 1 == 1.0`` would let a
    malformed member share a valid one's entry.
    """
    if raw is None:
        return _NO_COLUMNS
    if not isinstance(raw, list) or not all(map(isinstance, raw, repeat(dict))):
        raise ResponseParseError("columnMetadata must be a list of objects")
    try:
        return _known_columns(
            tuple([(tuple(c.items()), tuple(map(type, c.values()))) for c in raw])
        )
    except TypeError:  # an unhashable member (a list, an object): from_json names it
        return ColumnSet(tuple(map(ColumnMetadata.from_json, raw)))


@functools.lru_cache(maxsize=256)
def _known_columns(key: tuple[tuple[tuple[Any, ...], tuple[type, ...]], ...]) -> ColumnSet:
    return ColumnSet(tuple(ColumnMetadata.from_json(dict(items)) for items, _ in key))


def list_member(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ResponseParseError(f"{key} must be a list, got {type(value).__name__}")
    return value


def count_member(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ResponseParseError(f"numberOfRecordsUpdated must be an integer, got {value!r}")


def _check_records(records: list[Any], width: int) -> None:
    if not records:
        return
    if set(map(type, records)) != {list}:
        raise ResponseParseError("records must be a list of lists of Fields")
    widths = set(map(len, records))
    if width and widths != {width}:
        bad = next(len(r) for r in records if len(r) != width)
        raise ResponseParseError(f"a record has {bad} fields but there are {width} columns")
    if len(widths) > 1:
        raise ResponseParseError(f"records differ in length: {sorted(widths)}")


def _reject_bad_fields(*groups: list[Any]) -> None:
    """Runs only after a suspect object (or more many-member objects than the top level and
    the column metadata account for): no dict may be left where a Field was (§4)."""
    stack: list[Any] = list(groups)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not item:
                raise ResponseParseError("a Field has no member (expected exactly one)")
            if len(item) > 1:
                raise ResponseParseError(
                    f"a Field must have exactly one member, got {sorted(item)}"
                )
            raise ResponseParseError(f"a Field has an unknown member {next(iter(item))!r}")
        if isinstance(item, list):
            stack.extend(item)


def _json_rows(text: object) -> list[dict[str, Any]]:
    """``formattedRecords`` (F8): a JSON array of one object per row.

    The service refuses duplicate labels in this format, but a row object that
    repeats a key anyway keeps every value under the ``.rows`` rule (``a``,
    ``a_2``) instead of ``json.loads``'s silent last-one-wins.
    """
    if not isinstance(text, str):
        raise ResponseParseError("formattedRecords must be a string")
    repeated: dict[int, list[tuple[str, Any]]] = {}
    try:
        rows = json.loads(text, object_pairs_hook=_noting_repeats(repeated))
    except (ValueError, RecursionError) as exc:
        raise ResponseParseError(f"formattedRecords is not JSON: {exc}") from exc
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ResponseParseError("formattedRecords must be a JSON array of objects")
    if repeated:
        rows = [_unrepeated(repeated[id(row)]) if id(row) in repeated else row for row in rows]
    return rows


def _noting_repeats(repeated: dict[int, list[tuple[str, Any]]]) -> Hook:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            repeated[id(obj)] = pairs  # obj stays alive in the result: its id is stable
        return obj

    return hook


def _unrepeated(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = unique_keys([key for key, _ in pairs])
    return dict(zip(keys, (value for _, value in pairs), strict=True))


# -- BatchExecuteStatement --------------------------------------------------------------


def parse_batch_execute_response(body: bytes | str) -> BatchResult:
    """A ``BatchExecuteStatement`` body -> ``BatchResult`` (one entry per parameter set)."""
    data, suspect = load_fields(body)
    updates = list_member(data, "updateResults")
    if not all(isinstance(u, dict) for u in updates):
        raise ResponseParseError("updateResults must be a list of objects")
    generated = [list_member(u, "generatedFields") for u in updates]
    if suspect:
        _reject_bad_fields(*generated)
    return BatchResult(tuple(UpdateResult(tuple(fields)) for fields in generated))
