"""Fixtures of the MariaDB/MySQL backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

from __future__ import annotations

from _backends import MYSQL_URL, server_fixtures

from sigv4_dataapi._server.backends.mysql import MySQLBackend

backend, session, table = server_fixtures(MYSQL_URL, MySQLBackend, "MariaDB/MySQL", "b2_my")
