"""The MariaDB/MySQL backend against the real server on 127.0.0.1:3306 (db ``test``).

Skips when the server is unreachable, fails instead under ``CI=true``. Tables
carry a random suffix and are dropped, since other suites share the server.
"""

from __future__ import annotations

import ast
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi.local import backends
from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends._mysql_types import trim_fraction
from sigv4_dataapi.local.backends.base import DatabaseError, Param
from sigv4_dataapi.local.backends.mysql import (
    MySQLBackend,
    MySQLSession,
    rewrite_placeholders,
)

MYSQL_URL = os.environ.get("SIGV4_DATAAPI_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")

pytestmark = pytest.mark.mysql


# -- pure helpers (no server needed) -------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "text", "names"),
    [
        ("SELECT :a, :b", "SELECT %s, %s", ("a", "b")),
        ("SELECT :a + :a", "SELECT %s + %s", ("a", "a")),
        ("SELECT ':a', :b", "SELECT ':a', %s", ("b",)),
        ("SELECT 'it\\'s :a', :b", "SELECT 'it\\'s :a', %s", ("b",)),
        ("SELECT 'it''s :a', :b", "SELECT 'it''s :a', %s", ("b",)),
        ('SELECT "x :a \\" :c", :b', 'SELECT "x :a \\" :c", %s', ("b",)),
        ("SELECT `x:a`, :b", "SELECT `x:a`, %s", ("b",)),
        ("SELECT 1 # :a\n, :b", "SELECT 1 # :a\n, %s", ("b",)),
        ("SELECT 1 -- :a\n, :b", "SELECT 1 -- :a\n, %s", ("b",)),
        ("SELECT 1 --:b", "SELECT 1 --%s", ("b",)),  # '--' without a space is minus minus
        ("SELECT /* :a */ :b", "SELECT /* :a */ %s", ("b",)),
        ("SELECT @v := 1, :b", "SELECT @v := 1, %s", ("b",)),
        ("SELECT 5 % 2, :b, '%'", "SELECT 5 %% 2, %s, '%%'", ("b",)),
        ("SELECT ':unterminated", "SELECT ':unterminated", ()),
    ],
)
def test_rewrite_placeholders(sql: str, text: str, names: tuple[str, ...]) -> None:
    rewritten = rewrite_placeholders(sql)
    assert (rewritten.text, rewritten.names) == (text, names)


_WORD = st.text(alphabet="abcxyz019 ,()=+<>@", min_size=1, max_size=8)
_INSIDE = st.text(alphabet="ab :x%-#*/\n", max_size=8)  # what literals and comments may hold
_NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)
_DELIMITERS = {"string": ("'", "'"), "dstring": ('"', '"'), "backtick": ("`", "`"),
               "block": ("/*", "*/"), "hash": ("#", "\n"), "dashes": ("-- ", "\n")}  # fmt: skip
_FORBIDDEN = {"string": "'", "dstring": '"', "backtick": "`", "block": "*/", "hash": "\n",
              "dashes": "\n"}  # fmt: skip


def _segment(kind: str, body: str) -> tuple[str, str, list[str]]:
    """(SQL, expected rewrite, expected names) for one lexical element."""
    if kind == "param":
        return f":{body}", "%s", [body]
    if kind == "word":
        return body, body, []
    if kind == "percent":
        return "%", "%%", []
    opening, closing = _DELIMITERS[kind]
    text = opening + "".join(c for c in body if c not in _FORBIDDEN[kind]) + closing
    return text, text.replace("%", "%%"), []


_SEGMENTS = st.lists(
    st.one_of(
        st.tuples(st.just("param"), _NAME),
        st.tuples(st.just("word"), _WORD),
        st.tuples(st.sampled_from(sorted(_DELIMITERS)), _INSIDE),
        st.tuples(st.just("percent"), st.just("")),
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


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        ("2024-01-02 03:04:05.120000", "2024-01-02 03:04:05.12"),
        ("2024-01-02 03:04:05.000000", "2024-01-02 03:04:05"),
        ("2024-01-02 03:04:05", "2024-01-02 03:04:05"),
        ("10:00:00", "10:00:00"),
        ("-838:59:59.000", "-838:59:59"),
    ],
)
def test_trim_fraction(text: str, trimmed: str) -> None:
    assert trim_fraction(text) == trimmed


def test_repr_hides_the_password() -> None:
    backend = MySQLBackend("mysql://u:s3cret-pw@127.0.0.1:1/db")
    assert "s3cret" not in repr(backend)


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        MySQLBackend("postgresql://postgres@127.0.0.1/test")


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymysql", None)
    with pytest.raises(MissingDependencyError, match=r"sigv4-dataapi\[mysql\]"):
        MySQLBackend(MYSQL_URL)


_PACKAGE = "sigv4_dataapi.local.backends"


def _backend_imports(module: str) -> set[str]:
    """The backend modules ``module`` needs, itself included, read from the source with ast."""
    folder = Path(backends.__file__).parent
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or not (folder / f"{name}.py").is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == _PACKAGE:
                todo.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_PACKAGE):
                todo.append((node.module or "").rsplit(".", 1)[1])
    return seen


@pytest.mark.parametrize(
    ("engine", "foreign"), [("mysql", ("postgres", "_pg_")), ("postgres", ("mysql", "_mysql_"))]
)
def test_engines_share_modules_but_never_import_each_other(
    engine: str, foreign: tuple[str, ...]
) -> None:
    needed = _backend_imports(engine)
    assert {"_pool", "_placeholders", "_session", "base"} <= needed
    assert not [name for name in needed if name.startswith(foreign)]


# -- against the server ------------------------------------------------------------


@pytest.fixture(scope="module")
def backend() -> Iterator[MySQLBackend]:
    engine = open_backend(MYSQL_URL)
    assert isinstance(engine, MySQLBackend)
    try:
        engine.session(None, None).close()
    except DatabaseError as exc:
        reason = f"MariaDB/MySQL is not reachable at {MYSQL_URL}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.close()


@pytest.fixture
def session(backend: MySQLBackend) -> Iterator[MySQLSession]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


@pytest.fixture
def table(backend: MySQLBackend) -> Iterator[str]:
    name = f"b2_my_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()


def one(session: MySQLSession, sql: str, *params: Param) -> object:
    result = session.execute(sql, list(params))
    assert len(result.rows) == 1 and len(result.rows[0]) == 1
    return result.rows[0][0]


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


# -- errors ----------------------------------------------------------------------------


def test_error_texts(session: MySQLSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT * FROM no_such_table_xyz", [])
    error = caught.value
    assert error.message == (
        "Table 'test.no_such_table_xyz' doesn't exist; Error code: 1146; SQLState: 42S02"
    )
    assert error.v1_message == (
        "Database error code: 1146. Message: Table 'test.no_such_table_xyz' doesn't exist"
    )
    assert (error.errno, error.sqlstate) == (1146, "42S02")


def test_duplicate_key_and_syntax_errors(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY)", [])
    session.execute(f"INSERT INTO {table} VALUES (1)", [])
    with pytest.raises(DatabaseError) as caught:
        session.execute(f"INSERT INTO {table} VALUES (1)", [])
    assert (caught.value.errno, caught.value.sqlstate) == (1062, "23000")
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELEKT 1", [])
    assert (caught.value.errno, caught.value.sqlstate) == (1064, "42000")
    assert caught.value.message.endswith("; Error code: 1064; SQLState: 42000")
    assert one(session, "SELECT 1") == 1


def test_client_side_errors_do_not_take_a_stale_sqlstate(session: MySQLSession) -> None:
    with pytest.raises(DatabaseError):
        session.execute("SELECT * FROM no_such_table_xyz", [])  # leaves 42S02 behind
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT :d", [Param("d", float("nan"))])
    assert (caught.value.errno, caught.value.sqlstate) == (0, "HY000")
    assert caught.value.message == "nan can not be used with MySQL; Error code: 0; SQLState: HY000"


def test_missing_parameter(session: MySQLSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT :a, :b", [Param("b", 1)])
    assert caught.value.message == (
        "No value specified for parameter 1; Error code: 0; SQLState: 07001"
    )


def test_multiple_statements_are_refused_by_the_engine(session: MySQLSession) -> None:
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT 1; SELECT 2", [])
    assert caught.value.errno == 1064


# -- generated fields, row counts, batches, transactions ----------------------------------


def test_generated_fields_and_found_rows(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)", [])
    first = session.execute(f"INSERT INTO {table} (v) VALUES (:v)", [Param("v", 1)])
    assert (first.generated, first.rows_updated) == ([1], 1)
    many = session.execute(f"INSERT INTO {table} (v) VALUES (2), (2), (2)", [])
    assert (many.generated, many.rows_updated) == ([2], 3)
    same = session.execute(f"UPDATE {table} SET v = 2 WHERE v = 2", [])
    assert (same.rows_updated, same.generated) == (3, [])  # found rows, as Connector/J counts
    assert session.execute(f"SELECT * FROM {table}", []).rows_updated == 0


def test_batch_generates_an_id_per_set(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)", [])
    sets = [[Param("v", "a")], [Param("v", "b")], [Param("v", None)]]
    generated = session.execute_batch(f"INSERT INTO {table} (v) VALUES (:v)", sets)
    assert generated == [[1], [2], [3]]
    updated = session.execute_batch(f"UPDATE {table} SET v = 'z' WHERE id = :i", [[Param("i", 1)]])
    assert updated == [[]]
    assert session.execute_batch(f"INSERT INTO {table} (v) VALUES ('y')", []) == []


def test_a_failing_batch_leaves_nothing_behind(session: MySQLSession, table: str) -> None:
    session.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY) ENGINE=InnoDB", [])
    sets = [[Param("i", 1)], [Param("i", 2)], [Param("i", 1)]]
    with pytest.raises(DatabaseError) as caught:
        session.execute_batch(f"INSERT INTO {table} VALUES (:i)", sets)
    assert caught.value.errno == 1062
    assert one(session, f"SELECT count(*) FROM {table}") == 0


def test_transactions_commit_and_roll_back(backend: MySQLBackend, table: str) -> None:
    first, other = backend.session(None, None), backend.session(None, None)
    try:
        first.execute(f"CREATE TABLE {table} (id INT) ENGINE=InnoDB", [])
        first.begin()
        first.execute(f"INSERT INTO {table} VALUES (1)", [])
        assert one(other, f"SELECT count(*) FROM {table}") == 0
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


def test_closing_an_open_transaction_rolls_it_back(backend: MySQLBackend, table: str) -> None:
    session = backend.session(None, None)
    session.execute(f"CREATE TABLE {table} (id INT) ENGINE=InnoDB", [])
    session.begin()
    session.execute(f"INSERT INTO {table} VALUES (1)", [])
    session.close()
    check = backend.session(None, None)
    assert one(check, f"SELECT count(*) FROM {table}") == 0
    check.close()


def test_pooled_connections_come_back_clean(backend: MySQLBackend) -> None:
    session = backend.session(None, None)
    thread = session.connection_id
    session.execute("SET @b2 = 1, time_zone = '+05:00'", [])
    session.execute("USE information_schema", [])
    session.close()
    again = backend.session(None, None)
    assert again.connection_id == thread  # reused, and reset
    assert again.execute("SELECT @b2, @@time_zone, DATABASE()", []).rows == [
        [None, "+00:00", "test"]
    ]
    again.close()


# -- cancel, database and user -------------------------------------------------------------


def test_cancel_from_another_thread(session: MySQLSession) -> None:
    session.cancel()  # idle: nothing to cancel, nothing breaks
    timer = threading.Timer(0.3, session.cancel)
    started = time.monotonic()
    timer.start()
    with pytest.raises(DatabaseError) as caught:
        session.execute("SELECT SLEEP(20)", [])
    timer.join()
    assert time.monotonic() - started < 10
    assert (caught.value.errno, caught.value.sqlstate) == (1317, "70100")
    assert one(session, "SELECT 1") == 1


def test_database_selection(backend: MySQLBackend) -> None:
    session = backend.session("information_schema", None)
    assert one(session, "SELECT DATABASE()") == "information_schema"
    session.close()
    with pytest.raises(DatabaseError) as caught:
        backend.session(f"b2_missing_{uuid.uuid4().hex[:8]}", None)
    assert (caught.value.errno, caught.value.sqlstate) == (1049, "42000")


def test_the_session_user(backend: MySQLBackend) -> None:
    user = f"b2u_{uuid.uuid4().hex[:8]}"
    admin = backend.session(None, None)
    admin.execute(f"CREATE USER '{user}'@'%'", [])
    own = MySQLBackend(MYSQL_URL)  # its pool is closed before the user goes
    try:
        admin.execute(f"GRANT SELECT ON test.* TO '{user}'@'%'", [])
        as_user = own.session(None, user)
        assert str(one(as_user, "SELECT CURRENT_USER()")).startswith(f"{user}@")
        as_user.close()
    finally:
        own.close()
        admin.execute(f"DROP USER '{user}'@'%'", [])
        admin.close()


# -- end to end: boto3's rds-data client → serve → this backend ------------------------


@pytest.fixture(scope="module")
def my_endpoints(
    backend: MySQLBackend, local_endpoint_module_factory: Callable[..., Any]
) -> dict[str, Any]:
    """A v2 and a v1 endpoint on MariaDB, the v2 one with a 1 s statement timeout."""
    v2 = local_endpoint_module_factory(
        "--statement-timeout", "1", database_url=MYSQL_URL, engine="mysql"
    )
    v1 = local_endpoint_module_factory(database_url=MYSQL_URL, engine="mysql", flavor="v1")
    return {"v2": v2, "v1": v1}


def _param(name: str, value: dict[str, Any], hint: str | None = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "value": value}
    if hint:
        param["typeHint"] = hint
    return param


@pytest.fixture
def rds(my_endpoints: dict[str, Any]) -> Any:
    return my_endpoints["v2"].boto3_client()


@pytest.fixture
def arns(my_endpoints: dict[str, Any]) -> dict[str, str]:
    return dict(my_endpoints["v2"].arns)


def test_e2e_generated_fields(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v TEXT)", **arns
    )
    inserted = rds.execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameters=[{"name": "v", "value": {"stringValue": "a"}}],
        **arns,
    )
    assert inserted["generatedFields"] == [{"longValue": 1}]
    assert inserted["numberOfRecordsUpdated"] == 1
    batch = rds.batch_execute_statement(
        sql=f"INSERT INTO {table} (v) VALUES (:v)",
        parameterSets=[[{"name": "v", "value": {"stringValue": s}}] for s in "bc"],
        **arns,
    )
    assert batch["updateResults"] == [
        {"generatedFields": [{"longValue": 2}]},
        {"generatedFields": [{"longValue": 3}]},
    ]


def test_e2e_values_and_metadata(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(
        sql=f"CREATE TABLE {table} (at DATETIME(6), flag BIT(1), price DECIMAL(8,2),"
        " name VARCHAR(200) NOT NULL, n INT UNSIGNED)",
        **arns,
    )
    parameters = [
        _param("at", {"stringValue": "2024-01-02 03:04:05.5"}, "TIMESTAMP"),
        _param("flag", {"booleanValue": True}),
        _param("price", {"stringValue": "12.30"}, "DECIMAL"),
        _param("name", {"stringValue": "h\u00e9"}),
        _param("n", {"longValue": 7}),
    ]
    rds.execute_statement(
        sql=f"INSERT INTO {table} VALUES (:at, :flag, :price, :name, :n)",
        parameters=parameters,
        **arns,
    )
    reply = rds.execute_statement(sql=f"SELECT * FROM {table}", includeResultMetadata=True, **arns)
    assert reply["records"] == [
        [
            {"stringValue": "2024-01-02 03:04:05.5"},
            {"booleanValue": True},
            {"stringValue": "12.30"},
            {"stringValue": "h\u00e9"},
            {"longValue": 7},
        ]
    ]
    meta = reply["columnMetadata"]
    assert [(c["typeName"], c["type"]) for c in meta] == [
        ("DATETIME", 93), ("BIT", -7), ("DECIMAL", 3), ("VARCHAR", 12),
        ("INT UNSIGNED", 4)]  # fmt: skip
    name = meta[3]
    assert (name["precision"], name["nullable"], name["tableName"]) == (200, 0, table)


def test_e2e_error_texts_per_flavour(my_endpoints: dict[str, Any]) -> None:
    sql = "SELECT * FROM no_such_table_xyz"
    text = "Table 'test.no_such_table_xyz' doesn't exist"
    expected = {
        "v2": ("DatabaseErrorException", f"{text}; Error code: 1146; SQLState: 42S02"),
        "v1": ("BadRequestException", f"Database error code: 1146. Message: {text}"),
    }
    for flavor, (code, message) in expected.items():
        endpoint = my_endpoints[flavor]
        with pytest.raises(ClientError) as caught:
            endpoint.boto3_client().execute_statement(sql=sql, **endpoint.arns)
        error = caught.value.response["Error"]
        assert (error["Code"], error["Message"]) == (code, message)


def test_e2e_statement_timeout_kills_the_query(rds: Any, arns: dict[str, str]) -> None:
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql="SELECT SLEEP(30)", **arns)
    assert time.monotonic() - started < 15
    assert caught.value.response["Error"]["Code"] == "StatementTimeoutException"
    assert caught.value.response["dbConnectionId"] > 0  # the server thread id
    assert rds.execute_statement(sql="SELECT 1", **arns)["records"] == [[{"longValue": 1}]]


def test_e2e_transaction_rollback(rds: Any, arns: dict[str, str], table: str) -> None:
    rds.execute_statement(sql=f"CREATE TABLE {table} (id INT) ENGINE=InnoDB", **arns)
    tx = rds.begin_transaction(**arns)["transactionId"]
    rds.execute_statement(sql=f"INSERT INTO {table} VALUES (1)", transactionId=tx, **arns)
    assert rds.rollback_transaction(transactionId=tx, **arns)["transactionStatus"] == (
        "Rollback Complete"
    )
    count = rds.execute_statement(sql=f"SELECT count(*) FROM {table}", **arns)["records"]
    assert count == [[{"longValue": 0}]]
