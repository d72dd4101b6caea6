"""One shell session's state: the DB-API connection, settings, I/O, transaction marks.

Meta-command handlers and the statement runner take a :class:`Session`, which
holds everything they may read or change, so each can be tested with a fake
connection and string streams.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import IO, Any

from sigv4_dataapi.shell import catalog_mysql, catalog_pg, prompt
from sigv4_dataapi.shell.format import Out
from sigv4_dataapi.shell.pager import PagedOutput, pager_command
from sigv4_dataapi.shell.settings import Settings


@dataclass
class Console:
    """Where results and diagnostics go; ``interactive`` enables the pager and prompts."""

    stdout: IO[str]
    stderr: IO[str]
    interactive: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    terminal_size: Callable[[], Any] = shutil.get_terminal_size
    popen: Callable[..., Any] = subprocess.Popen

    def note(self, line: str) -> None:
        """A diagnostic line on stderr."""
        self.stderr.write(line + "\n")
        self.stderr.flush()

    def width(self) -> int | None:
        """The terminal's width, or None when results do not go to a terminal."""
        return int(self.terminal_size().columns) if self.interactive else None

    @contextmanager
    def results(self, redirect: IO[str] | None, pager: str) -> Iterator[Out]:
        """The sink for one result: ``\\o`` file, the pager on a terminal, or stdout."""
        if redirect is not None:
            yield redirect
            redirect.flush()
            return
        command = pager_command(self.env) if self.interactive and pager != "off" else None
        if command is None:
            yield self.stdout
            self.stdout.flush()
            return
        sink = PagedOutput(
            self.stdout,
            height=int(self.terminal_size().lines),
            command=command,
            always=pager == "always",
            popen=self.popen,
        )
        try:
            yield sink
        finally:
            sink.close()


@dataclass(frozen=True)
class ConnInfo:
    """What ``\\conninfo`` prints (never a secret: ARNs and URLs only)."""

    resource_arn: str
    secret_arn: str
    endpoint_url: str | None
    region: str | None


@dataclass
class Session:
    """The connection and everything the meta-commands change."""

    conn: Any
    console: Console
    settings: Settings
    info: ConnInfo
    database: str = ""
    clock: Callable[[], float] = time.monotonic
    reconnect: Callable[[str], Any] | None = None
    tx_failed: bool = False
    quit: bool = False
    pending: list[tuple[str, str]] = field(default_factory=list)  # (source, text): \i, \e
    redirect: IO[str] | None = None
    redirect_name: str | None = None
    last_sql: str = ""
    names_stale: bool = True  # completion names to fetch again
    expiry_noted: bool = False  # the idle alarm already said the transaction expired
    after_call: Callable[[bool], None] = field(default=lambda ok: None)  # close a resume line

    @property
    def dialect(self) -> str:
        return str(self.conn.engine)

    @property
    def catalog(self) -> ModuleType:
        """The engine's catalog queries, by the engine the endpoint reports."""
        return catalog_mysql if self.dialect == "mysql" else catalog_pg

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a catalog query to the end: headers and rows."""
        cursor = self.conn.cursor()
        ok = False
        try:
            cursor.execute(sql)
            headers = [column[0] for column in cursor.description or ()]
            rows = [tuple(row) for row in cursor.fetchall()]
            ok = True
            return headers, rows
        finally:
            self.after_call(ok)
            cursor.close()

    def transaction_sign(self) -> str:
        """psql's ``%x``: nothing, ``*`` in a transaction, ``!`` in a failed one."""
        if not self.conn.in_transaction:
            self.tx_failed = False
            return prompt.IDLE
        return prompt.FAILED if self.tx_failed else prompt.OPEN

    def idle_seconds(self) -> float | None:
        """Seconds since the last Data API call, while a transaction is open."""
        if not self.conn.in_transaction:
            return None
        idle = getattr(self.conn, "idle_seconds", None)
        return max(0.0, float(idle())) if callable(idle) else None
