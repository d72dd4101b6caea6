"""What the MariaDB/MySQL backend test modules share: the server URL, and :func:`one`."""

from __future__ import annotations

import os

from _backends import one

__all__ = ["MYSQL_URL", "one"]

# the variable tests/conftest.py reads; the older SIGV4_DATAAPI_MYSQL_URL still works
MYSQL_URL = (
    os.environ.get("SIGV4_DATAAPI_TEST_MYSQL_URL")
    or os.environ.get("SIGV4_DATAAPI_MYSQL_URL")
    or "mysql://root@127.0.0.1:3306/test"
)
