"""What the MariaDB/MySQL backend test modules share: the server URL, and :func:`one`."""

from __future__ import annotations

from _backends import MYSQL_URL, one

__all__ = ["MYSQL_URL", "one"]
