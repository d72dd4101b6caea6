"""PostgreSQL ``interval`` <-> ``datetime.timedelta`` as text.

The service refuses ``interval`` result columns (reference F17b), so the
dialect selects ``CAST(col AS TEXT)`` and parses PostgreSQL's output here; a
parameter goes in as text that PostgreSQL's own interval input reads. Months
and years have no fixed length: like psycopg, a month counts 30 days and a
year 365, which is exact for every value a ``timedelta`` wrote.
"""

from __future__ import annotations

import datetime
import re

__all__ = ["interval_text", "parse_interval"]

_UNIT_DAYS = {"year": 365, "mon": 30, "day": 1}
_PART = re.compile(
    r"(?P<n>[+-]?\d+) (?P<unit>year|mon|day)s?"
    r"|(?P<sign>[+-])?(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d)(?:\.(?P<f>\d{1,6}))?"
)
_ISO = re.compile(r"P(?:(?P<y>-?\d+)Y)?(?:(?P<mo>-?\d+)M)?(?:(?P<d>-?\d+)D)?"
                  r"(?:T(?:(?P<h>-?\d+)H)?(?:(?P<m>-?\d+)M)?(?:(?P<s>-?\d+(?:\.\d+)?)S)?)?$")


def interval_text(value: datetime.timedelta) -> str:
    """``timedelta`` -> interval input text, exact to the microsecond."""
    return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"


def parse_interval(text: str) -> datetime.timedelta:
    """PostgreSQL's interval output (``postgres`` or ``iso_8601`` style) -> ``timedelta``."""
    if text.startswith(("P", "-P")):
        return _parse_iso(text)
    days = 0
    seconds = datetime.timedelta()
    position = 0
    for match in _PART.finditer(text):
        if text[position : match.start()].strip():
            break
        position = match.end()
        if match.group("unit"):
            days += int(match.group("n")) * _UNIT_DAYS[match.group("unit")]
            continue
        fraction = (match.group("f") or "").ljust(6, "0")
        clock = datetime.timedelta(
            hours=int(match.group("h")), minutes=int(match.group("m")),
            seconds=int(match.group("s")), microseconds=int(fraction or 0),
        )  # fmt: skip
        seconds += -clock if match.group("sign") == "-" else clock
    if text[position:].strip():
        raise ValueError(f"not a PostgreSQL interval: {text!r}")
    return datetime.timedelta(days=days) + seconds


def _parse_iso(text: str) -> datetime.timedelta:
    negative = text.startswith("-")
    match = _ISO.match(text[1:] if negative else text)
    if match is None:
        raise ValueError(f"not a PostgreSQL interval: {text!r}")
    part = {key: value or "0" for key, value in match.groupdict().items()}
    result = datetime.timedelta(
        days=int(part["y"]) * 365 + int(part["mo"]) * 30 + int(part["d"]),
        hours=int(part["h"]), minutes=int(part["m"]), seconds=float(part["s"]),
    )  # fmt: skip
    return -result if negative else result
