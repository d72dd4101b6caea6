"""The command-line interface: ``main(argv, ...) -> int``.

Each sub-command lives in its own module (``_commands/`` and ``local/_command``)
exposing ``HELP``, ``add_arguments(parser)`` and ``run(args, ctx) -> int``.
Those modules import only the standard library at module level, so building
the parser stays cheap; the heavy imports happen inside ``run``.

This module is the one place that catches exceptions: every failure becomes
one line on stderr and an :class:`ExitStatus` (a traceback only with
``--traceback``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from types import ModuleType
from typing import IO, Any

from sigv4_dataapi import __version__


class ExitStatus(IntEnum):
    """Documented exit codes (see README, "Exit codes")."""

    OK = 0
    ERROR = 1  # an unexpected failure, or vectors that failed
    USAGE = 2  # bad arguments or input (file, JSON, operation, parameter)
    CREDENTIALS = 3  # no credentials, or a broken credential provider
    SERVICE = 4  # the service answered with an error
    TRANSPORT = 5  # endpoint unreachable, TLS failure, timeout, bad answer
    AMBIGUOUS = 6  # the statement may have run: nothing was retried
    INTERRUPTED = 130  # Ctrl-C


# sub-command name -> module defining HELP, add_arguments(), run()
COMMANDS: dict[str, str] = {
    "send": "sigv4_dataapi._cli.commands.send",
    "sql": "sigv4_dataapi._cli.commands.sql",
    "request": "sigv4_dataapi._cli.commands.request",
    "vectors": "sigv4_dataapi._cli.commands.vectors",
    "serve": "sigv4_dataapi._cli.commands.serve",
    "whoami": "sigv4_dataapi._cli.commands.whoami",
    "shell": "sigv4_dataapi._cli.commands.shell",
}


@dataclass
class Context:
    """The process's I/O and environment, injected so tests can drive ``main``."""

    env: Mapping[str, str]
    stdin: IO[bytes]
    stdout: IO[str]
    stderr: IO[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stdout_is_tty(self) -> bool:
        isatty = getattr(self.stdout, "isatty", None)
        return bool(isatty and isatty())

    @property
    def stderr_is_tty(self) -> bool:
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def warn(self, message: str) -> None:
        print(f"sigv4-dataapi: {message}", file=self.stderr, flush=True)


class UsageError(Exception):
    """A command-line usage error raised by a command (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}")


def _load(name: str) -> ModuleType | None:
    module_name = COMMANDS[name]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:  # a command still being written
        if exc.name == module_name:
            return None
        raise


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that sub-command's module is imported (cheap start)."""
    parser = _Parser(
        prog="sigv4-dataapi",
        description="Sign and send AWS RDS Data API requests; run a local Data API endpoint.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--traceback", action="store_true", help="print a full traceback on failure"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = _load(name)
        if module is None:
            continue
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named on the line, if any (``--help`` alone builds them all)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def _exit_status_for(exc: BaseException) -> ExitStatus:
    from sigv4_dataapi import _errors as e

    table: tuple[tuple[type[BaseException], ExitStatus], ...] = (
        (UsageError, ExitStatus.USAGE),
        (e.ConfigurationError, ExitStatus.USAGE),
        (e.CredentialsError, ExitStatus.CREDENTIALS),
        (e.StatementMayHaveRunError, ExitStatus.AMBIGUOUS),
        (e.ServiceError, ExitStatus.SERVICE),
        (e.TransportError, ExitStatus.TRANSPORT),
        (e.ResponseParseError, ExitStatus.TRANSPORT),
    )
    for kind, status in table:
        if isinstance(exc, kind):
            return ExitStatus(getattr(exc, "exit_status", status))
    return ExitStatus.ERROR


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the CLI and return its exit status; never raises (but SystemExit for --help)."""
    ctx = Context(
        env=os.environ if env is None else env,
        stdin=sys.stdin.buffer if stdin is None else stdin,
        stdout=sys.stdout if stdout is None else stdout,
        stderr=sys.stderr if stderr is None else stderr,
    )
    args_list = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in args_list
    try:
        args = build_parser(_command_in(args_list)).parse_args(args_list)
        if getattr(args, "_module", None) is None:
            raise UsageError("sigv4-dataapi: a command is needed (see --help)")
        return int(args._module.run(args, ctx))
    except KeyboardInterrupt:
        ctx.warn("interrupted")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return ExitStatus.OK
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else ExitStatus.OK
    except Exception as exc:
        if show_traceback:
            traceback.print_exc(file=ctx.stderr)
        ctx.warn(_one_line(exc))
        return _exit_status_for(exc)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, UsageError) and text.startswith("sigv4-dataapi"):
        text = text.split(": ", 1)[-1] if text.count(": ") else text
    return " ".join(text.split())


def console_main() -> None:
    """Entry point of the ``sigv4-dataapi`` console script."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout at exit; point it at devnull so that does not fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = ExitStatus.OK
    sys.exit(status)
