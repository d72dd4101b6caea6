"""What the PostgreSQL and MySQL backends need from any DB-API driver module.

Drivers are optional extras: they are imported only when a backend is built,
and a missing one is a one-line ``MissingDependencyError`` naming the extra,
never an ``ImportError`` traceback from deep inside the endpoint.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

from sigv4_dataapi._errors import MissingDependencyError

__all__ = ["close_quietly", "import_driver"]


def import_driver(module: str, *, feature: str, extra: str) -> Any:
    """The driver ``module`` (``Any``: drivers are duck-typed at this boundary)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(feature, extra, module) from exc


def close_quietly(conn: Any) -> None:
    """Close a connection that may already be broken: there is nothing left to report."""
    with contextlib.suppress(Exception):
        conn.close()
