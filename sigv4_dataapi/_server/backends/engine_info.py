"""Which Aurora engine the local endpoint answers as, and what really runs the SQL.

``serve`` prints this in its first JSON line (``"engine"``) and alone with
``--engine-info``, so that the shell and the dialect tests pick their
catalog queries without guessing. The embedded SQLite default answers as
Aurora MySQL would (types and metadata: ``_sqlite_types``), so its family
is ``mysql``; its SQL is still SQLite's, which ``server`` says.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sigv4_dataapi._server.backends.base import Backend, EngineError

__all__ = ["EngineInfo", "engine_info"]

# backend.engine -> (family, the Aurora engine it answers as, version query)
_ENGINES: dict[str, tuple[str, str, str]] = {
    "postgresql": ("postgresql", "Aurora PostgreSQL", "SHOW server_version"),
    "mysql": ("mysql", "Aurora MySQL", "SELECT VERSION()"),
    "sqlite": ("mysql", "Aurora MySQL", "SELECT sqlite_version()"),
}


@dataclass(frozen=True)
class EngineInfo:
    """The ``"engine"`` object of ``serve``'s first line."""

    family: str  # "postgresql" or "mysql": the Data API engine family
    answers_as: str  # "Aurora PostgreSQL" or "Aurora MySQL"
    server: str  # what runs the SQL: "postgresql", "mariadb", "mysql" or "sqlite"
    version: str | None  # the server's own version text; None when it could not be read

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def engine_info(backend: Backend) -> EngineInfo:
    """Ask the backend's server for its version (one short session)."""
    family, answers_as, query = _ENGINES[backend.engine]
    version = _version(backend, query)
    server = backend.engine
    if backend.engine == "mysql":
        server = "mariadb" if version and "mariadb" in version.lower() else "mysql"
    return EngineInfo(family=family, answers_as=answers_as, server=server, version=version)


def _version(backend: Backend, query: str) -> str | None:
    """The version text, or None: a server that cannot be reached yet must not stop ``serve``."""
    try:
        session = backend.session(None, None)
    except EngineError:
        return None
    try:
        rows = session.execute(query, []).rows
    except EngineError:
        return None
    finally:
        session.close()
    return str(rows[0][0]) if rows and rows[0] else None
