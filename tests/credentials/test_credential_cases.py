"""The data-driven credential cases: one test per folder under ``cases/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cred_runner import CASES, case_names, run_case

NAMES = case_names()


def _param(name: str) -> object:
    slow = json.loads((CASES / name / "case.json").read_text(encoding="utf-8")).get("slow")
    return pytest.param(name, marks=pytest.mark.slow) if slow else name


def test_cases_are_found() -> None:
    # a wrong path must not pass by running zero cases
    assert len(NAMES) >= 100, NAMES


@pytest.mark.parametrize("name", [_param(name) for name in NAMES])
def test_case(name: str, tmp_path: Path) -> None:
    run_case(name, tmp_path)
