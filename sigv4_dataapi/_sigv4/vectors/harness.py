"""Signing test vectors: discover cases, load them, check them stage by stage.

Two layouts are read (``_vector_layouts``): aws-c-auth's folder per case and
the legacy "aws-sig-v4-test-suite" files. A (case, mode) is the unit that
passes or fails (``_vector_check``). This module finds the cases under the
given paths and runs them; it re-exports the harness's names (``__all__``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._sigv4.vectors.case import (
    MODES,
    Case,
    Context,
    Mismatch,
    Mode,
    Outcome,
    RawRequest,
    parse_request,
)
from sigv4_dataapi._sigv4.vectors.check import (
    check,
    check_mode,
    render_signed,
    sign,
    signed_request,
)
from sigv4_dataapi._sigv4.vectors.layouts import (
    LEGACY_FILES,
    LEGACY_TOKEN_AFTER,
    STAGE_FILES,
    SUITE_TIME,
    TEST_SECRETS,
    UPSTREAM_DEFECTS,
    load,
)

__all__ = [
    "LEGACY_FILES",
    "LEGACY_TOKEN_AFTER",
    "MODES",
    "STAGE_FILES",
    "SUITE_TIME",
    "TEST_SECRETS",
    "UPSTREAM_DEFECTS",
    "Case",
    "Context",
    "Mismatch",
    "Mode",
    "Outcome",
    "RawRequest",
    "check",
    "check_mode",
    "discover",
    "load",
    "load_all",
    "parse_request",
    "render_signed",
    "run_case",
    "select",
    "sign",
    "signed_request",
]


def discover(paths: Iterable[Path]) -> Iterator[tuple[str, Path, str]]:
    """Yield (name, location, layout) for every case under ``paths``, in sorted order.

    Layouts: ``crt``, ``legacy`` and ``partial`` (an aws-c-auth folder without
    ``context.json``). A folder with ``request.txt`` but no expected files is
    not a case (the two v4a orphans upstream never ran). Names are relative
    to the given path.
    """
    for root in paths:
        if root.is_file() and root.suffix == ".req":
            yield root.stem, root, "legacy"
            continue
        for request in sorted([*root.rglob("request.txt"), *root.rglob("*.req")]):
            rel = request.parent.relative_to(root).as_posix()
            label = root.name if rel == "." else rel
            if request.suffix == ".req":
                yield (label if label.endswith(request.stem) else f"{label}/{request.stem}",
                       request, "legacy")  # fmt: skip
            elif any((request.parent / f"{m}-canonical-request.txt").exists() for m in MODES):
                complete = (request.parent / "context.json").exists()
                yield label, request.parent, "crt" if complete else "partial"


def select(paths: Iterable[Path]) -> tuple[list[tuple[str, Path, str]], list[str]]:
    """The cases to run under ``paths``, and the partial ones left out.

    Partial cases are opt-in: under a path that also holds complete cases they
    are left out (and named), so a suite's count does not depend on upstream's
    unfinished extras; a path holding only partial cases runs them.
    """
    chosen: list[tuple[str, Path, str]] = []
    left_out: list[str] = []
    for root in paths:
        found = list(discover([root]))
        complete = any(layout != "partial" for _, _, layout in found)
        for entry in found:
            if complete and entry[2] == "partial":
                left_out.append(entry[0])
            else:
                chosen.append(entry)
    return chosen, left_out


def load_all(paths: Iterable[Path]) -> list[Case]:
    """Load every case :func:`select` chooses under ``paths``."""
    return [load(name, location, layout) for name, location, layout in select(paths)[0]]


def run_case(name: str, location: Path, layout: str) -> list[Outcome]:
    """Load and check one discovered case; an unreadable case is one failure, not a crash."""
    try:
        case = load(name, location, layout)
    except (OSError, ValueError, KeyError, TypeError, DataAPIError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
        return [Outcome(name, "header", (Mismatch("load", "a readable case", problem),))]
    return check(case)
