"""``./scripts/demo`` runs to the end: send, a table, a resume waited out, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (REPO / ".venv").resolve(),
    reason="the demo uses the project's .venv; run the tests from it",
)
def test_the_demo_runs_to_the_end() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATA_API_"))}
    done = subprocess.run(
        [str(REPO / "scripts" / "demo")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert '"includeResultMetadata": "true"' in out  # the article's file, shown as is
    assert out.count("assessments") >= 3  # raw answer, decoded table, the count query
    assert " Ada     |  92.5" in out
    assert "waiting for the database to resume (attempt 1," in done.stderr
    assert "the database is up" in done.stderr
    assert out.rstrip().endswith("done")
