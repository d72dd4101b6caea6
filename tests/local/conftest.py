"""Per-engine SQL for the integration tests, and a boto3 client per endpoint."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Dialect:
    """Column types and DDL that differ between SQLite, PostgreSQL and MariaDB."""

    engine: str
    id_column: str  # an auto-increment primary key called id
    bigint: str
    text: str
    blob: str
    double: str
    decimal: str

    def repeat(self, count: int) -> str:
        """An expression giving ``count`` characters ``x``."""
        if self.engine == "sqlite":
            return f"substr(replace(hex(zeroblob({count})), '0', 'x'), 1, {count})"
        return f"repeat('x', {count})"

    def rows(self, count: int, expression: str) -> str:
        """A query of ``count`` rows ``(i, expression)``."""
        return (
            f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {count}) "
            f"SELECT i, {expression} AS v FROM c"
        )

    def table(self, columns: str) -> tuple[str, str]:
        """DDL for a fresh table with ``id`` plus ``columns``, and its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        return f"CREATE TABLE {name} ({self.id_column}, {columns})", name


DIALECTS = {
    "sqlite": Dialect("sqlite", "id INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "TEXT", "BLOB",
                      "REAL", "NUMERIC"),
    "postgres": Dialect("postgres", "id BIGSERIAL PRIMARY KEY", "BIGINT", "TEXT", "BYTEA",
                        "DOUBLE PRECISION", "NUMERIC(12,3)"),
    "mysql": Dialect("mysql", "id BIGINT AUTO_INCREMENT PRIMARY KEY", "BIGINT", "TEXT", "LONGBLOB",
                     "DOUBLE", "DECIMAL(12,3)"),
}  # fmt: skip


@pytest.fixture
def dialect(engine_endpoint: Any) -> Dialect:
    return DIALECTS[engine_endpoint.engine]


@pytest.fixture
def rds(engine_endpoint: Any) -> Any:
    """boto3's ``rds-data`` client for the parametrised engine endpoint (shared)."""
    return engine_endpoint.rds


@pytest.fixture
def table(engine_endpoint: Any, rds: Any, dialect: Dialect) -> Iterator[str]:
    """A fresh table ``(id, n bigint, s text, b blob, d double)``, dropped afterwards."""
    ddl, name = dialect.table(f"n {dialect.bigint}, s {dialect.text}, b {dialect.blob}, "
                              f"d {dialect.double}")  # fmt: skip
    rds.execute_statement(sql=ddl, **engine_endpoint.arns)
    yield name
    rds.execute_statement(sql=f"DROP TABLE {name}", **engine_endpoint.arns)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def engine_factory(
    request: pytest.FixtureRequest, local_endpoint_factory: Callable[..., Any]
) -> Callable[..., Any]:
    """``local_endpoint_factory`` on each engine in turn: SQLite, PostgreSQL, MariaDB.

    For tests that need an endpoint of their own (pause, expiry timings) on every
    engine; PostgreSQL and MariaDB skip with the reason when absent (fail on CI).
    """
    engine = str(request.param)
    url = None if engine == "sqlite" else request.getfixturevalue(f"{engine}_url")
    return functools.partial(local_endpoint_factory, database_url=url, engine=engine)


@pytest.fixture
def victim(engine_endpoint: Any) -> Iterator[str]:
    """A table that must stay empty: every refused request tries to insert into it."""
    rds = engine_endpoint.rds
    name = f"victim_{uuid.uuid4().hex[:10]}"
    rds.execute_statement(sql=f"CREATE TABLE {name} (x INTEGER)", **engine_endpoint.arns)
    yield name
    count = rds.execute_statement(sql=f"SELECT count(*) FROM {name}", **engine_endpoint.arns)
    assert count["records"] == [[{"longValue": 0}]], "a refused request ran its SQL"
    rds.execute_statement(sql=f"DROP TABLE {name}", **engine_endpoint.arns)
