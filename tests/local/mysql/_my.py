"""What the mysql backend test modules share: the server URL and a one-value query."""

from __future__ import annotations

import os
from typing import Any

from sigv4_dataapi.local.backends.base import Param

# the same variable as tests/conftest.py; the older SIGV4_DATAAPI_MYSQL_URL still works
MYSQL_URL = (
    os.environ.get("SIGV4_DATAAPI_TEST_MYSQL_URL")
    or os.environ.get("SIGV4_DATAAPI_MYSQL_URL")
    or "mysql://root@127.0.0.1:3306/test"
)


def one(session: Any, sql: str, *params: Param) -> object:
    result = session.execute(sql, list(params))
    assert len(result.rows) == 1 and len(result.rows[0]) == 1
    return result.rows[0][0]
