"""Keep the developer's real ``~/.aws`` and ``AWS_*`` variables out of every test.

Each test gets a *poisoned* process environment: ``HOME`` points at a directory whose
``.aws/config`` and ``.aws/credentials`` are unreadable as INI (so reading them raises
``ConfigurationError``), every ``AWS_*``/``DATA_API_*`` variable is removed, and
``AWS_PROFILE`` names a profile that exists nowhere.  A test that forgot to inject
``env=``/``HOME`` therefore fails loudly instead of passing on one machine only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

POISON_PROFILE = "poisoned-real-environment"
POISON_TEXT = "this line outside any [section] makes reading the real ~/.aws fail\n"
PREFIXES = ("AWS_", "DATA_API_")


def poisoned_home(root: Path) -> Path:
    aws = root / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    for name in ("config", "credentials"):
        (aws / name).write_text(POISON_TEXT, encoding="utf-8")
    return root


def isolate(monkeypatch: pytest.MonkeyPatch, root: Path) -> Iterator[Path]:
    home = poisoned_home(root)
    for name in list(os.environ):
        if name.startswith(PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("AWS_PROFILE", POISON_PROFILE)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never 169.254.169.254
    yield home
