"""Writers that turn decoded rows into text for the CLI: table, json, jsonl, csv.

Rows arrive as an iterable and leave one at a time, so a large result is never
held twice in memory: ``json``, ``jsonl`` and ``csv`` write each row as it
comes. Only ``table`` must see every row first (it aligns the columns), and it
keeps the rendered cells, not a second copy of the values.

The rows come from the library's decoder (``_commands/_answer.py``), keyed by
its ``row_keys``. ``raw`` is the service's JSON written byte for byte through
:class:`Sink`, after the head that ``-i`` asks for.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO

from sigv4_dataapi._errors import ConfigurationError

ROW_MODES = ("table", "json", "jsonl", "csv")
OUTPUT_MODES = ("raw", *ROW_MODES)

NULL_TEXT = "NULL"  # what a table shows for SQL NULL (as psql's \pset null would)


def json_value(value: object) -> object:
    """A JSON-ready form of a decoded value that loses nothing.

    Decimals stay exact as strings, blobs are base64 (as the service sends
    them), and non-finite floats are the strings botocore uses for them.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _non_finite(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)  # Decimal, UUID and anything else with an exact text form


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def text_value(value: object) -> str:
    """The text a table or CSV cell shows (NULL is decided by the caller)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return _non_finite(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(json_value(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def write_rows(
    mode: str, keys: Sequence[str], rows: Iterable[Sequence[object]], out: IO[str]
) -> int:
    """Write ``rows`` to ``out`` in ``mode``; return how many rows were written."""
    writer = {
        "table": _write_table,
        "json": _write_json,
        "jsonl": _write_jsonl,
        "csv": _write_csv,
    }.get(mode)
    if writer is None:
        raise ValueError(f"unknown row output mode {mode!r} (one of {', '.join(ROW_MODES)})")
    return writer(keys, rows, out)


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _write_jsonl(keys: Sequence[str], rows: Iterable[Sequence[object]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(_dump(dict(zip(keys, map(json_value, row), strict=True))) + "\n")
        count += 1
    return count


def _write_json(keys: Sequence[str], rows: Iterable[Sequence[object]], out: IO[str]) -> int:
    count = 0
    out.write("[")
    for row in rows:
        obj = dict(zip(keys, map(json_value, row), strict=True))
        out.write(("," if count else "") + "\n  " + _dump(obj))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(keys: Sequence[str], rows: Iterable[Sequence[object]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else text_value(v) for v in row])
        count += 1
    return count


def _cell(value: object) -> str:
    text = NULL_TEXT if value is None else text_value(value)
    # one row, one line: control characters would break the alignment
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _write_table(keys: Sequence[str], rows: Iterable[Sequence[object]], out: IO[str]) -> int:
    """psql's aligned format: numbers to the right, everything else to the left."""
    cells: list[list[str]] = []
    numeric = [True] * len(keys)
    for row in rows:
        cells.append([_cell(v) for v in row])
        for i, v in enumerate(row):
            numeric[i] = numeric[i] and (v is None or _is_number(v))
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(keys)]
    title = (n.center(w) for n, w in zip(keys, widths, strict=True))
    out.write(" " + " | ".join(title).rstrip() + "\n")
    out.write("-" + "-+-".join("-" * w for w in widths) + "-\n")
    for line in cells:
        aligned = zip(line, widths, numeric, strict=True)
        padded = (t.rjust(w) if num else t.ljust(w) for t, w, num in aligned)
        out.write(" " + " | ".join(padded).rstrip() + "\n")
    out.write(f"({len(cells)} row{'' if len(cells) == 1 else 's'})\n")
    return len(cells)


# -- bodies, heads and printed requests --------------------------------------------


class Sink:
    """Where a body goes: stdout (its byte buffer when it has one) or ``-o FILE``.

    Bytes go to the byte buffer untouched, so ``raw`` output is the service's
    answer byte for byte; a text-only stream (a test's StringIO) gets UTF-8 text.
    """

    def __init__(self, stdout: IO[str], path: str | None = None) -> None:
        self._stdout = stdout
        self.path = path
        self._file: IO[bytes] | None = None
        self._text: io.TextIOWrapper | None = None

    def write_bytes(self, data: bytes) -> None:
        if self.path is not None:
            self._open().write(data)
            return
        buffer = getattr(self._stdout, "buffer", None)
        if buffer is None:
            self._stdout.write(data.decode("utf-8", "replace"))
            return
        self._stdout.flush()
        buffer.write(data)
        buffer.flush()

    def text(self) -> IO[str]:
        """A text stream for the row writers (``-o`` opens the file as UTF-8 text)."""
        if self.path is None:
            return self._stdout
        if self._text is None:
            self._text = io.TextIOWrapper(
                self._open(), encoding="utf-8", newline="", write_through=True
            )
        return self._text

    def _open(self) -> IO[bytes]:
        if self._file is None:
            try:
                self._file = open(self.path or "", "wb")  # noqa: SIM115 - closed by close()
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot write {self.path}: {exc.strerror or exc}"
                ) from None
        return self._file

    def close(self) -> None:
        if self._text is not None:
            self._text.flush()
            self._text.detach()
            self._text = None
        if self._file is not None:
            self._file.close()
            self._file = None


def head_text(status_line: str, headers: Iterable[tuple[str, str]]) -> str:
    """``-i``: the status line and the response headers, then a blank line (CRLF, as curl)."""
    lines = [status_line, *(f"{name}: {value}" for name, value in headers), "", ""]
    return "\r\n".join(lines)
