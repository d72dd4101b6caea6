"""``executemany``'s chunks: parameter sets grouped by serialized request size.

The Data API takes at most 4 MiB per request, headers and JSON included (F2).
Each parameter set is encoded and measured once; sets are packed in order into
bodies of at most ``limit`` bytes (3 MiB by default: a margin for headers and a
long transaction id), so the number of calls is about ``total bytes / limit``
whatever the row width, never a fixed row count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi._codec.encode import encode_parameters
from sigv4_dataapi.dbapi._statement import Reading, check_params, match_names
from sigv4_dataapi.dbapi.errors import ProgrammingError

MIB = 1024 * 1024
DEFAULT_LIMIT = 3 * MIB
_TX_PLACEHOLDER = "x" * 192  # the longest transaction id (model: 0..192)


def dumps(value: object) -> str:
    """JSON as the client sends it: compact, ASCII-only."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Chunk:
    """One ``BatchExecuteStatement``: its encoded parameter sets, as JSON text."""

    sets_json: list[str]

    def body(self, base: Mapping[str, Any], transaction_id: str | None) -> bytes:
        """The request body; the sets are spliced in as already-serialized JSON."""
        head = dict(base)
        if transaction_id is not None:
            head["transactionId"] = transaction_id
        text = dumps(head)
        return f'{text[:-1]},"parameterSets":[{",".join(self.sets_json)}]}}'.encode("ascii")


def encode_sets(reading: Reading, seq_of_params: Iterable[object]) -> Iterator[str]:
    """Each parameter set checked against the SQL's names, then encoded as JSON."""
    if isinstance(seq_of_params, (str, bytes, Mapping)):
        raise ProgrammingError("executemany takes a sequence of mappings, one per execution")
    for index, params in enumerate(seq_of_params):
        values = check_params(params)
        try:
            match_names(reading, values)
        except ProgrammingError as exc:
            raise ProgrammingError(f"parameter set {index}: {exc}") from None
        yield dumps(encode_parameters(values or {}))


def chunks(base: Mapping[str, Any], encoded: Iterable[str], limit: int) -> list[Chunk]:
    """Pack the encoded sets, in order, into bodies of at most ``limit`` bytes."""
    overhead = len(Chunk([]).body(base, _TX_PLACEHOLDER))
    result: list[Chunk] = []
    current: list[str] = []
    size = overhead
    for text in encoded:
        added = len(text) + (1 if current else 0)
        if current and size + added > limit:
            result.append(Chunk(current))
            current, size, added = [], overhead, len(text)
        if overhead + len(text) > limit:
            raise ProgrammingError(
                f"one parameter set is {len(text)} bytes of JSON; a Data API request "
                f"holds at most {limit} here (4 MiB in all)"
            )
        current.append(text)
        size += added
    if current:
        result.append(Chunk(current))
    return result
