"""Run one SQL statement through the DB-API and print what it returns.

SELECTs stream where the engine allows (PostgreSQL: ``cursor(stream=True)``,
dbapi-streaming-shell.md D.5.5): rows come ``FETCH_COUNT`` at a time, the first
page sizes the columns, each later page is printed as it arrives. Typed
``BEGIN``/``COMMIT``/``ROLLBACK`` go to ``execute`` like any statement: the
DB-API maps them to the Data API's transaction calls.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._sqltext import tokenize, transaction_control
from sigv4_dataapi._sqltext.lexer import CODE
from sigv4_dataapi.shell.answer import Answer, Row
from sigv4_dataapi.shell.format import write_answer
from sigv4_dataapi.shell.session import Session

EXPIRY_SECONDS = 180.0  # the Data API ends a transaction after 3 minutes without a call
WARN_SECONDS = 150.0  # warn this long into the idle time
_STREAMABLE = frozenset(("select", "with", "values", "table"))
_COUNTED = frozenset(("insert", "update", "delete", "merge", "copy", "replace"))
_OBJECT_VERBS = frozenset(("create", "drop", "alter", "truncate", "comment", "grant", "revoke"))
_NOUNS = frozenset(
    (
        "table",
        "view",
        "index",
        "schema",
        "database",
        "sequence",
        "function",
        "procedure",
        "trigger",
        "type",
        "extension",
        "role",
        "user",
        "materialized",
    )
)
_WORD = re.compile(r"[A-Za-z_]+")
EXPIRED = (
    "The transaction has expired: the Data API ends a transaction after 3 minutes "
    "without a call, and rolls it back. The shell is back in autocommit."
)


def idle_warning(idle: float) -> str:
    """What the shell says when an open transaction nears the 3-minute idle limit."""
    left = EXPIRY_SECONDS - idle
    return (
        f"WARNING: this transaction has been idle {idle:.0f} s; the Data API ends it "
        f"in {left:.0f} s. COMMIT or ROLLBACK soon."
    )


def first_words(sql: str, dialect: str, count: int = 2) -> list[str]:
    """The statement's first keywords, lower case, comments and literals skipped."""
    found: list[str] = []
    for token in tokenize(sql, dialect):
        if token.kind != CODE:
            if found or token.kind not in ("line_comment", "block_comment"):
                break
            continue
        found.extend(w.lower() for w in _WORD.findall(sql[token.start : token.end]))
        if len(found) >= count:
            break
    return found[:count]


def command_tag(sql: str, dialect: str, rowcount: int) -> str:
    """psql's command tag: ``INSERT 0 3``, ``UPDATE 2``, ``CREATE TABLE``, ``BEGIN``."""
    words = first_words(sql, dialect)
    if not words:
        return "OK"
    verb = words[0]
    if verb in _COUNTED:
        count = max(rowcount, 0)
        return (
            f"INSERT 0 {count}"
            if verb == "insert" and dialect != "mysql"
            else f"{verb.upper()} {count}"
        )
    control = transaction_control(sql, dialect)
    if control is not None:
        return control.kind.upper()
    if verb in _OBJECT_VERBS:
        noun = next((w for w in first_words(sql, dialect, 5)[1:] if w in _NOUNS), None)
        return f"{verb} {noun}".upper() if noun else verb.upper()
    return verb.upper()


def streams(session: Session, sql: str) -> bool:
    """Whether this statement's rows come through the streaming cursor."""
    words = first_words(sql, session.dialect, 1)
    return session.dialect == "postgresql" and bool(words) and words[0] in _STREAMABLE


def page_rows(cursor: Any, size: int) -> Iterator[Row]:
    """The cursor's rows, fetched ``size`` at a time."""
    while rows := cursor.fetchmany(size):
        yield from rows


def call_count(conn: Any) -> int:
    value = getattr(conn, "call_count", 0)
    return value if isinstance(value, int) else 0


def expire_if_idle(session: Session) -> bool:
    """Past the 3-minute idle limit the transaction is gone: say so and reset."""
    idle = session.idle_seconds()
    if idle is None or idle < EXPIRY_SECONDS:
        return False
    forget_transaction(session)
    if not session.expiry_noted:
        session.console.note(EXPIRED)
    session.expiry_noted = False
    return True


def forget_transaction(session: Session) -> None:
    """Drop the transaction the service has already ended.

    The DB-API's ``rollback`` forgets it first and counts "not found" as rolled
    back; any other failure of that courtesy call changes nothing for the user.
    """
    session.tx_failed = False
    if session.conn.in_transaction:
        with contextlib.suppress(DataAPIError):
            session.conn.rollback()


def run_statement(session: Session, sql: str, *, expanded: bool = False) -> None:
    """Execute ``sql``, print its rows or its command tag, and the timing if on."""
    expire_if_idle(session)
    conn = session.conn
    started, calls = session.clock(), call_count(conn)
    session.last_sql = sql
    cursor = conn.cursor(stream=True) if streams(session, sql) else conn.cursor()
    try:
        _execute(session, cursor, sql)
        if cursor.description:
            _print_rows(session, cursor, expanded)
        else:
            tag = command_tag(sql, session.dialect, cursor.rowcount)
            with session.console.results(session.redirect, "off") as out:
                out.write(tag + "\n")
    finally:
        cursor.close()
    if (
        first_words(sql, session.dialect, 1)[:1]
        and first_words(sql, session.dialect, 1)[0] in _OBJECT_VERBS
    ):
        session.names_stale = True
    if session.settings.timing:
        elapsed = (session.clock() - started) * 1000
        used = call_count(conn) - calls
        session.console.note(f"Time: {elapsed:.3f} ms ({used} Data API call{'s' * (used != 1)})")


def _execute(session: Session, cursor: Any, sql: str) -> None:
    """``cursor.execute``; a resume line shown meanwhile is closed either way."""
    ok = False
    try:
        cursor.execute(sql)
        ok = True
    finally:
        session.after_call(ok)


def _print_rows(session: Session, cursor: Any, expanded: bool) -> None:
    settings = session.settings
    if expanded:
        settings = dataclasses.replace(settings, expanded="on")
    headers = [column[0] for column in cursor.description]
    answer = Answer(None, page_rows(cursor, settings.fetch_count), headers, None)
    with session.console.results(session.redirect, settings.pager) as out:
        write_answer(answer, out, settings, session.console.width())
