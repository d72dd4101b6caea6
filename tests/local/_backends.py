"""What the PostgreSQL and MariaDB backend tests share (``tests/local/{postgres,mysql}``).

Imported as ``from _backends import ...`` (pytest puts ``tests/local`` on ``sys.path``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from sigv4_dataapi.local.backends import open_backend
from sigv4_dataapi.local.backends.base import DatabaseError, Param

B = TypeVar("B")


def server_backend(url: str, kind: type[B], server: str) -> B:
    """The backend for ``url``; skips when the server is absent (fails instead on CI=true)."""
    engine = open_backend(url)
    try:
        engine.session(None, None).close()
    except DatabaseError as exc:
        reason = f"{server} is not reachable at {url}: {exc.message}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    assert isinstance(engine, kind)
    return engine


def fresh_session(backend: Any) -> Iterator[Any]:
    opened = backend.session(None, None)
    yield opened
    opened.close()


def dropped_table(backend: Any, prefix: str) -> Iterator[str]:
    """A fresh table name, dropped afterwards (other suites share the server)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = backend.session(None, None)
    cleanup.execute(f"DROP TABLE IF EXISTS {name}", [])
    cleanup.close()


def one(session: Any, sql: str, *params: Param) -> object:
    """The single value ``sql`` returns."""
    result = session.execute(sql, list(params))
    assert len(result.rows) == 1 and len(result.rows[0]) == 1
    return result.rows[0][0]
