"""``\\o \\i \\e \\q \\c``: where output goes, where input comes from, the session itself.

``\\i`` and ``\\e`` do not run anything here: they queue text in
``session.pending`` and the loop feeds it through the same path as typed
lines, so statements from a file behave exactly like typed ones.
"""

from __future__ import annotations

import os
import shlex
import tempfile

from sigv4_dataapi.shell.answer import Answer, status_only
from sigv4_dataapi.shell.session import Session
from sigv4_dataapi.shell.special_base import MetaError, words

_NONE = Answer(None, (), (), None)


def output_to(session: Session, arg: str) -> Answer:
    """``\\o FILE`` sends results to FILE (truncated); ``\\o`` alone back to the screen."""
    parts = words(arg)
    if session.redirect is not None:
        session.redirect.close()
        session.redirect, session.redirect_name = None, None
    if not parts:
        return _NONE
    try:
        session.redirect = open(parts[0], "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise MetaError(f"\\o: {parts[0]}: {exc.strerror or exc}") from None
    session.redirect_name = parts[0]
    return _NONE


def include(session: Session, arg: str) -> Answer:
    """``\\i FILE``: run the file's statements as if typed."""
    parts = words(arg)
    if len(parts) != 1:
        raise MetaError("\\i: one file name expected")
    session.pending.append((parts[0], read_text(parts[0], "\\i")))
    return _NONE


def read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise MetaError(f"{what}: {path} is not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise MetaError(f"{what}: {path}: {exc.strerror or exc}") from None


def edit(session: Session, arg: str, buffer: str) -> Answer:
    """``\\e [FILE]``: edit the buffer (else the last statement) in ``$EDITOR``, then run it."""
    parts = words(arg)
    editor = session.console.env.get("VISUAL") or session.console.env.get("EDITOR") or "vi"
    if parts:
        path, temporary = parts[0], False
    else:
        text = buffer if buffer.strip() else session.last_sql
        handle, path = tempfile.mkstemp(prefix="sigv4-dataapi-", suffix=".sql")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text if text.endswith("\n") or not text else text + "\n")
        temporary = True
    try:
        status = session.console.popen([*shlex.split(editor), path]).wait()
        if status != 0:
            raise MetaError(f"\\e: {editor} exited with status {status}; nothing run")
        session.pending.append(("\\e", read_text(path, "\\e")))
    finally:
        if temporary:
            os.unlink(path)
    return _NONE


def quit_shell(session: Session, arg: str) -> Answer:
    session.quit = True
    return _NONE


def connect(session: Session, arg: str) -> Answer:
    """``\\c DATABASE``: a new connection to another database of the same cluster."""
    parts = words(arg)
    if len(parts) != 1:
        raise MetaError("\\c: one database name expected")
    if session.reconnect is None:
        raise MetaError("\\c: this session cannot reconnect")
    if session.conn.in_transaction:
        raise MetaError("\\c: a transaction is open: COMMIT or ROLLBACK first")
    conn = session.reconnect(parts[0])
    session.conn.close()
    session.conn, session.database, session.names_stale = conn, parts[0], True
    return status_only(f'You are now connected to database "{parts[0]}".')
