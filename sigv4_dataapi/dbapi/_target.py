"""Which cluster, secret and database a connection talks to, resolved like the CLI.

An argument wins, then ``DATA_API_RESOURCE_ARN``/``DATA_API_SECRET_ARN``/
``DATA_API_DATABASE``, then the profile's ``data_api_resource_arn``... keys: the
same ``resolve_setting`` the ``sql`` command uses (``sigv4_dataapi.config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sigv4_dataapi.dbapi.errors import InterfaceError

# connect() keyword -> (setting name, environment variable)
SOURCES: Mapping[str, tuple[str, str]] = {
    "resource_arn": ("data_api_resource_arn", "DATA_API_RESOURCE_ARN"),
    "secret_arn": ("data_api_secret_arn", "DATA_API_SECRET_ARN"),
    "database": ("data_api_database", "DATA_API_DATABASE"),
}


@dataclass(frozen=True)
class Target:
    resource_arn: str
    secret_arn: str
    database: str | None


def resolve_target(
    resource_arn: str | None,
    secret_arn: str | None,
    database: str | None,
    client_options: Mapping[str, Any],
) -> Target:
    """Argument, environment, profile, for each of the three; both ARNs are required."""
    explicit = {"resource_arn": resource_arn, "secret_arn": secret_arn, "database": database}
    if resource_arn and secret_arn and database:
        return Target(resource_arn, secret_arn, database)
    from sigv4_dataapi import config

    env = client_options.get("env")
    profile = client_options.get("profile")
    found: dict[str, str | None] = {}
    for keyword, (setting, _var) in SOURCES.items():
        found[keyword] = config.resolve_setting(setting, explicit[keyword], env=env,
                                                 profile=profile).value  # fmt: skip
    for keyword in ("resource_arn", "secret_arn"):
        if not found[keyword]:
            setting, var = SOURCES[keyword]
            raise InterfaceError(
                f"no {keyword}: pass {keyword}=, set {var}, or add {setting} to the profile"
            )
    return Target(str(found["resource_arn"]), str(found["secret_arn"]), found["database"])
