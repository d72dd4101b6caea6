"""The read-eval-print loop, interactive or batch.

Both modes feed lines through :meth:`Shell.feed`: a line starting with a
backslash (outside an open quote) is a meta-command, anything else goes into
the statement buffer, and each statement the buffer completes runs at once.
A ``DELIMITER <str>`` line at an empty buffer is the mysql client's command
(MySQL only; the delimiter outlives the file that set it, as in mysql).
Batch mode (``-c``, ``-f``, a pipe) has no prompt, pager or history, stops at
the first failure unless told otherwise, and names the file and line.
Failures of a statement are caught here, printed psql's way, and turned into
the CLI's exit status by ``status_for``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._sqltext import scan
from sigv4_dataapi.shell import errors, execute, meta_io, prompt, special
from sigv4_dataapi.shell.format import write_answer
from sigv4_dataapi.shell.pager import PagerClosed
from sigv4_dataapi.shell.session import Session
from sigv4_dataapi.shell.special_base import MetaError
from sigv4_dataapi.shell.statements import Buffer, Located, delimiter_command

ReadLine = Callable[[str], str]
_SEND = re.compile(r"\\(g|G|gx)\s*$")
_EXPIRED = re.compile(r"transaction.*(not found|expired|timed out)", re.I)


class Shell:
    """One session's loop; ``status_for`` maps an exception to the CLI's exit status."""

    def __init__(
        self,
        session: Session,
        *,
        status_for: Callable[[BaseException], int],
        continue_on_error: bool = False,
        batch: bool = True,
    ) -> None:
        self.session = session
        self.status_for = status_for
        self.continue_on_error = continue_on_error
        self.batch = batch
        self.buffer = Buffer(session.dialect)
        self.status = 0  # the first failure's exit status

    # -- feeding lines ---------------------------------------------------------------

    def feed(self, line: str, line_number: int) -> bool:
        """One line of input; False when something in it failed."""
        stripped = line.strip()
        if stripped.startswith("\\") and not self.buffer.state().open:
            return self._meta(stripped, line_number)
        if self.buffer.empty and (delimiter := delimiter_command(line)) is not None:
            return self._attempt(
                lambda: self._set_delimiter(delimiter), self.buffer.source, line_number
            )
        send = _SEND.search(line)
        if send and not scan(self.buffer.text + line[: send.start()], self.buffer.dialect).open:
            self.buffer.add(line[: send.start()], line_number)
            return self._run_all(self.buffer.flush(), expanded=send.group(1) != "g")
        return self._run_all(self.buffer.add(line, line_number))

    def run_source(self, name: str, text: str) -> bool:
        """All of ``text`` (a file, ``-c``, an ``\\i``); False if it stopped on a failure."""
        outer = self.buffer
        self.buffer = Buffer(self.session.dialect, name, outer.delimiter)
        try:
            for number, line in enumerate(text.splitlines(), 1):
                if not self.feed(line, number) and self._stops():
                    return False
                if not self._drain_pending():
                    return False
                if self.session.quit:
                    return True
            return self._run_all(self.buffer.flush()) or not self._stops()
        finally:
            outer.delimiter = self.buffer.delimiter
            self.buffer = outer

    def _stops(self) -> bool:
        return self.batch and not self.continue_on_error

    def _drain_pending(self) -> bool:
        while self.session.pending:
            name, text = self.session.pending.pop(0)
            if not self.run_source(name, text) and self._stops():
                return False
        return True

    def _run_all(self, statements: Iterable[Located], *, expanded: bool = False) -> bool:
        for located in statements:
            ok = self._attempt(
                functools.partial(
                    execute.run_statement, self.session, located.sql, expanded=expanded
                ),
                located.source,
                located.line,
            )
            if not ok and self._stops():
                return False
        return True

    def _set_delimiter(self, delimiter: str) -> None:
        """The mysql client's ``DELIMITER``; psql has none (dollar quotes do its job)."""
        if self.session.dialect != "mysql":
            raise MetaError("DELIMITER is a MySQL client command")
        if not delimiter or "\\" in delimiter:
            raise MetaError("DELIMITER needs a string without a backslash, e.g. DELIMITER //")
        self.buffer.delimiter = delimiter

    def _meta(self, line: str, line_number: int) -> bool:
        name, arg = special.split_meta(line)
        return self._attempt(lambda: self._run_meta(name, arg), self.buffer.source, line_number)

    def _run_meta(self, name: str, arg: str) -> None:
        command = special.find(name)
        if command.name == "\\g":
            self._run_all_or_raise(self.buffer.flush(), expanded=name != "\\g")
            return
        if command.name == "\\r":
            self.buffer.clear()
            self.session.console.note("Query buffer reset (cleared).")
            return
        if command.name == "\\e":
            answer = meta_io.edit(self.session, arg, self.buffer.text)
            self.buffer.clear()
        else:
            assert command.handler is not None
            answer = command.handler(self.session, arg)
        with self.session.console.results(
            self.session.redirect, self.session.settings.pager
        ) as out:
            write_answer(answer, out, self.session.settings, self.session.console.width())

    def _run_all_or_raise(self, statements: list[Located], *, expanded: bool) -> None:
        for located in statements:
            execute.run_statement(self.session, located.sql, expanded=expanded)

    # -- failures --------------------------------------------------------------------

    def _attempt(self, action: Callable[[], None], source: str, line: int) -> bool:
        """Run ``action``; print a failure psql's way and remember its exit status."""
        try:
            action()
            return True
        except PagerClosed:
            return True
        except KeyboardInterrupt:
            if self.batch:
                raise
            self.session.console.note(errors.INTERRUPTED)
            return True
        except (DataAPIError, MetaError) as exc:
            self._report(exc, f"{source}:{line}: " if self.batch and source else "")
            return False

    def _report(self, exc: BaseException, where: str) -> None:
        session = self.session
        if isinstance(exc, MetaError):
            session.console.note(f"{where}{exc}")
        else:
            for text in errors.error_lines(exc, where=where, sql=session.last_sql):
                session.console.note(text)
        if type(exc).__name__ == "TransactionLostError" or _EXPIRED.search(errors.message_of(exc)):
            execute.forget_transaction(session)
            session.console.note(execute.EXPIRED)
        elif session.conn.in_transaction:
            session.tx_failed = True
        if not self.status:
            self.status = self.status_for(exc)

    # -- the interactive loop ----------------------------------------------------------

    def prompt(self) -> str:
        session = self.session
        state = None if self.buffer.empty else self.buffer.state()
        return prompt.prompt(
            session.database,
            session.transaction_sign(),
            state=state,
            idle_seconds=session.idle_seconds(),
        )

    def interactive(self, read_line: ReadLine, history: Any = None) -> int:
        """Prompt, read, run, until ``\\q`` or Ctrl-D; Ctrl-C clears the buffer."""
        typed: list[str] = []
        number = 0
        while not self.session.quit:
            self._warn_idle()
            try:
                line = read_line(self.prompt())
            except KeyboardInterrupt:
                self.buffer.clear()
                typed = []
                self.session.console.stdout.write("\n")
                continue
            except EOFError:
                self.session.console.stdout.write("\n")
                break
            number += 1
            typed.append(line)
            self.feed(line, number)
            self._drain_pending()
            if self.buffer.empty:
                if history is not None:
                    history.add("\n".join(typed))
                typed = []
        self.leave()
        return 0

    def _warn_idle(self) -> None:
        idle = self.session.idle_seconds()
        if idle is None or execute.expire_if_idle(self.session):
            return
        if idle >= execute.WARN_SECONDS:
            self.session.console.note(execute.idle_warning(idle))

    def leave(self) -> None:
        """Roll back a transaction left open (it would hold locks until it expires)."""
        session = self.session
        if session.redirect is not None:
            session.redirect.close()
            session.redirect = None
        idle = session.idle_seconds() or 0.0
        if session.conn.in_transaction and idle < execute.EXPIRY_SECONDS:
            session.console.note("Rolling back the open transaction.")
            self._attempt(session.conn.rollback, "", 0)
