"""Fixtures of the credential tests: every test runs in a poisoned process environment
(see ``cred_isolation``), so none can depend on the developer's ``~/.aws``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cred_isolation import isolate


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    yield from isolate(monkeypatch, tmp_path_factory.mktemp("poisoned-home"))
