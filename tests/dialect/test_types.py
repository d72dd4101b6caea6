"""Exact round trips of every common type, PostgreSQL and MariaDB (issue 11, C.5 item 6)."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    Time,
    Uuid,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import mysql, postgresql

from tests.dialect.conftest import unique


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"
    meh = "meh 'quoted'"


UTC = datetime.timezone.utc
PLUS_5_30 = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
TEXT = "plain 'single' \"double\" \\ back, commas {braces} NULL é ß 中文 🐍"

# name -> (column type, values); each value must come back equal (and of the same type).
COMMON: dict[str, tuple[Any, list[Any]]] = {
    "i": (Integer, [0, -(2**31), 2**31 - 1]),
    "big": (BigInteger, [2**62 + 1, -(2**63)]),
    "num": (Numeric(38, 12), [decimal.Decimal("12345678901234567890.123456789012"),
                              decimal.Decimal("-0.000000000001")]),
    "flt": (Float(53), [0.1, -1.5e-300, 1e300]),
    "s": (String(200), [TEXT, ""]),
    "txt": (Text, [TEXT * 100]),
    "b": (Boolean, [True, False]),
    "d": (Date, [datetime.date(1999, 12, 31), datetime.date(2024, 2, 29)]),
    "bin": (LargeBinary, [bytes(range(256)), b""]),
    "js": (JSON, [{"a": [1, 2.5, None, "é"], "b": {"c": True}}, [1, "two"], "a string", 7]),
    "u": (Uuid, [uuid.uuid4(), uuid.UUID(int=0)]),
    "e": (Enum(Mood), [Mood.happy, Mood.meh]),
}  # fmt: skip

PG_ONLY: dict[str, tuple[Any, list[Any]]] = {
    "t": (Time, [datetime.time(23, 59, 59, 999999), datetime.time(0, 0)]),
    "ts": (DateTime, [datetime.datetime(2024, 1, 2, 3, 4, 5, 678901)]),
    "tstz": (DateTime(timezone=True), [datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, UTC),
                                       datetime.datetime(2024, 6, 1, 12, 0, tzinfo=PLUS_5_30)]),
    "jsb": (postgresql.JSONB, [{"k": [1, {"n": None}]}]),
    "arr": (postgresql.ARRAY(Integer), [[1, None, 3], []]),
    "sarr": (postgresql.ARRAY(String), [["a,b", '"q"', None, "NULL", "{x}", "é"]]),
    "earr": (postgresql.ARRAY(Enum(Mood, name=unique("mood_arr"))), [[Mood.sad, Mood.happy]]),
    "iv": (postgresql.INTERVAL, [datetime.timedelta(days=3, seconds=7, microseconds=123),
                                 datetime.timedelta(days=-1, seconds=1),
                                 datetime.timedelta(0)]),
}  # fmt: skip

MYSQL_ONLY: dict[str, tuple[Any, list[Any]]] = {
    "t": (mysql.TIME(fsp=6), [datetime.time(23, 59, 59, 999999), datetime.time(0, 0)]),
    "ts": (mysql.DATETIME(fsp=6), [datetime.datetime(2024, 1, 2, 3, 4, 5, 678901)]),
}


def _cases(backend: str) -> dict[str, tuple[Any, list[Any]]]:
    return {**COMMON, **(PG_ONLY if backend == "postgresql" else MYSQL_ONLY)}


def _row_values(cases: dict[str, tuple[Any, list[Any]]], index: int) -> dict[str, Any]:
    return {name: values[index % len(values)] for name, (_, values) in cases.items()}


def test_every_type_round_trips_exactly(engine: Any, metadata: Any, backend: str) -> None:
    cases = _cases(backend)
    columns = [Column(name, type_) for name, (type_, _) in cases.items()]
    table = Table(unique("types"), metadata, Column("id", Integer, primary_key=True), *columns)
    metadata.create_all(engine)
    rows = [{"id": i + 1, **_row_values(cases, i)} for i in range(4)]
    with engine.begin() as conn:
        conn.execute(insert(table), rows[:2])  # executemany
        for row in rows[2:]:
            conn.execute(insert(table).values(**row))  # one statement each
        conn.execute(insert(table).values(id=99))  # every column NULL
    with engine.connect() as conn:
        got = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    for expected, row in zip([*rows, {"id": 99}], got, strict=True):
        for name in cases:
            value = expected.get(name)
            assert row[name] == value, name
            assert type(row[name]) is type(value), name


def test_literals_and_parameters_keep_their_types(engine: Any, backend: str) -> None:
    """Values selected straight from parameters (no column) come back typed."""
    values = [datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4, 5, 6),
              decimal.Decimal("1.250"), uuid.UUID(int=5), b"\x00\xff"]  # fmt: skip
    if backend == "postgresql":
        values += [datetime.timedelta(hours=25, microseconds=1),
                   datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)]  # fmt: skip
    with engine.connect() as conn:
        for value in values:
            assert conn.execute(select(literal(value))).scalar_one() == value


def test_null_parameters_compare(engine: Any) -> None:
    with engine.connect() as conn:
        for type_ in (Date, DateTime, String, Integer, Numeric):
            assert conn.execute(select(literal(None, type_).is_(None))).scalar_one() is True


@pytest.mark.parametrize("value", [{"nested": {"deep": [1, 2, {"x": "y"}]}}, None])
def test_json_none_and_documents(engine: Any, metadata: Any, value: Any) -> None:
    table = Table(unique("js"), metadata, Column("id", Integer, primary_key=True),
                  Column("doc", JSON(none_as_null=True)))  # fmt: skip
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), {"id": 1, "doc": value})
        assert conn.execute(select(table.c.doc)).scalar_one() == value
        if value is not None:
            assert conn.execute(select(table.c.doc["nested"]["deep"][2]["x"].as_string())
                                ).scalar_one() == "y"  # fmt: skip
