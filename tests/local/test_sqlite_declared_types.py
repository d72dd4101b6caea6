"""The SQLite default answers by declared column type, as Aurora MySQL (issue 13).

Backend-level: each declared type's value and ColumnMetadata; expressions keep
the storage-class rule; the declared types survive joins, aliases, CTEs and
parameters, and follow a table that is dropped and created again. The
names and codes are those the MariaDB backend reports for the same DDL
(tests/test_typed_round_trip.py compares the two through boto3).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.backends._sqlite_decltypes import without_parameters
from sigv4_dataapi._server.backends._sqlite_types import declared_type
from sigv4_dataapi._server.backends.base import Param
from sigv4_dataapi._server.backends.sqlite import SqliteSession


@pytest.fixture
def session(tmp_path: Path) -> Iterator[SqliteSession]:
    backend = open_backend(f"sqlite://{tmp_path / 'db.sqlite3'}")
    opened = backend.session(None, None)
    assert isinstance(opened, SqliteSession)
    yield opened
    opened.close()
    backend.close()


# (declared type, value stored, value answered, typeName, JDBC code, precision, scale)
CASES: list[tuple[str, Any, Any, str, int, int, int]] = [
    ("DECIMAL(12,3)", 1234.5, Decimal("1234.500"), "DECIMAL", 3, 12, 3),
    ("NUMERIC(10,2)", "12.3", Decimal("12.30"), "DECIMAL", 3, 10, 2),
    ("DECIMAL(20,2)", 0.1 + 0.2, Decimal("0.30"), "DECIMAL", 3, 20, 2),
    ("NUMERIC", 12.345, Decimal("12.345"), "DECIMAL", 3, 10, 0),  # no (p,s): nothing rounded
    ("DECIMAL(5)", 7, Decimal("7"), "DECIMAL", 3, 5, 0),
    ("DATE", "2024-02-29", "2024-02-29", "DATE", 91, 10, 0),
    ("DATE", "2024-02-29 10:00:00", "2024-02-29", "DATE", 91, 10, 0),
    ("TIME", "03:04:05", "03:04:05", "TIME", 92, 10, 0),
    ("TIME(6)", "23:59:58.500000", "23:59:58.5", "TIME", 92, 17, 6),
    ("DATETIME", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05", "DATETIME", 93, 19, 0),
    ("DATETIME(6)", "2024-01-02 03:04:05.000000", "2024-01-02 03:04:05", "DATETIME", 93, 26, 6),
    ("TIMESTAMP", "2024-01-02 03:04:05.120", "2024-01-02 03:04:05.12", "TIMESTAMP", 93, 19, 0),
    ("TIMESTAMP", "2024-01-02", "2024-01-02 00:00:00", "TIMESTAMP", 93, 19, 0),
    ("BOOLEAN", 1, True, "BIT", -7, 1, 0),
    ("BOOL", 0, False, "BIT", -7, 1, 0),
    ("TINYINT(1)", 1, True, "BIT", -7, 1, 0),
    ("BLOB", b"\x00\xff", b"\x00\xff", "BLOB", -4, 65535, 0),
    ("BLOB", "text kept as TEXT", b"text kept as TEXT", "BLOB", -4, 65535, 0),
    ("JSON", '{"a": 1}', '{"a": 1}', "JSON", -1, 1073741823, 0),
    ("JSON", 5, "5", "JSON", -1, 1073741823, 0),  # NUMERIC affinity stored a number
    ("UUID", "0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e",
     "CHAR", 1, 36, 0),
    ("CHAR(36)", "0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e",
     "CHAR", 1, 36, 0),
    ("VARCHAR(20)", "x", "x", "VARCHAR", 12, 20, 0),
    ("TEXT", "x", "x", "TEXT", -1, 65535, 0),
    ("TINYINT", 5, 5, "TINYINT", -6, 4, 0),
    ("SMALLINT", 5, 5, "SMALLINT", 5, 6, 0),
    ("MEDIUMINT", 5, 5, "MEDIUMINT", 4, 9, 0),
    ("INT", 5, 5, "INT", 4, 11, 0),
    ("INTEGER", 2**62, 2**62, "INT", 4, 11, 0),
    ("BIGINT", 5, 5, "BIGINT", -5, 20, 0),
    ("INT UNSIGNED", 5, 5, "INT UNSIGNED", 4, 11, 0),
    ("FLOAT", 1.5, 1.5, "FLOAT", 7, 12, 0),
    ("DOUBLE", 1, 1.0, "DOUBLE", 8, 22, 0),
    ("DOUBLE PRECISION", 1.5, 1.5, "DOUBLE", 8, 22, 0),
    ("REAL", 1.5, 1.5, "DOUBLE", 8, 22, 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("declared", "stored", "answered", "type_name", "jdbc", "precision", "scale"), CASES
)
def test_a_table_column_answers_by_its_declared_type(
    session: SqliteSession,
    declared: str,
    stored: Any,
    answered: Any,
    type_name: str,
    jdbc: int,
    precision: int,
    scale: int,
) -> None:
    session.execute(f"CREATE TABLE t (v {declared})", [])
    session.execute("INSERT INTO t VALUES (:v), (NULL)", [Param("v", stored)])
    result = session.execute("SELECT v FROM t", [])
    assert result.rows == [[answered], [None]]
    assert type(result.rows[0][0]) is type(answered)
    assert result.columns is not None
    column = result.columns[0]
    assert (column.type_name, column.type, column.precision, column.scale) == (
        type_name, jdbc, precision, scale)  # fmt: skip
    assert column.nullable == 1


def test_expressions_keep_the_storage_class_rule(session: SqliteSession) -> None:
    session.execute("CREATE TABLE t (d DECIMAL(12,3), dt DATE)", [])
    session.execute("INSERT INTO t VALUES (1.5, '2024-01-02')", [])
    result = session.execute(
        "SELECT d * 2 AS twice, CAST(d AS DECIMAL(10,2)) AS c, max(dt) AS m, :p AS p, 1 AS one "
        "FROM t", [Param("p", "x")]
    )  # fmt: skip
    assert result.rows == [[3.0, 1.5, "2024-01-02", "x", 1]]
    assert result.columns is not None
    assert [(c.type_name, c.type) for c in result.columns] == [
        ("REAL", 8), ("REAL", 8), ("TEXT", 12), ("TEXT", 12), ("INTEGER", -5)]  # fmt: skip


def test_declared_types_survive_aliases_joins_ctes_and_parameters(session: SqliteSession) -> None:
    session.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, d DECIMAL(6,2))", [])
    session.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, at DATETIME)", [])
    session.execute("INSERT INTO a VALUES (1, 2.5)", [])
    session.execute("INSERT INTO b VALUES (1, '2024-01-02 03:04:05.500000')", [])
    sql = (
        "WITH q AS (SELECT id, at FROM b WHERE id = :id) "
        "SELECT a.d AS price, q.at, a.id, q.id FROM a JOIN q ON q.id = a.id "
        "WHERE ':not' <> :s -- :comment"
    )  # fmt: skip
    result = session.execute(sql, [Param("id", 1), Param("s", "x")])
    assert result.rows == [[Decimal("2.50"), "2024-01-02 03:04:05.5", 1, 1]]
    assert result.columns is not None
    assert [c.type_name for c in result.columns] == ["DECIMAL", "DATETIME", "INT", "INT"]


def test_a_recreated_table_answers_by_its_new_types(session: SqliteSession) -> None:
    session.execute("CREATE TABLE t (v DECIMAL(4,1))", [])
    session.execute("INSERT INTO t VALUES (1)", [])
    assert session.execute("SELECT v FROM t", []).rows == [[Decimal("1.0")]]
    session.execute("DROP TABLE t", [])
    session.execute("CREATE TABLE t (v BOOLEAN)", [])
    session.execute("INSERT INTO t VALUES (1)", [])
    assert session.execute("SELECT v FROM t", []).rows == [[True]]


def test_statements_that_cannot_be_a_view_keep_the_storage_class_rule(
    session: SqliteSession,
) -> None:
    session.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, d DECIMAL(6,2))", [])
    returned = session.execute("INSERT INTO t (d) VALUES (:d) RETURNING id, d", [Param("d", 1.5)])
    assert returned.rows == [[1, 1.5]]
    pragma = session.execute("PRAGMA table_info(t)", [])
    assert pragma.rows[1][1:3] == ["d", "DECIMAL(6,2)"]


def test_unknown_declarations_are_not_guessed() -> None:
    for declaration in ("", "NUM", "STRING", "VARIANT", "GEOMETRY", "DECIMAL(a,b)", "BIT(8)"):
        assert declared_type(declaration) is None, declaration
    decimal = declared_type("numeric ( 12 , 3 ) unsigned")
    assert decimal is not None
    assert (decimal.type_name, decimal.precision, decimal.scale) == ("DECIMAL UNSIGNED", 12, 3)


def test_every_sqlite_parameter_form_becomes_null_outside_quotes_and_comments() -> None:
    sql = "SELECT :a, @b, $c::d(x), ?, ?2, ':e', \"@f\", [$g], `:h` -- :i\n/* ?3 */ FROM t"
    assert without_parameters(sql) == (
        "SELECT NULL, NULL, NULL, NULL, NULL, ':e', \"@f\", [$g], `:h` -- :i\n/* ?3 */ FROM t"
    )
