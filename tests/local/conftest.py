"""Per-engine SQL for the integration tests, and a boto3 client per endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
