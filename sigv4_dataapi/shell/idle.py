"""The idle alarm: a warning while the user is still typing, before the Data API
ends an idle transaction (3 minutes without a call).

The prompt only changes when a line is entered, so a person who stops to think
would never see the warning in time. ``SIGALRM`` rings while ``input`` waits
(CPython runs signal handlers in the main thread, inside readline's wait); the
handler prints the warning and draws the prompt and the typed text again.
Where there is no ``setitimer`` (Windows) reading is plain ``input``.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

from sigv4_dataapi.shell import execute
from sigv4_dataapi.shell.loop import Shell

ReadLine = Callable[[str], str]


class IdleAlarm:
    """Wraps ``read``: while a transaction is open, an alarm rings at 150 s and 180 s idle."""

    def __init__(self, shell: Shell, readline: Any, read: ReadLine = input) -> None:
        self.shell = shell
        self.readline = readline
        self.read = read

    def __call__(self, text: str) -> str:
        idle = self.shell.session.idle_seconds()
        if not hasattr(signal, "setitimer") or idle is None:
            return self.read(text)
        if idle >= execute.EXPIRY_SECONDS:
            return self.read(text)
        due = execute.WARN_SECONDS if idle < execute.WARN_SECONDS else execute.EXPIRY_SECONDS
        previous = signal.signal(signal.SIGALRM, self._ring)
        signal.setitimer(signal.ITIMER_REAL, max(0.1, due - idle))
        try:
            return self.read(text)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def _ring(self, signum: int, frame: Any) -> None:
        session = self.shell.session
        idle = session.idle_seconds() or 0.0
        expired = idle >= execute.EXPIRY_SECONDS - 0.5
        if expired:
            session.expiry_noted = True  # said now; the state resets at the next statement
        else:
            signal.setitimer(signal.ITIMER_REAL, execute.EXPIRY_SECONDS - idle)
        typed = self.readline.get_line_buffer() if self.readline is not None else ""
        session.console.stderr.write(
            f"\r\n{execute.EXPIRED if expired else execute.idle_warning(idle)}\n"
        )
        session.console.stderr.flush()
        session.console.stdout.write(self.shell.prompt() + typed)
        session.console.stdout.flush()
