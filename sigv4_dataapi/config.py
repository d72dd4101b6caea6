"""Configuration, the public way in: the shared AWS files, profiles, settings and endpoints.

The same names the client and the CLI use to find a region, an endpoint URL, a
CA bundle or the ``DATA_API_*`` defaults, with where each value came from
(``Setting.source``). docs/credentials.md describes each one.
"""

from __future__ import annotations

from sigv4_dataapi._config import (
    SETTINGS,
    Profile,
    Setting,
    configured_endpoint,
    configured_region,
    load_profile,
    resolve_endpoint_setting,
    resolve_endpoint_url,
    resolve_setting,
)

__all__ = [
    "SETTINGS",
    "Profile",
    "Setting",
    "configured_endpoint",
    "configured_region",
    "load_profile",
    "resolve_endpoint_setting",
    "resolve_endpoint_url",
    "resolve_setting",
]
