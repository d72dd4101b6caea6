"""Expiry parsing: every shape providers have written, and the ones we refuse."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sigv4_dataapi._credentials.providers._time import format_expiration, parse_expiration

WANT = datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text",
    [
        "2030-01-01T08:00:00Z",
        "2030-01-01T08:00:00z",
        "2030-01-01T08:00:00+00:00",
        "2030-01-01T08:00:00UTC",
        "2030-01-01T08:00:00.000Z",
        "2030-01-01T09:00:00+01:00",
        " 2030-01-01T08:00:00Z ",
        1893484800000,
    ],
)
def test_accepted_shapes(text: object) -> None:
    assert parse_expiration(text) == WANT


def test_fractions_of_any_length() -> None:
    assert parse_expiration("2030-01-01T08:00:00.5Z").microsecond == 500000
    assert parse_expiration("2030-01-01T08:00:00.123456789Z").microsecond == 123456


@pytest.mark.parametrize("value", ["2030-01-01T08:00:00", "yesterday", "", None, True, [], "Z"])
def test_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_expiration(value)


def test_naive_message_says_why() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        parse_expiration("2030-01-01T08:00:00", what="Expiration")


def test_format_round_trips() -> None:
    assert format_expiration(WANT) == "2030-01-01T08:00:00Z"
    assert parse_expiration(format_expiration(WANT)) == WANT
