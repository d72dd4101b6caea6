"""The soak's table, made and read with each database's own driver.

sqlite3 on the endpoint's state file, psycopg, PyMySQL: the check never goes
through the endpoint it checks.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Table:
    """The soak's table, made and read with the database's own driver."""

    engine: str
    url: str | None
    state_dir: Path
    name: str = field(default_factory=lambda: f"soak_{uuid.uuid4().hex[:10]}")

    def _connect(self) -> Any:
        if self.engine == "sqlite":
            return sqlite3.connect(self.state_dir / "local.sqlite3", timeout=30)
        if self.engine == "postgres":
            import psycopg

            return psycopg.connect(self.url or "", autocommit=True)
        from urllib.parse import urlsplit

        import pymysql

        parts = urlsplit(self.url or "")
        return pymysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            database=parts.path.lstrip("/"),
            autocommit=True,
        )

    def _run(self, sql: str) -> list[Any]:
        connection = self._connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = list(cursor.fetchall()) if cursor.description else []
            if self.engine == "sqlite":
                connection.commit()
            return rows
        finally:
            connection.close()

    def create(self) -> None:
        key = "VARCHAR(80)" if self.engine == "mysql" else "TEXT"
        self._run(f"CREATE TABLE {self.name} (k {key} PRIMARY KEY, w INTEGER)")

    def keys(self) -> Counter[str]:
        return Counter(str(row[0]) for row in self._run(f"SELECT k FROM {self.name}"))

    def drop(self) -> None:
        self._run(f"DROP TABLE {self.name}")
