"""Streaming, the pager and a paused cluster, end to end against the local endpoint."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _pty import Terminal  # type: ignore[import-not-found]
from test_shell_e2e import CLI, REPO, shell_env  # type: ignore[import-not-found]

MIB = 1024 * 1024
pytestmark = pytest.mark.skipif(not CLI.exists(), reason=f"{CLI} is not installed")


def _csv_run(env: dict[str, str], rows: int, out: Path) -> tuple[int, int]:
    """Run a ``rows``-row SELECT as CSV into ``out``; (exit status, peak RSS in bytes)."""
    sql = f"SELECT g AS id, repeat('x', 1000) AS pad FROM generate_series(1, {rows}) g"
    with open(out, "w") as sink, open(out.with_suffix(".err"), "w") as errors:
        process = subprocess.Popen(
            [str(CLI), "shell", "--output", "csv", "-c", sql], env=env, stdout=sink,
            stderr=errors, cwd=REPO,
        )  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


@pytest.mark.postgres
@pytest.mark.slow
def test_a_20_mib_select_streams_as_csv_in_bounded_memory(
    local_endpoint_postgres: Any, tmp_path: Path
) -> None:
    env = shell_env(local_endpoint_postgres, tmp_path)
    small_status, small_rss = _csv_run(env, 1_000, tmp_path / "small.csv")
    big_status, big_rss = _csv_run(env, 21_000, tmp_path / "big.csv")
    assert small_status == 0 and big_status == 0, (tmp_path / "big.err").read_text()
    size = (tmp_path / "big.csv").stat().st_size
    assert size > 20 * MIB  # 20 times the Data API's 1 MiB answer limit
    with open(tmp_path / "big.csv") as produced:
        assert produced.readline() == "id,pad\n"
        assert sum(1 for _ in produced) == 21_000
    growth = big_rss - small_rss
    print(f"\n20 MiB CSV: {size / MIB:.1f} MiB written; peak RSS {big_rss / MIB:.1f} MiB "
          f"vs {small_rss / MIB:.1f} MiB for 1 MiB (+{growth / MIB:.1f} MiB)")  # fmt: skip
    assert growth < 12 * MIB  # holding the result would cost more than its 20 MiB


@pytest.mark.postgres
def test_pager_only_for_results_taller_than_the_screen(
    local_endpoint_postgres: Any, tmp_path: Path
) -> None:
    env = shell_env(local_endpoint_postgres, tmp_path, PAGER="sed -u s/^/PAGED:/")
    term = Terminal([str(CLI), "shell"], env, rows=10)
    try:
        term.expect(r"test=> ")
        term.line("SELECT 1 AS short;")
        term.expect(r"\n\s+1\s*\n\(1 row\)")
        assert "PAGED:" not in term.text
        term.expect(r"test=> ")
        term.line("SELECT generate_series(1, 30) AS tall;")
        term.expect(r"PAGED:\s+30\s*\nPAGED:\(30 rows\)")
        term.expect(r"test=> ")
        term.line("\\q")
        assert term.wait() == 0
    finally:
        term.close()


@pytest.mark.postgres
def test_a_paused_cluster_shows_the_resume_line(
    local_endpoint_factory: Callable[..., Any], postgres_url: str, tmp_path: Path
) -> None:
    endpoint = local_endpoint_factory(
        "--start-paused", "--resume-seconds", "3", database_url=postgres_url, engine="postgres"
    )
    term = Terminal([str(CLI), "shell"], shell_env(endpoint, tmp_path))
    try:
        term.expect(r"waiting for the database to resume \(attempt 1,", timeout=120)
        term.expect(r"sigv4-dataapi: the database is up", timeout=120)
        term.expect(r"test=> ")
        term.line("\\q")
        assert term.wait() == 0
    finally:
        term.close()
