"""SQLAlchemy 2 dialects for PostgreSQL and MySQL over the Data API, sync and asyncio.

Installed as entry points (group ``sqlalchemy.dialects``): ``postgresql.dataapi``,
``mysql.dataapi``, ``postgresql.dataapi_async``, ``mysql.dataapi_async``::

    create_engine("postgresql+dataapi:///mydb?resource_arn=...&secret_arn=...&region=...")
    create_async_engine("mysql+dataapi_async:///mydb")  # ARNs from the environment

:func:`register` does the same without an installed distribution (tests, zipapps).
"""

from __future__ import annotations

__all__ = ["DIALECTS", "register"]

# entry point name -> (module, class)
DIALECTS: dict[str, tuple[str, str]] = {
    "postgresql.dataapi": ("sigv4_dataapi.dialect.postgresql", "PGDialect_dataapi"),
    "postgresql.dataapi_async": ("sigv4_dataapi.dialect.postgresql", "PGDialect_dataapi_async"),
    "mysql.dataapi": ("sigv4_dataapi.dialect.mysql", "MySQLDialect_dataapi"),
    "mysql.dataapi_async": ("sigv4_dataapi.dialect.mysql", "MySQLDialect_dataapi_async"),
    "mariadb.dataapi": ("sigv4_dataapi.dialect.mysql", "MariaDBDialect_dataapi"),
    "mariadb.dataapi_async": ("sigv4_dataapi.dialect.mysql", "MariaDBDialect_dataapi_async"),
}


def register() -> None:
    """Register the four dialects with SQLAlchemy's registry (idempotent)."""
    from sqlalchemy.dialects import registry

    for name, (module, cls) in DIALECTS.items():
        registry.register(name, module, cls)
