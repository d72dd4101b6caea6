"""``run_shell``: connect, then the interactive loop or the batch sources.

The CLI command resolves the configuration (exactly as ``sql`` does) and
hands over a ``connect(database)`` function; this module decides the mode
(stdin a terminal and no ``-c``/``-f``: interactive), sets up readline when it
exists (history, completion; the loop works without it) and the idle alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi.shell import special
from sigv4_dataapi.shell.completion import Completer
from sigv4_dataapi.shell.history import History, history_path
from sigv4_dataapi.shell.idle import IdleAlarm
from sigv4_dataapi.shell.loop import Shell
from sigv4_dataapi.shell.meta_io import read_text
from sigv4_dataapi.shell.session import ConnInfo, Console, Session
from sigv4_dataapi.shell.settings import Settings


@dataclass(frozen=True)
class ShellOptions:
    """What the command line asked for; ``sources`` are (``-c``|``-f``, text|path) in order."""

    sources: Sequence[tuple[str, str]]
    output: str | None = None
    continue_on_error: bool = False


def run_shell(
    options: ShellOptions,
    *,
    connect: Callable[[str | None], Any],
    database: str | None,
    info: ConnInfo,
    console: Console,
    stdin: IO[bytes],
    stdin_is_tty: bool,
    status_for: Callable[[BaseException], int],
    after_call: Callable[[bool], None] | None = None,
) -> int:
    """Run the shell; the exit status (the first failure's in batch mode)."""
    interactive = stdin_is_tty and not options.sources
    console.interactive = interactive and _isatty(console.stdout)
    conn = connect(database)
    session = Session(
        conn=conn,
        console=console,
        settings=Settings.for_output(options.output),
        info=info,
        database=database or "",
        reconnect=connect,
    )
    if after_call is not None:
        session.after_call = after_call
    try:
        shell = Shell(
            session,
            status_for=status_for,
            continue_on_error=options.continue_on_error,
            batch=not interactive,
        )
        session.after_call(True)  # the engine is known: a call got through (closes a resume line)
        if interactive:
            return _interactive(shell, session)
        return _batch(shell, options.sources, stdin)
    finally:
        session.conn.close()


def _batch(shell: Shell, sources: Sequence[tuple[str, str]], stdin: IO[bytes]) -> int:
    """``-c`` and ``-f`` in order (stdin when neither): stop at a failure or ``\\q``."""
    for kind, value in sources or [("-", "")]:
        name, text = _source(kind, value, stdin)
        if not shell.run_source(name, text) or shell.session.quit:
            break
    shell.leave()
    return shell.status


def _source(kind: str, value: str, stdin: IO[bytes]) -> tuple[str, str]:
    if kind == "-c":
        return "-c", value
    if kind == "-f" and value != "-":
        return value, read_text(value, "-f")
    data = stdin.read()
    try:
        return "<stdin>", data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from sigv4_dataapi.shell.special_base import MetaError

        raise MetaError(f"stdin is not UTF-8 (byte {exc.start})") from None


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _interactive(shell: Shell, session: Session) -> int:
    session.database = session.database or _current_database(session)
    readline = _readline()
    history = History(history_path(session.console.env), readline=readline)
    history.load()
    if readline is not None:
        _complete_with(readline, session)
    session.console.note(
        f'sigv4-dataapi shell: {session.dialect} database "{session.database}" over the '
        "Data API. \\? for help, \\q to quit."
    )
    read_line = IdleAlarm(shell, readline)
    try:
        return shell.interactive(read_line, history)
    finally:
        history.save()


def _current_database(session: Session) -> str:
    """The database name for the prompt (also wakes a paused cluster, with its resume line)."""
    _, rows = session.query(session.catalog.current_database())
    return str(rows[0][0]) if rows and rows[0][0] is not None else ""


def _readline() -> Any:
    """GNU readline or libedit when present (not on Windows): line editing, history, Tab."""
    try:
        import readline
    except ImportError:
        return None
    return readline


def _complete_with(readline: Any, session: Session) -> None:
    def load() -> list[tuple[str, str | None]]:
        try:
            _, rows = session.query(session.catalog.completion_names())
        except DataAPIError:
            return []
        return [(str(r[0]), None if r[1] is None else str(r[1])) for r in rows]

    completer = Completer(special.names(), load)
    original = completer.candidates

    def candidates(line: str, word: str) -> list[str]:
        if session.names_stale:
            session.names_stale = False
            completer.refresh()
        return original(line, word)

    completer.candidates = candidates  # type: ignore[method-assign]
    readline.set_completer(completer.readline_hook(readline.get_line_buffer))
    readline.set_completer_delims(" \t\n()[],;=<>+-*/%|'\"")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
