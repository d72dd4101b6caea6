"""A real pseudo-terminal around the installed CLI (stdlib ``pty``), pexpect-style.

The child gets the terminal as its controlling tty, so readline, the prompt,
the window size and Ctrl-C (``\\x03`` typed -> SIGINT from the line
discipline) all behave as for a person at a keyboard.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r|\x07")


class Terminal:
    """The child process and everything it wrote to the terminal so far."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], *, rows: int = 40, cols: int = 160
    ) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, become the CLI
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            try:
                os.execve(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.text = ""  # all output, ANSI sequences and \r removed
        self.mark = 0  # where the next expect starts looking
        self.status: int | None = None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not data:
            return False
        self.text += _ANSI.sub("", data.decode("utf-8", "replace"))
        return True

    def expect(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """Wait for ``pattern`` (a regex) after the last match; fail with what was seen."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text, self.mark)
            if found:
                self.mark = found.end()
                return found
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.5)) and self._exited()):
                found = regex.search(self.text, self.mark)
                if found:
                    self.mark = found.end()
                    return found
                raise AssertionError(f"{pattern!r} not seen; output after mark:\n"
                                     f"{self.text[self.mark:][-3000:]}")  # fmt: skip

    def since_mark(self) -> str:
        return self.text[self.mark :]

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode("utf-8"))

    def line(self, text: str) -> None:
        self.send(text + "\r")

    def _exited(self) -> bool:
        if self.status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.status = os.waitstatus_to_exitcode(status)
        return True

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while not self._exited():
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the shell did not exit:\n{self.text[-2000:]}")
            self._read(0.2)
        while self._read(0.05):
            pass
        assert self.status is not None
        return self.status

    def kill(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.status = -9

    def close(self) -> None:
        self.kill()
        os.close(self.fd)
