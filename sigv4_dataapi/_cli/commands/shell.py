"""``sigv4-dataapi shell``: an interactive SQL shell over the Data API (psql's habits).

The target (resource ARN, secret ARN, database) resolves exactly as ``sql``'s
(flags, then ``DATA_API_*``, then the profile), and so do region, endpoint and
trust; a paused cluster shows ``sql``'s live resume line. With ``-c``/``-f``,
or stdin not a terminal, it runs in batch mode: no prompt, pager or history,
and the first failure stops it with the CLI's exit status for that failure.

Module level imports are standard library only (the parser must stay cheap).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from sigv4_dataapi._cli.commands import _common
from sigv4_dataapi._cli.main import Context

HELP = "an interactive SQL shell over the Data API (\\d, \\x, BEGIN/COMMIT, streaming)"
OUTPUTS = ("table", "expanded", "csv", "tsv", "json")


class _Source(argparse.Action):
    """``-c`` and ``-f`` keep their command-line order in ``args.sources``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        sources = list(getattr(namespace, "sources", None) or [])
        sources.append((self.const, str(values)))
        namespace.sources = sources


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--resource-arn", metavar="ARN", help="the cluster's ARN")
    parser.add_argument("--secret-arn", metavar="ARN", help="the Secrets Manager secret's ARN")
    parser.add_argument("--database", metavar="NAME", help="the database to use")
    parser.set_defaults(sources=[])
    parser.add_argument(
        "-c", dest="sources", action=_Source, const="-c", metavar="SQL",
        help="run SQL (statements or one meta-command), then exit; repeatable",
    )  # fmt: skip
    parser.add_argument(
        "-f", dest="sources", action=_Source, const="-f", metavar="FILE",
        help="run the statements in FILE (- is stdin), then exit",
    )  # fmt: skip
    parser.add_argument(
        "--output", choices=OUTPUTS, default=None, metavar="FORMAT",
        help=f"{', '.join(OUTPUTS)} (default table)",
    )  # fmt: skip
    parser.add_argument(
        "--continue-on-error",
        action="store_true",
        help="in batch mode, go on after a failed statement (the exit status is still the "
        "first failure's)",
    )
    _common.add_connection_arguments(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import logging
    import sys

    from sigv4_dataapi._cli.commands import _show, sql
    from sigv4_dataapi.shell import ShellOptions, run_shell
    from sigv4_dataapi.shell.session import ConnInfo, Console

    # The DB-API logs a failed courtesy rollback (a stream abandoned with Ctrl-C while the
    # server still runs it); the shell already said so in its own words.
    logging.getLogger("sigv4_dataapi").addHandler(logging.NullHandler())
    target = sql.resolve_target(args, ctx)  # exactly as ``sql`` resolves it
    resource_arn, secret_arn = str(target["resourceArn"]), str(target["secretArn"])
    conn = _common.resolve_connection(args, ctx, resource_arn=resource_arn)
    progress = _show.ResumeProgress(ctx)  # ``sql``'s live resume line
    connect = _connector(args, ctx, conn, (resource_arn, secret_arn), progress)
    options = ShellOptions(args.sources, args.output, args.continue_on_error)
    return run_shell(
        options, connect=connect, database=target["database"],
        info=ConnInfo(resource_arn, secret_arn, conn.endpoint_url, conn.region),
        console=Console(stdout=ctx.stdout, stderr=ctx.stderr, env=ctx.env), stdin=ctx.stdin,
        stdin_is_tty=ctx.stdin is sys.stdin.buffer and sys.stdin.isatty(),
        status_for=_status_for, after_call=progress.done,
    )  # fmt: skip


def _connector(
    args: argparse.Namespace,
    ctx: Context,
    conn: _common.Connection,
    arns: tuple[str, str],
    progress: Any,
) -> Any:
    """``connect(database)``: an autocommit DB-API connection (``\\c`` makes another)."""
    from sigv4_dataapi import dbapi

    source = _common.credential_source(args, ctx, conn.region)

    def connect(database: str | None) -> Any:
        return dbapi.connect(
            resource_arn=arns[0], secret_arn=arns[1], database=database, autocommit=True,
            region=conn.region, endpoint_url=conn.endpoint_url, credentials=source,
            verify=conn.verify, timeout=conn.timeout, resume_timeout=conn.resume_timeout,
            on_resume=progress, env=ctx.env,
        )  # fmt: skip

    return connect


def _status_for(exc: BaseException) -> int:
    """The CLI's documented status for a failed statement (its cause's, for a DB-API error)."""
    from sigv4_dataapi._cli.main import ExitStatus, _exit_status_for

    seen: BaseException | None = exc
    while seen is not None:
        status = getattr(seen, "exit_status", None)
        if isinstance(status, int):
            return status
        mapped = _exit_status_for(seen)
        if mapped != ExitStatus.ERROR:
            return int(mapped)
        seen = seen.__cause__
    return int(ExitStatus.ERROR)
