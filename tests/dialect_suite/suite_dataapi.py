"""SQLAlchemy's dialect compliance suite, as every third-party dialect runs it."""

from typing import Any

from sqlalchemy.testing.suite import *  # noqa: F403
from sqlalchemy.testing.suite import ServerSideCursorsTest as _ServerSideCursorsTest


class ServerSideCursorsTest(_ServerSideCursorsTest):
    def _is_server_side(self, cursor: Any) -> bool:
        """The suite knows drivers by name; ours: the DB-API cursor's ``stream`` flag
        (the async adapter's is ``server_side``)."""
        return bool(getattr(cursor, "stream", False) or getattr(cursor, "server_side", False))
