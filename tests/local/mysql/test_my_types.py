"""MariaDB/MySQL: every type both ways, hints, column metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _my import one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.mysql import MySQLSession

pytestmark = pytest.mark.mysql


def test_json_hint_into_a_json_column(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (j JSON)", [])
    session.execute(f"INSERT INTO {table} VALUES (:j)", [Param("j", '{"a": [1, 2]}', "JSON")])
    assert one(session, f"SELECT JSON_EXTRACT(j, '$.a[1]') FROM {table}") == "2"
    with pytest.raises(EngineError):  # MariaDB's JSON CHECK, MySQL's JSON type: both refuse
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
