"""Formatters: aligned table with a NULL marker, expanded, CSV, JSON; page-by-page streaming."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sigv4_dataapi.shell.answer import Answer
from sigv4_dataapi.shell.cells import display_width
from sigv4_dataapi.shell.format import write_answer
from sigv4_dataapi.shell.settings import Settings

ROWS = [(1, "ada", None), (22, "grace hopper", b"\x01")]


def render(settings: Settings, rows: Any = ROWS, width: int | None = None) -> str:
    out = io.StringIO()
    write_answer(Answer("T", iter(rows), ["id", "who", "b"], "done"), out, settings, width)
    return out.getvalue()


def test_aligned_table_numbers_right_null_visible() -> None:
    assert render(Settings()) == (
        "T\n"
        " id | who          | b\n"
        "----+--------------+--------\n"
        "  1 | ada          | <null>\n"
        " 22 | grace hopper | \\x01\n"
        "(2 rows)\n"
        "done\n"
    )


def test_null_marker_is_a_setting() -> None:
    assert "| [NULL]" in render(Settings(null="[NULL]"))


def test_expanded_records() -> None:
    text = render(Settings(expanded="on"))
    assert "-[ RECORD 1 ]" in text and "-[ RECORD 2 ]" in text
    assert "who | grace hopper\n" in text and "b   | <null>\n" in text


def test_expanded_auto_only_when_wider_than_the_terminal() -> None:
    assert "RECORD" in render(Settings(expanded="auto"), width=20)
    assert "RECORD" not in render(Settings(expanded="auto"), width=200)
    assert "RECORD" not in render(Settings(expanded="auto"), width=None)


def test_csv_quotes_and_empty_null() -> None:
    rows = [(1, 'a,"b"\nc', None)]
    assert render(Settings(format="csv"), rows) == 'id,who,b\n1,"a,""b""\nc",\ndone\n'


def test_tsv_escapes_so_each_row_is_one_line_and_null_is_backslash_n() -> None:
    rows = [(1, "a\tb\nc\\d", None), (2, "", "x")]
    assert render(Settings(format="tsv"), rows) == (
        "id\twho\tb\n1\ta\\tb\\nc\\\\d\t\\N\n2\t\tx\ndone\n"
    )


def test_json_keeps_types_and_exact_decimals() -> None:
    rows = [(1, Decimal("1.10"), dt.date(2024, 1, 2)), (2, True, None)]
    text = render(Settings(format="json"), rows).removesuffix("done\n")
    assert json.loads(text) == [
        {"id": 1, "who": "1.10", "b": "2024-01-02"},
        {"id": 2, "who": True, "b": None},
    ]


def test_json_empty_result() -> None:
    assert render(Settings(format="json"), []).startswith("[]\n")


def test_control_characters_do_not_break_the_table() -> None:
    text = render(Settings(), [(1, "a\nb\tc", None)])
    assert "a\\nb\\tc" in text


def test_wide_characters_are_two_columns() -> None:
    text = render(Settings(), [(1, "日本", None), (2, "abcd", None)])
    lines = text.splitlines()
    first, second = (line[: line.index("|", 5)] for line in lines[3:5])
    assert display_width(first) == display_width(second) == len(second)
    assert len(first) == len(second) - 2


def test_streaming_reads_rows_a_page_at_a_time() -> None:
    """The first FETCH_COUNT rows size the columns; later pages are written as they come."""
    consumed: list[int] = []

    def rows() -> Iterator[tuple[int, str, None]]:
        for i in range(10):
            consumed.append(i)
            yield (i, "x" * (1 if i < 3 else 9), None)

    writes: list[tuple[str, int]] = []

    class Spy(io.StringIO):
        def write(self, text: str) -> int:
            writes.append((text, len(consumed)))
            return super().write(text)

    out = Spy()
    write_answer(Answer(None, rows(), ["id", "who", "b"], None), out, Settings(fetch_count=3))
    row_writes = [(t, n) for t, n in writes if t.startswith("  ")]
    assert [n for _, n in row_writes] == [3, 6, 9, 10]  # printed before the next page is read
    assert out.getvalue().splitlines()[0] == " id | who | b"  # sized by the first page


@pytest.mark.parametrize("fmt", ["csv", "json", "unaligned"])
def test_csv_and_json_stream_too(fmt: str) -> None:
    seen: list[int] = []

    def rows() -> Iterator[tuple[int]]:
        for i in range(5):
            seen.append(i)
            yield (i,)

    sizes: list[int] = []

    class Spy(io.StringIO):
        def write(self, text: str) -> int:
            sizes.append(len(seen))
            return super().write(text)

    write_answer(Answer(None, rows(), ["n"], None), Spy(), Settings(format=fmt, fetch_count=2))
    assert 2 in sizes and 4 in sizes
