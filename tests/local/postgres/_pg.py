"""What the PostgreSQL backend test modules share: the server URL, and :func:`one`."""

from __future__ import annotations

from _backends import PG_URL, one

__all__ = ["PG_URL", "one"]
