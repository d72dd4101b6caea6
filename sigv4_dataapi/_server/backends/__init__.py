"""Pick a database engine by URL; the engine module (and its driver) loads lazily.

``sqlite:///abs/path.db`` (or ``sqlite:relative.db``, ``sqlite:///:memory:``),
``postgresql://user:pw@host:port/db`` (psycopg 3), ``mysql://user:pw@host:port/db``
(PyMySQL). Each engine module defines ``open_backend(url) -> Backend``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sigv4_dataapi._errors import ConfigurationError, MissingDependencyError
from sigv4_dataapi._server.backends.base import ENGINES

if TYPE_CHECKING:
    from sigv4_dataapi._server.backends.base import Backend

# engine module -> (driver module, extra that installs it)
_DRIVERS: dict[str, tuple[str, str]] = {
    "postgres": ("psycopg", "postgres"),
    "mysql": ("pymysql", "mysql"),
}


def open_backend(url: str) -> Backend:
    """The backend for ``url``; a clear one-line error for an unknown or absent engine."""
    scheme = url.partition(":")[0].lower()
    module_name = ENGINES.get(scheme.split("+")[0])
    if module_name is None:
        known = ", ".join(sorted({f"{s}://" for s in ENGINES}))
        raise ConfigurationError(f"unsupported database URL scheme {scheme!r} (use {known})")
    driver, extra = _DRIVERS.get(module_name, ("", ""))
    try:
        module = importlib.import_module(f"sigv4_dataapi._server.backends.{module_name}")
    except ModuleNotFoundError as exc:
        if driver and exc.name == driver:
            raise MissingDependencyError(f"the {scheme} backend", extra, driver) from exc
        raise ConfigurationError(f"the {scheme} backend is not available: {exc}") from exc
    backend: Backend = module.open_backend(url)
    return backend
