"""The soak in the default run: inserts and transactions, three engines, all at once.

``scripts/soak`` runs the long one. Here inserts and transactions run at the
same time on SQLite, PostgreSQL and MariaDB for ``SIGV4_DATAAPI_SOAK_SECONDS``
(default 30; wall time about a minute on two cores). Every fault kind at 4 %.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

import pytest
import rel_soak
import rel_soak_main

from sigv4_dataapi._server.state.fault_injection import KINDS

SECONDS = float(os.environ.get("SIGV4_DATAAPI_SOAK_SECONDS") or 30)


def _engines(request: pytest.FixtureRequest) -> list[str]:
    """SQLite always; PostgreSQL and MariaDB when present (absent on CI: the fixture fails)."""
    engines = ["sqlite"]
    for engine in ("postgres", "mysql"):
        try:
            request.getfixturevalue(f"{engine}_url")
        except pytest.skip.Exception:
            continue
        engines.append(engine)
    return engines


def test_soak_loses_nothing_and_doubles_nothing(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="sigv4_dataapi")  # failed rollbacks are expected
    engines = _engines(request)
    options: dict[str, Any] = dict(
        seconds=SECONDS, count=100_000, threads=8, tasks=8, faults=rel_soak.EVERY_KIND,
        seed=14, delay=0.5, timeout=10.0,
    )  # fmt: skip
    results: dict[bool, dict[str, Any]] = {}
    shape = {**options, "threads": 2 * options["threads"], "tasks": 2 * options["tasks"]}
    before = rel_soak_main.baseline(engines, shape)  # both modes at once: twice the clients

    def mode(transactions: bool) -> None:
        results[transactions] = rel_soak_main.soak(
            engines, transactions=transactions, check_resources=False, **options
        )

    inserts = threading.Thread(target=mode, args=(False,))
    inserts.start()
    mode(True)
    inserts.join()
    for transactions, report in results.items():
        text = json.dumps(report, indent=1)
        assert len(report["engines"]) == len(engines) and report["ok"], text
        for engine in report["engines"]:
            assert engine["acknowledged"] > 0 and engine["ambiguous"] > 0, text
            assert engine["duplicate_key_errors"] == 0 and engine["foreign_exceptions"] == 0
            assert set(engine["faults_injected"]) == set(KINDS), text  # every kind happened
            if transactions:  # commits met faults, and said so
                assert sum(engine["commit_errors"].values()) > 0, text
    figures, problems = rel_soak_main.resources(before)
    print("soak resources", figures)  # shown with -s: the margin against the slack
    assert problems == [], figures  # fds, RSS and threads back to the baseline
