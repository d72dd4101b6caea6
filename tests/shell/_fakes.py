"""A fake DB-API connection for unit tests of one layer (the shell), no network.

It answers SQL from a list of (pattern, headers, rows) rules, records every
statement, and maps BEGIN/COMMIT/ROLLBACK to its transaction flag as the
DB-API does. End-to-end tests use the real DB-API and local endpoint instead.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi.shell.session import ConnInfo, Console, Session
from sigv4_dataapi.shell.settings import Settings


class FakeError(DataAPIError):
    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        for name, value in fields.items():
            setattr(self, name, value)


Rule = tuple[str, Sequence[str] | None, Sequence[Sequence[Any]] | BaseException]


class FakeCursor:
    def __init__(self, conn: FakeConnection, stream: bool) -> None:
        self.conn = conn
        self.stream = stream
        self.description: list[tuple[str, ...]] | None = None
        self.rowcount = -1
        self._rows: list[Sequence[Any]] = []
        self.fetches: list[int] = []

    def execute(self, sql: str) -> None:
        self.conn.executed.append(sql)
        self.conn.streamed.append(self.stream)
        self.conn.call_count += 1
        self.conn.last_activity = self.conn.now()
        verb = sql.strip().split()[0].lower() if sql.strip() else ""
        if verb in ("begin", "start"):
            self.conn.in_transaction = True
            return
        if verb in ("commit", "rollback", "end", "abort"):
            self.conn.in_transaction = False
            return
        for pattern, headers, rows in self.conn.rules:
            if re.search(pattern, sql, re.I | re.S):
                if isinstance(rows, BaseException):
                    raise rows
                self.description = None if headers is None else [(h,) for h in headers]
                self._rows = list(rows)
                self.rowcount = len(self._rows)
                return
        self.rowcount = 1

    def fetchmany(self, size: int) -> list[Sequence[Any]]:
        self.fetches.append(size)
        batch, self._rows = self._rows[:size], self._rows[size:]
        return batch

    def fetchall(self) -> list[Sequence[Any]]:
        batch, self._rows = self._rows, []
        return batch

    def close(self) -> None:
        self.conn.closed_cursors += 1


class FakeConnection:
    def __init__(self, engine: str = "postgresql", rules: Sequence[Rule] = ()) -> None:
        self.engine = engine
        self.rules = list(rules)
        self.executed: list[str] = []
        self.streamed: list[bool] = []
        self.in_transaction = False
        self.call_count = 0
        self.clock = 100.0
        self.last_activity: float | None = None
        self.closed = False
        self.closed_cursors = 0
        self.database = "test"

    def now(self) -> float:
        return self.clock

    def idle_seconds(self) -> float:
        return self.clock - (self.last_activity or 0.0)

    def cursor(self, stream: bool = False) -> FakeCursor:
        return FakeCursor(self, stream)

    def rollback(self) -> None:
        self.executed.append("<rollback>")
        self.in_transaction = False

    def close(self) -> None:
        self.closed = True


def make_session(
    conn: FakeConnection | None = None,
    *,
    env: dict[str, str] | None = None,
    settings: Settings | None = None,
    popen: Callable[..., Any] | None = None,
) -> Session:
    conn = conn or FakeConnection()
    console = Console(stdout=io.StringIO(), stderr=io.StringIO(), env=env or {})
    if popen is not None:
        console.popen = popen
    info = ConnInfo("arn:aws:rds:us-east-1:123456789012:cluster:c", "arn:secret", "https://x", "r")
    return Session(
        conn=conn, console=console, settings=settings or Settings(), info=info,
        database="test", clock=conn.now,
    )  # fmt: skip


def out(session: Session) -> str:
    stream = session.console.stdout
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def err(session: Session) -> str:
    stream = session.console.stderr
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()
