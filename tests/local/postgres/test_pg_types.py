"""PostgreSQL: every type both ways, the six type hints, column metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _pg import one

from sigv4_dataapi._server.backends.base import EngineError, Param
from sigv4_dataapi._server.backends.postgres import PostgresSession, UnsupportedResultError

pytestmark = pytest.mark.postgres


def test_values_the_engine_renders(session: PostgresSession) -> None:
    row = session.execute(
        "SELECT '2024-01-02 03:04:05.100+02'::timestamptz, '2024-01-02 03:04:05'::timestamptz,"
        " '1 day 02:00:00'::interval::text, '192.168.0.1/24'::inet, B'1', B'0',"
        " '11:12:13+02'::timetz,"
        " 'NaN'::numeric, '0044-03-15'::date",
        [],
    ).rows[0]
    assert row == [
        "2024-01-02 01:04:05.1",  # in UTC, no offset, fraction trimmed
        "2024-01-02 03:04:05",
        "1 day 02:00:00",
        "192.168.0.1/24",
        True,
        False,
        "11:12:13+02",
        row[7],
        "0044-03-15",
    ]
    assert isinstance(row[7], Decimal) and row[7].is_nan()


def test_arrays_are_lists_with_nulls(session: PostgresSession) -> None:
    result = session.execute(
        "SELECT '{1,NULL,3}'::int[] AS i, ARRAY['a', NULL] AS t, '{}'::bool[] AS b,"
        " '{1.5,2.25}'::float8[] AS f, '{1.10}'::numeric[] AS n,"
        " ARRAY['2024-01-02 03:04:05+00'::timestamptz] AS ts",
        [],
    )
    assert result.rows == [
        [[1, None, 3], ["a", None], [], [1.5, 2.25], [Decimal("1.10")], ["2024-01-02 03:04:05"]]
    ]
    assert result.columns is not None
    first = result.columns[0]
    assert (first.type, first.type_name, first.array_base_column_type) == (2003, "_int4", 4)
    assert [c.type_name for c in result.columns] == [
        "_int4", "_text", "_bool", "_float8", "_numeric", "_timestamptz"]  # fmt: skip


@pytest.mark.parametrize(
    ("sql", "type_name"),
    [
        ("SELECT 1::money", "money"),
        ("SELECT 'a'::\"char\"", "char"),
        ("SELECT 'pg_class'::regclass", "regclass"),
        ("SELECT point(1, 2)", "point"),
        ("SELECT '{{1,2},{3,4}}'::int[]", "_int4"),
        ("SELECT ARRAY[gen_random_uuid()]", "_uuid"),
        ("SELECT int4range(1, 3)", "int4range"),
        ("SELECT '1 day'::interval", "interval"),  # F17b
        ("SELECT xmlparse(content '<a/>')", "xml"),  # F17b
        ("SELECT ARRAY['1 day'::interval]", "_interval"),
    ],
)
def test_unsupported_types(session: PostgresSession, sql: str, type_name: str) -> None:
    with pytest.raises(UnsupportedResultError) as caught:
        session.execute(sql, [])
    assert caught.value.type_name == type_name
    assert caught.value.message == f"The result contains the unsupported data type {type_name}."


def test_enum_columns_read_as_text(session: PostgresSession, table: str) -> None:
    enum = f"{table}_mood"
    session.execute(f"CREATE TYPE {enum} AS ENUM ('sad', 'happy')", [])
    try:
        result = session.execute(f"SELECT 'happy'::{enum}", [])
        assert result.rows == [["happy"]]
        assert result.columns is not None
        assert (result.columns[0].type_name, result.columns[0].type) == (enum, 1111)
    finally:
        session.execute(f"DROP TYPE {enum}", [])


# -- the six type hints --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "value", "expected", "type_name"),
    [
        ("JSON", '{"k": "v"}', '{"k": "v"}', "json"),
        ("UUID", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
         "uuid"),
        ("TIMESTAMP", "2024-01-02 03:04:05.123", "2024-01-02 03:04:05.123", "timestamp"),
        ("DATE", "2024-01-02", "2024-01-02", "date"),
        ("TIME", "23:59:59.5", "23:59:59.5", "time"),
        ("DECIMAL", "123456789012345678901234567890.000001",
         Decimal("123456789012345678901234567890.000001"), "numeric"),
    ],
)  # fmt: skip
def test_type_hints_bind_as_their_type(
    session: PostgresSession, hint: str, value: str, expected: object, type_name: str
) -> None:
    result = session.execute("SELECT :v", [Param("v", value, hint)])
    assert result.rows == [[expected]]
    assert result.columns is not None and result.columns[0].type_name == type_name


def test_unhinted_strings_are_varchar_as_with_pgjdbc(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (u uuid)", [])
    value = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    with pytest.raises(EngineError) as caught:
        session.execute(f"INSERT INTO {table} VALUES (:u)", [Param("u", value)])
    assert caught.value.sqlstate == "42804"
    assert caught.value.message.startswith(
        'ERROR: column "u" is of type uuid but expression is of type character varying; Hint: '
    )
    session.execute(f"INSERT INTO {table} VALUES (:u)", [Param("u", value, "UUID")])
    assert one(session, f"SELECT count(*) FROM {table} WHERE u = :u", Param("u", value, "UUID"))


def test_integers_bind_as_int8_and_a_bad_hinted_value_is_the_engines_error(
    session: PostgresSession,
) -> None:
    result = session.execute("SELECT :n", [Param("n", 1)])
    assert result.columns is not None and result.columns[0].type_name == "int8"
    with pytest.raises(EngineError) as caught:
        session.execute("SELECT :d", [Param("d", "not a date", "DATE")])
    assert caught.value.sqlstate == "22007"
    assert caught.value.message.startswith('ERROR: invalid input syntax for type date: "not')


def test_a_timestamp_hint_into_timestamptz_is_utc(session: PostgresSession) -> None:
    value = one(session, "SELECT CAST(:t AS timestamptz)", Param("t", "2024-06-01 12:00:00",
                                                                   "TIMESTAMP"))  # fmt: skip
    assert value == "2024-06-01 12:00:00"


def test_null_and_percent_and_repeated_names(session: PostgresSession) -> None:
    result = session.execute(
        "SELECT :a, :a || '%', 7 % 4, CAST(:n AS int)", [Param("a", "x"), Param("n", None)]
    )
    assert result.rows == [["x", "x%", 3, None]]


def test_percent_signs_without_parameters(session: PostgresSession) -> None:
    assert session.execute("SELECT 7 % 4, '%s', '%%'", []).rows == [[3, "%s", "%%"]]


# -- metadata ----------------------------------------------------------------------------


def test_metadata_of_a_literal_matches_the_reference_example(session: PostgresSession) -> None:
    result = session.execute("SELECT 123", [])
    assert result.columns is not None
    (meta,) = result.columns
    assert (meta.name, meta.label, meta.type, meta.type_name) == ("?column?", "?column?", 4, "int4")
    assert (meta.precision, meta.is_signed, meta.nullable) == (10, True, 0)


def test_metadata_of_table_columns(session: PostgresSession, table: str) -> None:
    session.execute(
        f"CREATE TABLE {table} (id serial PRIMARY KEY, big bigint GENERATED ALWAYS AS IDENTITY,"
        " price numeric(8,3) NOT NULL, name varchar(40), at timestamptz(3))",
        [],
    )
    result = session.execute(f"SELECT id, big, price AS cost, name, at FROM {table}", [])
    assert result.rows == []
    assert result.columns is not None
    ident, big, price, name, at = result.columns
    assert (ident.type_name, ident.is_auto_increment, ident.nullable) == ("serial", True, 0)
    assert (big.type_name, big.is_auto_increment) == ("bigserial", True)
    assert (price.label, price.precision, price.scale, price.nullable) == ("cost", 8, 3, 0)
    assert price.is_signed and not price.is_case_sensitive
    assert (name.precision, name.nullable, name.is_case_sensitive) == (40, 1, True)
    assert (at.type, at.scale, at.table_name, at.schema_name) == (93, 3, table, "public")


def test_a_not_null_domain_makes_its_column_not_nullable(
    session: PostgresSession, table: str
) -> None:
    """pgjdbc's catalog query: ``attnotnull OR (typtype = 'd' AND typnotnull)``."""
    domain = f"{table}_qty"
    session.execute(f"CREATE DOMAIN {domain} AS int NOT NULL", [])
    try:
        session.execute(f"CREATE TABLE {table} (a {domain}, b int)", [])
        result = session.execute(f"SELECT a, b FROM {table}", [])
        assert result.columns is not None
        assert [c.nullable for c in result.columns] == [0, 1]
    finally:
        session.execute(f"DROP TABLE IF EXISTS {table}", [])
        session.execute(f"DROP DOMAIN {domain}", [])


def test_the_catalog_is_read_once_per_connection_and_table(
    session: PostgresSession, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pgjdbc keeps field metadata per connection by (table oid, column): so does the endpoint.
    A table created again has a new oid, so it is read afresh."""
    from sigv4_dataapi._server.backends import _pg_result

    read: list[tuple[object, ...]] = []
    real = _pg_result._TableColumn

    def counted(*fields: object) -> object:
        read.append(fields)
        return real(*fields)  # type: ignore[arg-type]

    monkeypatch.setattr(_pg_result, "_TableColumn", counted)
    session.execute(f"CREATE TABLE {table} (id int NOT NULL, name text)", [])
    first = session.execute(f"SELECT id, name FROM {table}", [])
    again = session.execute(f"SELECT name, id, 1 AS one FROM {table}", [])
    assert len(read) == 2  # two columns, asked once
    assert first.columns is not None and again.columns is not None
    assert [c.nullable for c in first.columns] == [0, 1]
    assert [c.nullable for c in again.columns] == [1, 0, 0]
    session.execute(f"DROP TABLE {table}", [])
    session.execute(f"CREATE TABLE {table} (id int, name text NOT NULL)", [])
    recreated = session.execute(f"SELECT id, name FROM {table}", [])
    assert recreated.columns is not None
    assert [c.nullable for c in recreated.columns] == [1, 0] and len(read) == 4


def test_rows_updated(session: PostgresSession, table: str) -> None:
    created = session.execute(f"CREATE TABLE {table} (id int)", [])
    assert (created.columns, created.rows_updated) == (None, 0)
    inserted = session.execute(f"INSERT INTO {table} SELECT generate_series(1, 5)", [])
    assert inserted.rows_updated == 5
    assert session.execute(f"UPDATE {table} SET id = id WHERE id > 2", []).rows_updated == 3
    assert session.execute(f"SELECT * FROM {table}", []).rows_updated == 0
    returning = session.execute(f"DELETE FROM {table} WHERE id = 1 RETURNING id", [])
    assert (returning.rows, returning.generated) == ([[1]], [])
