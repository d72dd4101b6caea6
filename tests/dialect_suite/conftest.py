"""Bootstraps SQLAlchemy's test plugin against a local Data API endpoint.

As README.dialects.rst describes for third-party dialects, plus one step of
ours: before the plugin configures its engines, start ``sigv4-dataapi serve``
on the engine that ``--db`` names (PostgreSQL or MariaDB on loopback), create
the suite's own database and the two schemas the suite expects, and export
the endpoint, CA bundle, ARNs and the local endpoint's example key pair so
that ``postgresql+dataapi:///sqla_suite`` needs nothing else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # requirements:Requirements

from sigv4_dataapi.dialect import register  # noqa: E402

register()
pytest.register_assert_rewrite("sqlalchemy.testing.assertions")

import suite_setup  # noqa: E402
from sqlalchemy.dialects.mysql import provision as _mysql_provision  # noqa: E402,F401
from sqlalchemy.dialects.postgresql import provision as _pg_provision  # noqa: E402,F401
from sqlalchemy.testing.plugin.pytestplugin import *  # noqa: E402,F403

_endpoint: Any = None
_sqla_configure = pytest_configure  # noqa: F405 (the plugin's, wrapped below)


def pytest_configure(config: pytest.Config) -> None:
    """Start the endpoint, then let SQLAlchemy's plugin build its engines."""
    global _endpoint
    names = " ".join(config.option.db or ["default"])
    engine = "mysql" if "mysql" in names else "postgres"
    try:
        _endpoint = suite_setup.start(engine, HERE / ".state" / engine)
    except pytest.skip.Exception as absent:  # no server here (CI=true fails instead)
        pytest.exit(f"SQLAlchemy's suite not run: {absent}", returncode=0)
    os.environ.update(suite_setup.environment(_endpoint))
    _sqla_configure(config)


_sqla_unconfigure = pytest_unconfigure  # noqa: F405


def pytest_unconfigure(config: pytest.Config) -> None:
    _sqla_unconfigure(config)
    if _endpoint is not None:
        _endpoint.stop()
