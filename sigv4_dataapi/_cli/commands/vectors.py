"""``sigv4-dataapi vectors PATH...``: run signing test vectors, stage by stage.

One (case, mode) is one count; a failure prints the case, the stage and a diff
of expected vs actual; the last line is exactly ``N passed, M failed`` (then
``, K skipped`` when some were skipped, each with its reason printed above).
Exit status 0 only when nothing failed and something passed, so a wrong path
cannot pass by running zero cases.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sigv4_dataapi._cli.main import Context
    from sigv4_dataapi._sigv4.vectors.harness import Outcome

HELP = "run AWS SigV4/SigV4a signing test vectors (aws-c-auth and legacy layouts)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="case folders or suite roots")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every passed case")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from sigv4_dataapi._cli.main import ExitStatus, UsageError
    from sigv4_dataapi._sigv4.vectors import harness as _vectors

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"sigv4-dataapi vectors: no such path: {', '.join(missing)}")
    chosen, left_out = _vectors.select(paths)
    if left_out:
        _print(ctx, f"note: {len(left_out)} partial case(s) without context.json left out "
                    f"(give their folder to run them): {', '.join(left_out)}")  # fmt: skip
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for name, location, layout in chosen:
        for outcome in _vectors.run_case(name, location, layout):
            kind = _report(ctx, outcome, verbose=args.verbose)
            counts[kind] += 1
    summary = f"{counts['passed']} passed, {counts['failed']} failed"
    if counts["skipped"]:
        summary += f", {counts['skipped']} skipped"
    _print(ctx, summary)
    ok = counts["failed"] == 0 and counts["passed"] > 0
    return int(ExitStatus.OK if ok else ExitStatus.ERROR)


def _report(ctx: Context, outcome: Outcome, *, verbose: bool) -> str:
    label = f"{outcome.case} [{outcome.mode}]"
    if outcome.note is not None:
        _print(ctx, f"note: {label}: {outcome.note}")
    if outcome.skipped is not None:
        _print(ctx, f"SKIP {label}: {outcome.skipped}")
        return "skipped"
    if outcome.passed:
        if verbose:
            _print(ctx, f"ok   {label}")
        return "passed"
    for mismatch in outcome.mismatches:
        _print(ctx, f"FAIL {label}: {mismatch.stage}")
        _print(ctx, _diff(mismatch.expected, mismatch.actual))
    return "failed"


def _diff(expected: str, actual: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        expected.split("\n"), actual.split("\n"), "expected", "actual", lineterm=""
    )
    return "\n".join(f"    {line}" for line in lines)


def _print(ctx: Context, text: Any) -> None:
    print(text, file=ctx.stdout, flush=True)
