"""What the PostgreSQL and MariaDB backend tests share (``tests/local/{postgres,mysql}``).

Imported as ``from _backends import ...`` (pytest puts ``tests/local`` on ``sys.path``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from sigv4_dataapi._server.backends import open_backend
from sigv4_dataapi._server.backends.base import EngineError, Param

B = TypeVar("B")

# the variables tests/conftest.py reads; the older SIGV4_DATAAPI_{PG,MYSQL}_URL still work
PG_URL = (
    os.environ.get("SIGV4_DATAAPI_TEST_POSTGRES_URL")
    or os.environ.get("SIGV4_DATAAPI_PG_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)
MYSQL_URL = (
    os.environ.get("SIGV4_DATAAPI_TEST_MYSQL_URL")
    or os.environ.get("SIGV4_DATAAPI_MYSQL_URL")
    or "mysql://root@127.0.0.1:3306/test"
)


# Every supported PostgreSQL type (test_backend_contract.py round-trips them):
# (column type, parameter, value read back, engine type name, JDBC).
PG_TYPES = [
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
    ("bit(1)", Param("v", None), None, "bit", -7),
]  # fmt: skip

# Every MariaDB/MySQL type (test_backend_contract.py round-trips them):
# (column type, parameter, value read back, Connector/J type name, JDBC code).
MYSQL_TYPES = [
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
    ("BOOLEAN", Param("v", True), True, "BIT", -7),  # TINYINT(1): tinyInt1isBit (F9)
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


def server_fixtures(
    url: str, kind: type[B], server: str, prefix: str
) -> tuple[Callable[[], Iterator[B]], Callable[..., Iterator[Any]], Callable[..., Iterator[str]]]:
    """The ``backend``/``session``/``table`` fixtures of one engine's conftest.py.

    The backend is module scoped and skips (fails on CI=true) when the server is absent.
    """

    @pytest.fixture(scope="module")
    def backend() -> Iterator[B]:
        engine = server_backend(url, kind, server)
        yield engine
        engine.close()  # type: ignore[attr-defined]

    @pytest.fixture
    def session(backend: Any) -> Iterator[Any]:
        yield from fresh_session(backend)

    @pytest.fixture
    def table(backend: Any) -> Iterator[str]:
        yield from dropped_table(backend, prefix)

    return backend, session, table


def server_backend(url: str, kind: type[B], server: str) -> B:
    """The backend for ``url``; skips when the server is absent (fails instead on CI=true)."""
    engine = open_backend(url)
    try:
        engine.session(None, None).close()
    except EngineError as exc:
        reason = f"{server} is not reachable at {url}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    assert isinstance(engine, kind)
    return engine


def fresh_session(backend: Any) -> Iterator[Any]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


def dropped_table(backend: Any, prefix: str) -> Iterator[str]:
    """A fresh table name, dropped afterwards (other suites share the server)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()


def one(session: Any, sql: str, *params: Param) -> object:
    """The single value ``sql`` returns."""
    result = session.execute(sql, list(params))
    assert len(result.rows) == 1 and len(result.rows[0]) == 1
    return result.rows[0][0]


def assert_segments_rewrite(
    rewrite: Callable[[str], Any], parts: list[tuple[str, str, list[str]]]
) -> None:
    """The rewrite of the segments' SQL joined by spaces is their rewrites, their names in order.

    ``parts`` are (SQL, expected rewrite, expected names) of lexical elements of one dialect.
    """
    rewritten = rewrite(" ".join(p[0] for p in parts))
    assert rewritten.text == " ".join(p[1] for p in parts)
    assert list(rewritten.names) == [name for p in parts for name in p[2]]


def e2e_fixtures(
    url: str, engine: str
) -> tuple[Callable[..., dict[str, Any]], Callable[..., Any], Callable[..., dict[str, str]]]:
    """The ``endpoints``/``rds``/``arns`` fixtures of one engine's end-to-end module.

    ``endpoints`` holds a v2 and a v1 endpoint on the engine, the v2 one with a 1 s statement
    timeout; it needs ``backend`` first so that an absent server skips (fails on CI=true).
    """

    @pytest.fixture(scope="module")
    def endpoints(
        backend: Any, local_endpoint_module_factory: Callable[..., Any]
    ) -> dict[str, Any]:
        v2 = local_endpoint_module_factory(
            "--statement-timeout", "1", database_url=url, engine=engine
        )
        v1 = local_endpoint_module_factory(database_url=url, engine=engine, flavor="v1")
        return {"v2": v2, "v1": v1}

    @pytest.fixture
    def rds(endpoints: dict[str, Any]) -> Any:
        return endpoints["v2"].boto3_client()

    @pytest.fixture
    def arns(endpoints: dict[str, Any]) -> dict[str, str]:
        return dict(endpoints["v2"].arns)

    return endpoints, rds, arns


def assert_error_texts_per_flavour(
    endpoints: dict[str, Any], sql: str, expected: dict[str, tuple[str, str]]
) -> None:
    """Each flavour's endpoint fails ``sql`` with the (code, message) ``expected`` names for it."""
    from botocore.exceptions import ClientError

    assert sorted(expected) == ["v1", "v2"]
    for flavor, (code, message) in expected.items():
        endpoint = endpoints[flavor]
        with pytest.raises(ClientError) as caught:
            endpoint.boto3_client().execute_statement(sql=sql, **endpoint.arns)
        error = caught.value.response["Error"]
        assert (error["Code"], error["Message"]) == (code, message)


def assert_statement_timeout_stops(rds: Any, arns: dict[str, str], sleep_30s: str) -> None:
    """Not stopped, ``sleep_30s`` would return a row after 30 s: the timeout error proves the
    server-side cancel; the connection works afterwards."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        rds.execute_statement(sql=sleep_30s, **arns)
    assert caught.value.response["Error"]["Code"] == "StatementTimeoutException"
    assert caught.value.response["dbConnectionId"] > 0  # the backend pid / server thread id
    assert rds.execute_statement(sql="SELECT 1", **arns)["records"] == [[{"longValue": 1}]]
