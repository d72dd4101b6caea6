"""What a statement returned: ``Result``, ``ColumnMetadata``, ``BatchResult``.

``Result`` keeps the records as rows of Python values (``records``) and builds
the dict view (``rows``) only when asked, so the hot path never pays for it.
Rows are keyed by column *label* (the ``AS`` alias; peers.md §3.9).

Duplicate labels (``SELECT a.id, b.id``) are not silently merged: the first
keeps its label, each later one gets ``_2``, ``_3``, ... (the first suffix not
already taken by another column), so every value stays reachable; ``row_keys``
shows the keys in column order.

A result may later arrive page by page (a streaming cursor): ``from_pages``
joins record pages decoded with one ``_decode.RecordDecoder``, whose
per-column converters are computed once per statement.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._codec.encode import double_value, hinted_text, implied_hint
from sigv4_dataapi._errors import ConfigurationError, ResponseParseError


@dataclass(frozen=True, slots=True)
class ColumnMetadata:
    """One ``ColumnMetadata`` entry (rds-data-api.md §4), member names in snake case."""

    name: str = ""
    label: str = ""
    type: int = 0  # JDBC java.sql.Types code (F15)
    type_name: str = ""  # the engine's own name: int4, numeric, DATETIME, _text, ...
    precision: int = 0
    scale: int = 0
    nullable: int = 2  # JDBC: 0 no nulls, 1 nullable, 2 unknown
    is_signed: bool = False
    is_currency: bool = False
    is_auto_increment: bool = False
    is_case_sensitive: bool = False
    schema_name: str = ""
    table_name: str = ""
    array_base_column_type: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnMetadata:
        """From the service's JSON object; absent or ``null`` members keep defaults.

        A member of the wrong JSON type is a ``ResponseParseError``: a label
        that is not a string must not become a dict key downstream.
        """
        known: dict[str, Any] = {}
        for wire, (key, kind) in _WIRE_MEMBERS.items():
            value = data.get(wire)
            if value is None:
                continue
            if type(value) is not kind:
                raise ResponseParseError(
                    f"columnMetadata {wire} must be a {kind.__name__}, got {value!r}"
                )
            known[key] = value
        return cls(**known)


_WIRE_MEMBERS: dict[str, tuple[str, type]] = {
    "name": ("name", str),
    "label": ("label", str),
    "type": ("type", int),
    "typeName": ("type_name", str),
    "precision": ("precision", int),
    "scale": ("scale", int),
    "nullable": ("nullable", int),
    "isSigned": ("is_signed", bool),
    "isCurrency": ("is_currency", bool),
    "isAutoIncrement": ("is_auto_increment", bool),
    "isCaseSensitive": ("is_case_sensitive", bool),
    "schemaName": ("schema_name", str),
    "tableName": ("table_name", str),
    "arrayBaseColumnType": ("array_base_column_type", int),
}


def row_keys(columns: Sequence[ColumnMetadata]) -> tuple[str, ...]:
    """Unique dict keys for ``columns``: label, else name, else ``column_<n>``."""
    return unique_keys([c.label or c.name or f"column_{i}" for i, c in enumerate(columns, 1)])


def unique_keys(wanted: Sequence[str]) -> tuple[str, ...]:
    """``wanted`` with each repeat given the first free ``_2``, ``_3``, ... suffix.

    The rule of the module docstring, so no value is lost when rows are built
    (also for ``formattedRecords`` rows that repeat a key).
    """
    taken = set(wanted)
    keys: list[str] = []
    seen: set[str] = set()
    for key in wanted:
        if key in seen:
            n = 2
            while f"{key}_{n}" in taken:
                n += 1
            key = f"{key}_{n}"
            taken.add(key)
        seen.add(key)
        keys.append(key)
    return tuple(keys)


class Result:
    """The outcome of one ``ExecuteStatement`` (or one legacy ``ExecuteSql`` statement).

    ``records``: list of rows, each a list of Python values in column order.
    ``rows``: the same as dicts keyed by ``row_keys``; for ``formatRecordsAs:
    JSON`` the objects parsed from ``formatted_records``.
    ``columns``: the ``ColumnMetadata`` (empty when not requested).
    """

    __slots__ = (
        "_records",
        "_row_keys",
        "_rows",
        "columns",
        "formatted_records",
        "generated_fields",
        "number_of_records_updated",
    )

    def __init__(
        self,
        records: list[list[Any]] | None = None,
        *,
        columns: Sequence[ColumnMetadata] = (),
        number_of_records_updated: int = 0,
        generated_fields: list[Any] | None = None,
        formatted_records: str | None = None,
        json_rows: list[dict[str, Any]] | None = None,
    ) -> None:
        self.columns: tuple[ColumnMetadata, ...] = tuple(columns)
        self.number_of_records_updated = number_of_records_updated
        self.generated_fields: list[Any] = generated_fields if generated_fields is not None else []
        self.formatted_records = formatted_records
        self._records = records
        self._rows = json_rows
        self._row_keys: tuple[str, ...] | None = None

    @classmethod
    def from_pages(
        cls, pages: Iterable[list[list[Any]]], *, columns: Sequence[ColumnMetadata] = ()
    ) -> Result:
        """One result from decoded record pages (a cursor's ``FETCH`` answers)."""
        records: list[list[Any]] = []
        for page in pages:
            records.extend(page)
        return cls(records, columns=columns)

    @property
    def records(self) -> list[list[Any]]:
        """Rows as lists of Python values (from the JSON rows' values when formatted)."""
        if self._records is None:
            self._records = [list(row.values()) for row in self._rows or ()]
        return self._records

    @property
    def row_keys(self) -> tuple[str, ...]:
        """The keys of ``rows``, one per column, in column order (see module docstring)."""
        if self._row_keys is None:
            if self._rows is not None and not self.columns:
                self._row_keys = tuple(self._rows[0]) if self._rows else ()
            else:
                self._row_keys = row_keys(self.columns)
        return self._row_keys

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column label; built once, on first use."""
        if self._rows is None:
            keys = self.row_keys
            records = self.records
            if records and not keys:
                raise ConfigurationError(
                    "rows are keyed by column label but the response has no columnMetadata "
                    "(includeResultMetadata was false); use .records, or request the metadata"
                )
            self._rows = [dict(zip(keys, record, strict=True)) for record in records]
        return self._rows

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        return (
            f"<Result records={len(self)} columns={list(self.row_keys)!r} "
            f"updated={self.number_of_records_updated}>"
        )


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """One parameter set's outcome in a batch: the fields the database generated."""

    generated_fields: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of ``BatchExecuteStatement``: one ``UpdateResult`` per parameter set."""

    update_results: tuple[UpdateResult, ...] = ()

    @property
    def generated_fields(self) -> list[tuple[Any, ...]]:
        """Each set's generated fields (MySQL fills them; PostgreSQL leaves them empty, F11)."""
        return [update.generated_fields for update in self.update_results]

    def __len__(self) -> int:
        return len(self.update_results)


# -- result values -> the service's forms (for writers of results) -----------------------


def wire_value(value: object) -> object:
    """A decoded value back in the JSON form the service uses for it, losing nothing.

    For writers of results (the CLI's ``json``/``csv``/``table``): NULL, booleans,
    ints, finite floats and strings stay; blobs are base64, non-finite doubles
    ``"NaN"``/``"Infinity"``/``"-Infinity"``, and ``Decimal``/``datetime``/``date``/
    ``time``/``UUID`` the texts their parameters are sent as (``_codec``: Decimal
    positional, aware datetimes in UTC); lists and dicts element by element.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return double_value(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [wire_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): wire_value(item) for key, item in value.items()}
    hint = implied_hint(value)
    try:
        return str(value) if hint is None else hinted_text(value, hint, "value")
    except ConfigurationError:  # a subclass its hint does not format (a date subclass)
        return str(value)


def wire_text(value: object) -> str:
    """``wire_value`` as one line of text (a table or CSV cell; NULL is the caller's).

    Booleans are ``true``/``false`` and lists/dicts compact JSON, as the
    service writes them; every other value is its ``wire_value`` text.
    """
    if isinstance(value, str):
        return value
    wired = wire_value(value)
    if isinstance(wired, str):
        return wired
    return json.dumps(wired, ensure_ascii=False, separators=(",", ":"))
