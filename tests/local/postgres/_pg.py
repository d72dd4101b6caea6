"""What the PostgreSQL backend test modules share: the server URL, and :func:`one`."""

from __future__ import annotations

import os

from _backends import one

__all__ = ["PG_URL", "one"]

# the variable tests/conftest.py reads; the older SIGV4_DATAAPI_PG_URL still works
PG_URL = (
    os.environ.get("SIGV4_DATAAPI_TEST_POSTGRES_URL")
    or os.environ.get("SIGV4_DATAAPI_PG_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)
