"""The PostgreSQL backend against the real server on 127.0.0.1:5432 (db ``test``).

Skips when the server is unreachable, fails instead under ``CI=true``. Tables
carry a random suffix and are dropped, since other suites share the server.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends._pool import ConnectionPool
from sigv4_dataapi.local.backends.base import DatabaseError, Param
from sigv4_dataapi.local.backends.postgres import (
    PostgresBackend,
    PostgresSession,
    UnsupportedResultError,
    rewrite_placeholders,
)

PG_URL = os.environ.get("SIGV4_DATAAPI_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

pytestmark = pytest.mark.postgres


# -- placeholder rewriting (no server needed) ------------------------------------


@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT :a, :b", "SELECT %s, %s", ("a", "b")),
        ("SELECT :a + :a", "SELECT %s + %s", ("a", "a")),
        ("SELECT ':a', :b", "SELECT ':a', %s", ("b",)),
        ("SELECT 'it''s :a', :b", "SELECT 'it''s :a', %s", ("b",)),
        ("SELECT E'\\' :a', :b", "SELECT E'\\' :a', %s", ("b",)),
        ('SELECT "x:a" FROM t WHERE y = :b', 'SELECT "x:a" FROM t WHERE y = %s', ("b",)),
        ("SELECT x::int, :b::text", "SELECT x::int, %s::text", ("b",)),
        ("SELECT 1 -- :a\n, :b", "SELECT 1 -- :a\n, %s", ("b",)),
        ("SELECT /* :a /* :n */ :m */ :b", "SELECT /* :a /* :n */ :m */ %s", ("b",)),
        ("SELECT $$ :a $$, :b", "SELECT $$ :a $$, %s", ("b",)),
        ("SELECT $f$ :a $$ :c $f$, :b", "SELECT $f$ :a $$ :c $f$, %s", ("b",)),
        ("SELECT a$b, :c", "SELECT a$b, %s", ("c",)),
        ("SELECT 5 % 2, :b, '%'", "SELECT 5 %% 2, %s, '%%'", ("b",)),
        ("SELECT ':unterminated", "SELECT ':unterminated", ()),
        ("SELECT :_x1, :é", "SELECT %s, %s", ("_x1", "é")),
        ("SELECT $1", "SELECT $1", ()),
    ],
)
def test_rewrite_placeholders(sql: str, text: str, names: tuple[str, ...]) -> None:
    rewritten = rewrite_placeholders(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


_WORD = st.text(alphabet="abcxyz019 ,()=+<>", min_size=1, max_size=8)
_INSIDE = st.text(alphabet="ab :x%$-*/\n", max_size=8)  # what literals and comments may hold
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _segment(kind: str, body: str) -> tuple[str, str, list[str]]:
    """(SQL, expected rewrite, expected names) for one lexical element."""
    quoted = {"string": ("'", "'"), "quoted": ('"', '"'), "dollar": ("$q$", "$q$"),
              "block": ("/*", "*/"), "comment": ("--", "\n")}  # fmt: skip
    if kind == "param":
        return f":{body}", "%s", [body]
    if kind == "word":
        return body, body, []
    if kind == "cast":
        return "x::int", "x::int", []
    if kind == "percent":
        return "%", "%%", []
    opening, closing = quoted[kind]
    forbidden = {"string": "'", "quoted": '"', "dollar": "$", "block": "*/", "comment": "\n"}
    clean = "".join(c for c in body if c not in forbidden[kind])
    text = f"{opening}{clean}{closing}"
    return text, text.replace("%", "%%"), []


_SEGMENTS = st.lists(
    st.one_of(
        st.tuples(st.just("param"), _NAME),
        st.tuples(st.just("word"), _WORD),
        st.tuples(st.sampled_from(["string", "quoted", "dollar", "block", "comment"]), _INSIDE),
        st.tuples(st.sampled_from(["cast", "percent"]), st.just("")),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_SEGMENTS)
def test_rewrite_touches_only_placeholders_and_percent(segments: list[tuple[str, str]]) -> None:
    parts = [_segment(kind, body) for kind, body in segments]
    sql = " ".join(p[0] for p in parts)
    rewritten = rewrite_placeholders(sql)
    assert rewritten.text == " ".join(p[1] for p in parts)
    assert list(rewritten.names) == [name for p in parts for name in p[2]]


def test_repr_hides_the_password() -> None:
    backend = PostgresBackend("postgresql://u:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret" not in repr(backend)
    backend.close()


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        PostgresBackend("mysql://root@127.0.0.1/test")


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependencyError, match=r"sigv4-dataapi\[postgres\]"):
        PostgresBackend(PG_URL)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pool_reuses_resets_caps_and_expires() -> None:
    clock, discarded = FakeClock(), []
    healthy = {"a": True, "b": True, "c": False, "d": True}
    pool: ConnectionPool[str] = ConnectionPool(
        2, reset=lambda c: healthy[c], discard=discarded.append, max_idle=10, clock=clock
    )
    key = ("db", "user")
    assert pool.take(key) is None
    pool.give(key, "a")
    pool.give(key, "c")  # reset fails: closed, not kept
    pool.give(key, "b")
    pool.give(key, "d")  # over the size: closed
    assert discarded == ["c", "d"]
    assert pool.take(("other", "user")) is None
    assert pool.take(key) == "b"  # most recently returned first
    clock.now = 11
    assert pool.take(key) is None  # "a" idled too long
    assert discarded == ["c", "d", "a"]
    pool.give(key, "b")
    pool.close()
    assert discarded[-1] == "b"
    pool.give(key, "a")  # after close nothing is kept
    assert discarded[-1] == "a"


# -- against the server ------------------------------------------------------------


@pytest.fixture(scope="module")
def backend() -> Iterator[PostgresBackend]:
    engine = open_backend(PG_URL)
    assert isinstance(engine, PostgresBackend)
    try:
        engine.session(None, None).close()
    except DatabaseError as exc:
        reason = f"PostgreSQL is not reachable at {PG_URL}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.close()


@pytest.fixture
def session(backend: PostgresBackend) -> Iterator[PostgresSession]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


@pytest.fixture
def table(backend: PostgresBackend) -> Iterator[str]:
    name = f"b2_pg_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()


def one(session: PostgresSession, sql: str, *params: Param) -> object:
    result = session.execute(sql, list(params))
    assert len(result.rows) == 1 and len(result.rows[0]) == 1
    return result.rows[0][0]


# Every supported type: (column type, parameter, value read back, engine type name, JDBC).
TYPES = [
    ("int2", Param("v", 7), 7, "int2", 5),
    ("int4", Param("v", -2147483648), -2147483648, "int4", 4),
    ("int8", Param("v", 9223372036854775807), 9223372036854775807, "int8", -5),
    ("float4", Param("v", 1.5), 1.5, "float4", 7),
    ("float8", Param("v", 1e300), 1e300, "float8", 8),
    ("numeric(10,2)", Param("v", "12.30", "DECIMAL"), Decimal("12.30"), "numeric", 2),
    ("text", Param("v", 'h\u00e9llo "x"'), 'h\u00e9llo "x"', "text", 12),
    ("varchar(20)", Param("v", "abc"), "abc", "varchar", 12),
    ("char(3)", Param("v", "ab"), "ab ", "bpchar", 1),
    ("bool", Param("v", True), True, "bool", -7),
    ("bytea", Param("v", b"\x00\x01hello"), b"\x00\x01hello", "bytea", -2),
    ("date", Param("v", "2024-02-29", "DATE"), "2024-02-29", "date", 91),
    ("time", Param("v", "03:04:05.120", "TIME"), "03:04:05.12", "time", 92),
    ("timestamp", Param("v", "2024-01-02 03:04:05", "TIMESTAMP"), "2024-01-02 03:04:05",
     "timestamp", 93),
    ("timestamptz", Param("v", "2024-01-02 03:04:05.5", "TIMESTAMP"),
     "2024-01-02 03:04:05.5", "timestamptz", 93),
    ("uuid", Param("v", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "UUID"),
     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "uuid", 1111),
    ("json", Param("v", '{"a": [1, 2]}', "JSON"), '{"a": [1, 2]}', "json", 1111),
    ("jsonb", Param("v", '{"a": [1, 2]}', "JSON"), '{"a": [1, 2]}', "jsonb", 1111),
    ("interval", Param("v", None), None, "interval", 1111),
    ("bit(1)", Param("v", None), None, "bit", -7),
]  # fmt: skip


@pytest.mark.parametrize(("column", "param", "expected", "type_name", "jdbc"), TYPES)
def test_every_type_round_trips(
    session: PostgresSession,
    table: str,
    column: str,
    param: Param,
    expected: object,
    type_name: str,
    jdbc: int,
) -> None:
    session.execute(f"CREATE TABLE {table} (v {column})", [])
    inserted = session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [param])
    assert inserted.columns is None and inserted.rows_updated == 1
    result = session.execute(f"SELECT v FROM {table}", [])
    assert result.rows == [[expected]]
    assert result.columns is not None
    (meta,) = result.columns
    assert (meta.type_name, meta.type, meta.table_name, meta.schema_name) == (
        type_name, jdbc, table, "public")  # fmt: skip
    assert meta.nullable == 1


def test_values_the_engine_renders(session: PostgresSession) -> None:
    row = session.execute(
        "SELECT '2024-01-02 03:04:05.100+02'::timestamptz, '2024-01-02 03:04:05'::timestamptz,"
        " '1 day 02:00:00'::interval, '192.168.0.1/24'::inet, B'1', B'0', '11:12:13+02'::timetz,"
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
    with pytest.raises(DatabaseError) as caught:
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
    with pytest.raises(DatabaseError) as caught:
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


# -- errors ----------------------------------------------------------------------------


def test_error_format_matches_the_recorded_service_text(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT * FROM no_such_table_xyz", [])
    error = caught.value
    assert error.message == (
        'ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01'
    )
    assert error.v1_message == 'ERROR: relation "no_such_table_xyz" does not exist\n  Position: 15'
    assert error.sqlstate == "42P01"


def test_syntax_error_text(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELEKT 1", [])
    assert caught.value.message == (
        'ERROR: syntax error at or near "SELEKT"; Position: 1; SQLState: 42601'
    )


def test_not_null_violation_has_no_detail_in_v2(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id int, name text NOT NULL)", [])
    with pytest.raises(DatabaseError) as caught:
        session.execute(f"INSERT INTO {table} (id) VALUES (1)", [])
    assert caught.value.message == (
        f'ERROR: null value in column "name" of relation "{table}" violates not-null '
        "constraint; SQLState: 23502"
    )
    assert "\n  Detail: Failing row contains (1, null)." in caught.value.v1_message


def test_detail_can_be_included(table: str, backend: PostgresBackend) -> None:
    detailed = PostgresBackend(PG_URL, include_detail=True)
    session = detailed.session(None, None)
    try:
        session.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)", [])
        session.execute(f"INSERT INTO {table} VALUES (1)", [])
        with pytest.raises(DatabaseError) as caught:
            session.execute(f"INSERT INTO {table} VALUES (1)", [])
        assert "; Detail: Key (id)=(1) already exists.; SQLState: 23505" in caught.value.message
    finally:
        session.close()
        detailed.close()


def test_hint_is_kept(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT no_such_function(1)", [])
    message = caught.value.message
    assert message.startswith("ERROR: function no_such_function(integer) does not exist; Hint: ")
    assert message.endswith("; Position: 8; SQLState: 42883")


def test_missing_parameter(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT :a, :b", [Param("a", 1)])
    assert caught.value.message == "No value specified for parameter 2.; SQLState: 22023"


def test_positional_placeholders_are_not_bound(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT $1", [Param("1", 1)])
    assert caught.value.sqlstate == "42P02"


def test_client_side_errors_are_database_errors(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT :s", [Param("s", "nul\x00byte")])
    assert caught.value.sqlstate == "22000"
    assert caught.value.message == (
        "ERROR: PostgreSQL text fields cannot contain NUL (0x00) bytes; SQLState: 22000"
    )


def test_the_session_stays_usable_after_errors(session: PostgresSession) -> None:
    with pytest.raises(DatabaseError):
        session.execute("SELECT 1/0", [])
    assert one(session, "SELECT 2") == 2


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


def test_rows_updated(session: PostgresSession, table: str) -> None:
    created = session.execute(f"CREATE TABLE {table} (id int)", [])
    assert (created.columns, created.rows_updated) == (None, 0)
    inserted = session.execute(f"INSERT INTO {table} SELECT generate_series(1, 5)", [])
    assert inserted.rows_updated == 5
    assert session.execute(f"UPDATE {table} SET id = id WHERE id > 2", []).rows_updated == 3
    assert session.execute(f"SELECT * FROM {table}", []).rows_updated == 0
    returning = session.execute(f"DELETE FROM {table} WHERE id = 1 RETURNING id", [])
    assert (returning.rows, returning.generated) == ([[1]], [])


# -- batches and transactions ---------------------------------------------------------


def test_batch_runs_each_set_and_generates_nothing(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id serial, v text)", [])
    sets = [[Param("v", "a")], [Param("v", "b")], [Param("v", None)]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES (:v)", sets) == [[], [], []]
    assert session.execute(f"SELECT v FROM {table} ORDER BY id", []).rows == [["a"], ["b"], [None]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('x')", [[], []]) == [[], []]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('y')", []) == []
    assert one(session, f"SELECT count(*) FROM {table}") == 5


def test_a_failing_batch_leaves_nothing_behind(session: PostgresSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)", [])
    sets = [[Param("i", 1)], [Param("i", 2)], [Param("i", 1)]]
    with pytest.raises(DatabaseError) as caught:
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", sets)
    assert caught.value.sqlstate == "23505"
    assert one(session, f"SELECT count(*) FROM {table}") == 0
    with pytest.raises(DatabaseError):  # a set without the parameter: nothing runs
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", [[Param("i", 5)], []])
    assert one(session, f"SELECT count(*) FROM {table}") == 0


def test_transactions_commit_and_roll_back(backend: PostgresBackend, table: str) -> None:
    first, other = backend.session(None, None), backend.session(None, None)
    try:
        first.execute(f"CREATE TABLE {table} (id int)", [])
        first.begin()
        first.execute(f"INSERT INTO {table} VALUES (1)", [])
        assert one(other, f"SELECT count(*) FROM {table}") == 0  # not yet visible
        first.rollback()
        assert one(other, f"SELECT count(*) FROM {table}") == 0
        first.begin()
        first.execute_batch(f"INSERT INTO {table} VALUES (:i)", [[Param("i", 2)], [Param("i", 3)]])
        first.commit()
        assert one(other, f"SELECT count(*) FROM {table}") == 2
        first.execute(f"INSERT INTO {table} VALUES (4)", [])  # autocommit again
        assert one(other, f"SELECT count(*) FROM {table}") == 3
    finally:
        first.close()
        other.close()


def test_closing_an_open_transaction_rolls_it_back(backend: PostgresBackend, table: str) -> None:
    session = backend.session(None, None)
    session.execute(f"CREATE TABLE {table} (id int)", [])
    session.begin()
    session.execute(f"INSERT INTO {table} VALUES (1)", [])
    session.close()
    check = backend.session(None, None)
    assert one(check, f"SELECT count(*) FROM {table}") == 0
    check.close()


def test_pooled_connections_come_back_clean(backend: PostgresBackend) -> None:
    session = backend.session(None, None)
    pid = session.connection_id
    session.execute("SET TimeZone = 'America/New_York'", [])
    session.execute("CREATE TEMP TABLE b2_scratch (id int)", [])
    session.close()
    again = backend.session(None, None)
    assert again.connection_id == pid  # reused, and reset
    assert one(again, "SHOW TimeZone") == "UTC"
    assert one(again, "SELECT count(*) FROM pg_tables WHERE tablename = 'b2_scratch'") == 0
    again.close()


def test_concurrent_sessions_share_the_pool(backend: PostgresBackend) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                session = backend.session(None, None)
                try:
                    assert one(session, "SELECT :n + :i", Param("n", n), Param("i", i)) == n + i
                finally:
                    session.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# -- cancel, database and user -------------------------------------------------------------


def test_cancel_from_another_thread(session: PostgresSession) -> None:
    session.cancel()  # idle: nothing to cancel, nothing breaks
    timer = threading.Timer(0.3, session.cancel)
    started = time.monotonic()
    timer.start()
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT pg_sleep(20)", [])
    timer.join()
    assert time.monotonic() - started < 10
    assert caught.value.sqlstate == "57014"
    assert caught.value.message == (
        "ERROR: canceling statement due to user request; SQLState: 57014"
    )
    assert one(session, "SELECT 1") == 1


def test_database_selection(backend: PostgresBackend) -> None:
    session = backend.session("postgres", None)
    assert one(session, "SELECT current_database()") == "postgres"
    session.close()
    default = backend.session(None, None)
    assert one(default, "SELECT current_database()") == "test"
    default.close()
    with pytest.raises(DatabaseError) as caught:
        backend.session(f"b2_missing_{uuid.uuid4().hex[:8]}", None)
    assert caught.value.sqlstate == "3D000"
    assert caught.value.message.startswith('FATAL: database "b2_missing_')


def test_the_session_user(backend: PostgresBackend) -> None:
    role = f"b2_role_{uuid.uuid4().hex[:8]}"
    admin = backend.session(None, None)
    admin.execute(f"CREATE ROLE {role} LOGIN", [])
    own = PostgresBackend(PG_URL)  # its pool is closed before the role goes
    try:
        as_role = own.session(None, role)
        assert one(as_role, "SELECT current_user") == role
        as_role.close()
        assert one(admin, "SELECT current_user") == "postgres"
    finally:
        own.close()
        admin.execute(f"DROP ROLE {role}", [])
        admin.close()


# -- end to end: boto3's rds-data client → serve → this backend ------------------------


@pytest.fixture(scope="module")
def pg_endpoints(
    backend: PostgresBackend, local_endpoint_module_factory: Callable[..., Any]
) -> dict[str, Any]:
    """A v2 and a v1 endpoint on PostgreSQL, the v2 one with a 1 s statement timeout."""
    v2 = local_endpoint_module_factory(
        "--statement-timeout", "1", database_url=PG_URL, engine="postgres"
    )
    v1 = local_endpoint_module_factory(database_url=PG_URL, engine="postgres", flavor="v1")
    return {"v2": v2, "v1": v1}


@pytest.fixture
def rds(pg_endpoints: dict[str, Any]) -> Any:
    return pg_endpoints["v2"].boto3_client()


@pytest.fixture
def arns(pg_endpoints: dict[str, Any]) -> dict[str, str]:
    return dict(pg_endpoints["v2"].arns)


def test_e2e_arrays_and_timestamptz_on_the_wire(rds: Any, arns: dict[str, str]) -> None:
    reply = rds.execute_statement(
        sql="SELECT ARRAY[1, NULL, 3] AS a, ARRAY['x', NULL] AS t, ARRAY[true] AS b,"
        " '2024-01-02 03:04:05.250+02'::timestamptz AS ts",
        includeResultMetadata=True,
        **arns,
    )
    assert reply["records"] == [
        [
            {"arrayValue": {"longValues": [1, None, 3]}},
            {"arrayValue": {"stringValues": ["x", None]}},
            {"arrayValue": {"booleanValues": [True]}},
            {"stringValue": "2024-01-02 01:04:05.25"},
        ]
    ]
    meta = reply["columnMetadata"]
    assert [(c["typeName"], c["type"]) for c in meta] == [
        ("_int4", 2003), ("_text", 2003), ("_bool", 2003), ("timestamptz", 93)]  # fmt: skip
    assert meta[0]["arrayBaseColumnType"] == 4


def test_e2e_hints_into_typed_columns(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (u uuid, j jsonb, ts timestamptz, d date, t time,"
        " n numeric(30,10))",
        **arns,
    )
    values = {
        "u": ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "UUID"),
        "j": ('{"k": [1, 2]}', "JSON"),
        "ts": ("2024-01-02 03:04:05.123", "TIMESTAMP"),
        "d": ("2024-02-29", "DATE"),
        "t": ("23:59:59.5", "TIME"),
        "n": ("12345678901234567890.0123456789", "DECIMAL"),
    }
    parameters = [
        {"name": name, "value": {"stringValue": text}, "typeHint": hint}
        for name, (text, hint) in values.items()
    ]
    inserted = rds.execute_statement(
        sql=f"INSERT INTO {table} VALUES (:u, :j, :ts, :d, :t, :n)", parameters=parameters, **arns
    )
    assert inserted["numberOfRecordsUpdated"] == 1
    assert inserted.get("generatedFields", []) == []  # F11: none on PostgreSQL
    reply = rds.execute_statement(sql=f"SELECT * FROM {table}", includeResultMetadata=True, **arns)
    assert reply["records"] == [[{"stringValue": text} for text, _ in values.values()]]
    assert [c["typeName"] for c in reply["columnMetadata"]] == [
        "uuid", "jsonb", "timestamptz", "date", "time", "numeric"]  # fmt: skip


def test_e2e_unhinted_uuid_fails_like_the_service(
    rds: Any, arns: dict[str, str], table: str
) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (u uuid)", **arns)
    sql = f"INSERT INTO {table} VALUES (:u)"
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(
            sql=sql,
            parameters=[{"name": "u", "value": {"stringValue": str(uuid.uuid4())}}],
            **arns,
        )
    assert caught.value.response["Error"]["Code"] == "DatabaseErrorException"
    message = caught.value.response["Error"]["Message"]
    assert message.startswith('ERROR: column "u" is of type uuid but expression is of type')
    assert "; Hint: You will need to rewrite or cast the expression.; " in message
    assert message.endswith(f"; Position: {sql.index(':u') + 1}; SQLState: 42804")


def test_e2e_error_texts_per_flavour(pg_endpoints: dict[str, Any]) -> None:
    sql = "SELECT * FROM no_such_table_xyz"
    expected = {
        "v2": ("DatabaseErrorException",
               'ERROR: relation "no_such_table_xyz" does not exist; Position: 15; SQLState: 42P01'),
        "v1": ("BadRequestException",
               'ERROR: relation "no_such_table_xyz" does not exist\n  Position: 15'),
    }  # fmt: skip
    for flavor, (code, message) in expected.items():
        endpoint = pg_endpoints[flavor]
        with pytest.raises(ClientError) as caught:
            endpoint.boto3_client().execute_statement(sql=sql, **endpoint.arns)
        error = caught.value.response["Error"]
        assert (error["Code"], error["Message"]) == (code, message)


def test_e2e_unsupported_type_message(rds: Any, arns: dict[str, str]) -> None:
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT 1::money", **arns)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "UnsupportedResultException",
        "The result contains the unsupported data type money.",
    )


def test_e2e_statement_timeout_cancels_the_query(rds: Any, arns: dict[str, str]) -> None:
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT pg_sleep(30)", **arns)
    assert time.monotonic() - started < 15
    assert caught.value.response["Error"]["Code"] == "StatementTimeoutException"
    assert caught.value.response["dbConnectionId"] > 0  # the backend pid
    assert rds.execute_statement(sql="SELECT 1", **arns)["records"] == [[{"longValue": 1}]]


def test_e2e_batch_in_a_transaction(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (id serial, v text)", **arns)
    tx = rds.begin_transaction(**arns)["transactionId"]
    reply = rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameterSets=[[{"name": "v", "value": {"stringValue": s}}] for s in "ab"],
        transactionId=tx,
        **arns,
    )
    assert reply["updateResults"] == [{"generatedFields": []}, {"generatedFields": []}]
    status = rds.rollback_transaction(transactionId=tx, **arns)["transactionStatus"]
    assert status == "Rollback Complete"
    count = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"]
    assert count == [[{"longValue": 0}]]
