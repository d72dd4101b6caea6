"""Formatters: aligned table, expanded records, CSV, JSON, unaligned; all streaming.

A result's rows are consumed once, in batches of ``FETCH_COUNT``: the first
batch sizes the columns (psql with ``FETCH_COUNT``), then every later batch is
written as it arrives, so a huge result never sits in memory. ``\\x auto``
switches to expanded records when the first batch is wider than the terminal.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from sigv4_dataapi.shell.answer import Answer, Row
from sigv4_dataapi.shell.cells import (
    cell_text,
    display_width,
    is_numeric,
    json_value,
    pad,
    plain_text,
)
from sigv4_dataapi.shell.settings import Settings


class Out(Protocol):
    def write(self, text: str, /) -> object: ...


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, max(1, size))):
        yield batch


def write_answer(answer: Answer, out: Out, settings: Settings, width: int | None = None) -> int:
    """Print ``answer`` as the settings say; the number of rows printed.

    ``width`` is the terminal's (None when not a terminal: ``\\x auto`` stays off).
    """
    if answer.title and settings.format in ("table", "unaligned"):
        out.write(answer.title + "\n")
    count = 0
    if answer.headers:
        count = _write_rows(answer, out, settings, width)
    if answer.status:
        out.write(answer.status + "\n")
    return count


def _write_rows(answer: Answer, out: Out, settings: Settings, width: int | None) -> int:
    headers = list(answer.headers)
    chunks = batches(answer.rows, settings.fetch_count)
    if settings.format == "csv":
        return _csv(headers, chunks, out, settings)
    if settings.format == "tsv":
        return _tsv(headers, chunks, out)
    if settings.format == "json":
        return _json(headers, chunks, out)
    if settings.format == "unaligned":
        return _unaligned(headers, chunks, out, settings)
    first = next(chunks, [])
    table = AlignedTable(headers, first, settings.null)
    expanded = settings.expanded == "on" or (
        settings.expanded == "auto" and width is not None and table.width > width
    )
    if expanded:
        count = _expanded(headers, itertools.chain([first], chunks), out, settings.null)
    else:
        count = table.write(itertools.chain([first], chunks), out)
    out.write(f"({count} row{'' if count == 1 else 's'})\n")
    return count


class AlignedTable:
    """psql's aligned format; columns sized by the first batch of rows."""

    def __init__(self, headers: Sequence[str], first: Sequence[Row], null: str) -> None:
        self.headers = list(headers)
        self.null = null
        texts = [[cell_text(v, null) for v in row] for row in first]
        self.widths = [display_width(h) for h in headers]
        for row in texts:
            self.widths = [max(w, display_width(t)) for w, t in zip(self.widths, row, strict=False)]
        self.numeric = [
            any(is_numeric(row[i]) for row in first) if first else False
            for i in range(len(headers))
        ]

    @property
    def width(self) -> int:
        """Columns the table takes on screen."""
        return sum(self.widths) + 3 * len(self.widths) - 1

    def header(self) -> str:
        cells = [pad(h, w) for h, w in zip(self.headers, self.widths, strict=False)]
        rule = "-+-".join("-" * w for w in self.widths)
        return " " + " | ".join(cells).rstrip() + "\n-" + rule + "-\n"

    def line(self, row: Row) -> str:
        cells = [
            pad(cell_text(v, self.null), w, right=num)
            for v, w, num in zip(row, self.widths, self.numeric, strict=False)
        ]
        return (" " + " | ".join(cells)).rstrip() + "\n"

    def write(self, chunks: Iterable[list[Row]], out: Out) -> int:
        out.write(self.header())
        count = 0
        for chunk in chunks:
            out.write("".join(self.line(row) for row in chunk))
            count += len(chunk)
        return count


def _expanded(headers: list[str], chunks: Iterable[list[Row]], out: Out, null: str) -> int:
    label_width = max((display_width(h) for h in headers), default=0)
    count = 0
    for chunk in chunks:
        parts = []
        for row in chunk:
            count += 1
            parts.append(f"-[ RECORD {count} ]" + "-" * max(1, label_width - 8) + "\n")
            parts.extend(
                f"{pad(h, label_width)} | {cell_text(v, null)}\n".rstrip(" \n") + "\n"
                for h, v in zip(headers, row, strict=False)
            )
        out.write("".join(parts))
    return count


def _csv(headers: list[str], chunks: Iterable[list[Row]], out: Out, settings: Settings) -> int:
    """RFC 4180 with a header row; NULL is an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    count = 0
    for chunk in chunks:
        writer.writerows([plain_text(v, "") for v in row] for row in chunk)
        count += len(chunk)
    return count


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv(headers: list[str], chunks: Iterable[list[Row]], out: Out) -> int:
    """Tab-separated with a header row, as PostgreSQL's COPY text format: ``\\N`` is NULL,
    and a backslash, tab or line break inside a value is escaped, so every row is one line."""
    out.write("\t".join(h.translate(_TSV_ESCAPES) for h in headers) + "\n")
    count = 0
    for chunk in chunks:
        lines = (
            "\t".join("\\N" if v is None else plain_text(v, "").translate(_TSV_ESCAPES)
                      for v in row)
            for row in chunk
        )
        out.write("".join(line + "\n" for line in lines))
        count += len(chunk)
    return count


def _json(headers: list[str], chunks: Iterable[list[Row]], out: Out) -> int:
    """One JSON array of objects, written object by object."""
    count = 0
    out.write("[")
    for chunk in chunks:
        text = ",\n".join(
            json.dumps(
                {h: json_value(v) for h, v in zip(headers, row, strict=False)}, ensure_ascii=False
            )
            for row in chunk
        )
        out.write(("\n" if count == 0 else ",\n") + text)
        count += len(chunk)
    out.write("\n]\n" if count else "]\n")
    return count


def _unaligned(
    headers: list[str], chunks: Iterable[list[Row]], out: Out, settings: Settings
) -> int:
    out.write("|".join(headers) + "\n")
    count = 0
    for chunk in chunks:
        out.write("".join("|".join(plain_text(v, settings.null) for v in r) + "\n" for r in chunk))
        count += len(chunk)
    out.write(f"({count} row{'' if count == 1 else 's'})\n")
    return count
