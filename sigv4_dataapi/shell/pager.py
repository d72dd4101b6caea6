"""The pager, only when a result is taller than the screen (psql's ``pager on``).

Output is streamed, so the decision cannot wait for the end: the first
screenful is held back; if the result ends within it, it is written as is,
otherwise ``$PAGER`` (else ``less -SFRX``) starts and gets the held lines
followed by the rest as it arrives. Quitting the pager early stops the
result (:class:`PagerClosed`), so the shell does not fetch what nobody reads.
"""

from __future__ import annotations

import contextlib
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

DEFAULT_PAGER = "less -SFRX"  # chop long lines, quit if one screen, keep colours, no init


class PagerClosed(Exception):
    """The user left the pager before the end of the result."""


def pager_command(env: Mapping[str, str]) -> list[str] | None:
    """``$PAGER`` split like a shell would; an empty ``PAGER`` means none."""
    text = env.get("PAGER", DEFAULT_PAGER)
    return shlex.split(text) or None


class PagedOutput:
    """A text sink that turns into a pipe to the pager once output passes ``height`` lines."""

    def __init__(
        self,
        stream: IO[str],
        *,
        height: int,
        command: Sequence[str],
        always: bool = False,
        popen: Callable[..., Any] = subprocess.Popen,
    ) -> None:
        self._stream = stream
        self._height = max(1, height - 1)  # leave a line for the prompt
        self._command = list(command)
        self._popen = popen
        self._held: list[str] = []
        self._lines = 0
        self._process: Any = None
        self._direct = False  # the pager could not start: write straight through
        if always:
            self._start()

    @property
    def paging(self) -> bool:
        return self._process is not None

    def write(self, text: str) -> None:
        if self._direct:
            self._stream.write(text)
            return
        if self._process is not None:
            self._send(text)
            return
        self._held.append(text)
        self._lines += text.count("\n")
        if self._lines > self._height:
            self._start()

    def _start(self) -> None:
        try:
            self._process = self._popen(
                self._command,
                stdin=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError:  # no such pager: write straight through
            self._direct = True
            self._stream.write("".join(self._held))
            self._held = []
            return
        held, self._held = "".join(self._held), []
        self._send(held)

    def _send(self, text: str) -> None:
        try:
            self._process.stdin.write(text)
        except (BrokenPipeError, ValueError):
            raise PagerClosed() from None

    def close(self) -> None:
        """Flush what was held, or let the pager finish (Ctrl-C does not kill it)."""
        if self._process is None:
            self._stream.write("".join(self._held))
            self._stream.flush()
            self._held = []
            return
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        while True:
            try:
                self._process.wait()
                return
            except KeyboardInterrupt:  # psql too waits for the pager to exit
                continue
