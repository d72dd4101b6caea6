"""Fixtures of the PostgreSQL backend tests: the backend (skips when the server is absent,
fails instead under ``CI=true``), a session, a table name dropped afterwards."""

from __future__ import annotations

from _backends import PG_URL, server_fixtures

from sigv4_dataapi._server.backends.postgres import PostgresBackend

backend, session, table = server_fixtures(PG_URL, PostgresBackend, "PostgreSQL", "b2_pg")
