"""MariaDB/MySQL: every type both ways, hints, column metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _my import one

from sigv4_dataapi.local.backends.base import DatabaseError, Param
from sigv4_dataapi.local.backends.mysql import (
    MySQLSession,
)

pytestmark = pytest.mark.mysql


# Every type: (column type, parameter, value read back, Connector/J type name, JDBC code).
TYPES = [
    ("TINYINT", Param("v", -128), -128, "TINYINT", -6),
    ("SMALLINT", Param("v", 32767), 32767, "SMALLINT", 5),
    ("MEDIUMINT", Param("v", 8388607), 8388607, "MEDIUMINT", 4),
    ("INT", Param("v", -2147483648), -2147483648, "INT", 4),
    ("BIGINT", Param("v", 9223372036854775807), 9223372036854775807, "BIGINT", -5),
    ("INT UNSIGNED", Param("v", 4294967295), 4294967295, "INT UNSIGNED", 4),
    ("FLOAT", Param("v", 1.5), 1.5, "FLOAT", 7),
    ("DOUBLE", Param("v", 1e300), 1e300, "DOUBLE", 8),
    ("DECIMAL(10,2)", Param("v", "12.30", "DECIMAL"), Decimal("12.30"), "DECIMAL", 3),
    ("VARCHAR(20)", Param("v", 'h\u00e9llo "x" \\'), 'h\u00e9llo "x" \\', "VARCHAR", 12),
    ("CHAR(3)", Param("v", "ab"), "ab", "CHAR", 1),
    ("TEXT", Param("v", "long text"), "long text", "TEXT", -1),
    ("BLOB", Param("v", b"\x00\x01'hello"), b"\x00\x01'hello", "BLOB", -4),
    ("VARBINARY(8)", Param("v", b"\xff\x00"), b"\xff\x00", "VARBINARY", -3),
    ("BINARY(2)", Param("v", b"\x01\x02"), b"\x01\x02", "BINARY", -2),
    ("BOOLEAN", Param("v", True), 1, "TINYINT", -6),
    ("BIT(1)", Param("v", True), True, "BIT", -7),
    ("DATE", Param("v", "2024-02-29", "DATE"), "2024-02-29", "DATE", 91),
    ("TIME(3)", Param("v", "03:04:05.120", "TIME"), "03:04:05.12", "TIME", 92),
    ("DATETIME(6)", Param("v", "2024-01-02 03:04:05.5", "TIMESTAMP"), "2024-01-02 03:04:05.5",
     "DATETIME", 93),
    ("TIMESTAMP", Param("v", "2024-01-02 03:04:05", "TIMESTAMP"), "2024-01-02 03:04:05",
     "TIMESTAMP", 93),
    ("YEAR", Param("v", 2024), 2024, "YEAR", 5),
    ("CHAR(36)", Param("v", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "UUID"),
     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "CHAR", 1),
    ("ENUM('sad','happy')", Param("v", "happy"), "happy", "ENUM", 1),
    ("SET('a','b')", Param("v", "a,b"), "a,b", "SET", 1),
]  # fmt: skip


@pytest.mark.parametrize(("column", "param", "expected", "type_name", "jdbc"), TYPES)
def test_every_type_round_trips(
    session: MySQLSession,
    table: str,
    column: str,
    param: Param,
    expected: object,
    type_name: str,
    jdbc: int,
) -> None:
    session.execute(f"CREATE TABLE {table} (v {column})", [])
    inserted = session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [param])
    assert (inserted.columns, inserted.rows_updated, inserted.generated) == (None, 1, [])
    result = session.execute(f"SELECT v FROM {table}", [])
    assert result.rows == [[expected]]
    assert result.columns is not None
    (meta,) = result.columns
    assert (meta.type_name, meta.type, meta.table_name, meta.nullable) == (
        type_name, jdbc, table, 1)  # fmt: skip
    session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [Param("v", None)])
    assert session.execute(f"SELECT v FROM {table} WHERE v IS NULL", []).rows == [[None]]


def test_json_hint_into_a_json_column(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (j JSON)", [])
    session.execute(f"INSERT INTO {table} VALUES (:j)", [Param("j", '{"a": [1, 2]}', "JSON")])
    assert one(session, f"SELECT JSON_EXTRACT(j, '$.a[1]') FROM {table}") == "2"
    with pytest.raises(DatabaseError):  # MariaDB's JSON CHECK, MySQL's JSON type: both refuse
        session.execute(f"INSERT INTO {table} VALUES (:j)", [Param("j", "{oops", "JSON")])


def test_decimal_hint_is_exact(session: MySQLSession) -> None:
    value = one(session, "SELECT :d * 3", Param("d", "0.1000000000000000000001", "DECIMAL"))
    assert value == Decimal("0.3000000000000000000003")
    assert one(session, "SELECT :d", Param("d", "not a number", "DECIMAL")) == "not a number"


def test_metadata(session: MySQLSession, table: str) -> None:
    session.execute(
        f"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY,"
        " price DECIMAL(8,3) UNSIGNED NOT NULL, author VARCHAR(200) NOT NULL,"
        " code VARBINARY(10), at DATETIME(3))",
        [],
    )
    result = session.execute(f"SELECT id, price AS cost, author, code, at FROM {table}", [])
    assert result.columns is not None
    ident, price, author, code, at = result.columns
    assert (ident.type_name, ident.is_auto_increment, ident.is_signed, ident.nullable) == (
        "INT", True, True, 0)  # fmt: skip
    assert (price.name, price.label, price.type_name) == ("price", "cost", "DECIMAL UNSIGNED")
    assert (price.precision, price.scale, price.is_signed) == (8, 3, False)
    assert (author.precision, author.scale, author.is_case_sensitive) == (200, 0, False)
    assert (author.schema_name, author.table_name) == ("", table)  # F15's AppSync example
    assert (code.type_name, code.precision, code.is_case_sensitive) == ("VARBINARY", 10, True)
    assert (at.type, at.scale) == (93, 3)


def test_percent_signs_without_parameters(session: MySQLSession) -> None:
    assert session.execute("SELECT 7 % 4, '%s', '%%'", []).rows == [[3, "%s", "%%"]]
