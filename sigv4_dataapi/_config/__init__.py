"""Configuration, one import away: the shared files, the profile, settings, endpoints.

The client, the transport, the CLI and the providers all import from here, so the
implementation can stay in small modules without them knowing the layout:

- :mod:`sigv4_dataapi._config.ini`: the AWS INI dialect (inline comments, sub-settings);
- :mod:`sigv4_dataapi._config.profiles`: the ``config``/``credentials`` files and profile
  selection (``AWS_PROFILE`` beats ``AWS_DEFAULT_PROFILE``);
- :mod:`sigv4_dataapi._config.settings`: settings, region and endpoint URLs with their source.

Where these follow the AWS SDKs and Tools Reference Guide rather than botocore,
docs/credentials.md says so.  Nothing here performs network I/O.
"""

from __future__ import annotations

from sigv4_dataapi._config.ini import IniFile, parse_ini
from sigv4_dataapi._config.profiles import (
    DEFAULT_PROFILE,
    Profile,
    Section,
    Setting,
    SharedConfig,
    as_profile,
    expand_path,
    home_dir,
    is_true,
    load_profile,
    load_shared_config,
    select_profile_name,
)
from sigv4_dataapi._config.settings import (
    SERVICE_HOSTS,
    SETTINGS,
    config_key,
    configured_endpoint,
    configured_region,
    default_endpoint_url,
    resolve_endpoint_setting,
    resolve_endpoint_url,
    resolve_setting,
)

__all__ = [
    "DEFAULT_PROFILE",
    "SERVICE_HOSTS",
    "SETTINGS",
    "IniFile",
    "Profile",
    "Section",
    "Setting",
    "SharedConfig",
    "as_profile",
    "config_key",
    "configured_endpoint",
    "configured_region",
    "default_endpoint_url",
    "expand_path",
    "home_dir",
    "is_true",
    "load_profile",
    "load_shared_config",
    "parse_ini",
    "resolve_endpoint_setting",
    "resolve_endpoint_url",
    "resolve_setting",
    "select_profile_name",
]
