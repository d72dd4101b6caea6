"""Who may call, what they may touch, and where each cluster's data lives.

Zero configuration: the documented example key pair may do everything, any
well-formed cluster ARN reaches the default database and any secret ARN logs
in as the backend's default user. A config file (JSON, or TOML)
adds key pairs with optional session tokens and an IAM-like allow list,
maps secret ARNs to database users, and names clusters with their own
database URLs::

    {"dev_key": true,
     "keys": [{"access_key_id": "AKIA...", "secret_access_key": "...",
               "session_token": "...", "principal": "arn:aws:iam::123456789012:user/ci",
               "allow": [{"actions": ["rds-data:ExecuteStatement"],
                          "resources": ["arn:aws:rds:*:*:cluster:app-*"]}]}],
     "clusters": [{"arn": "arn:aws:rds:us-east-1:123456789012:cluster:app",
                   "database_url": "postgresql://postgres@127.0.0.1:5432/test"}],
     "secrets": [{"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app",
                  "user": "app_user"}]}
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.server_settings import (
    DEV_ACCESS_KEY_ID,
    DEV_ACCOUNT,
    DEV_SECRET_ACCESS_KEY,
)

SERVICE_PREFIX = "rds-data:"


@lru_cache(maxsize=256)
def _glob(pattern: str, *, fold: bool) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run, ``?`` one character, nothing else is special."""
    text = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(text, re.IGNORECASE if fold else 0)


@dataclass(frozen=True)
class Grant:
    """One allow statement: these actions on these resources (wildcards allowed)."""

    actions: tuple[str, ...] = ("*",)
    resources: tuple[str, ...] = ("*",)

    def allows(self, action: str, resource: str) -> bool:
        qualified = SERVICE_PREFIX + action
        return any(_glob(a, fold=True).fullmatch(qualified) or a == "*" for a in self.actions) and (
            any(_glob(r, fold=False).fullmatch(resource) for r in self.resources)
        )


@dataclass(frozen=True)
class KeyPair:
    """A caller's credentials (secrets never in repr) and what it may do."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    principal: str = f"arn:aws:iam::{DEV_ACCOUNT}:user/local-dev"
    grants: tuple[Grant, ...] = (Grant(),)

    def authorize(self, action: str, resource: str) -> None:
        """AccessDeniedException unless a grant allows ``action`` on ``resource``."""
        if any(grant.allows(action, resource) for grant in self.grants):
            return
        raise ApiError(
            "AccessDeniedException",
            f"User: {self.principal} is not authorized to perform: {SERVICE_PREFIX}{action} "
            f"on resource: {resource} because no identity-based policy allows the "
            f"{SERVICE_PREFIX}{action} action",
        )


DEV_KEY = KeyPair(DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY)


@dataclass(frozen=True)
class Cluster:
    arn: str
    database_url: str


@dataclass(frozen=True)
class AccessConfig:
    """The parsed config file (or the zero-configuration defaults)."""

    keys: Mapping[str, KeyPair] = field(default_factory=lambda: {DEV_KEY.access_key_id: DEV_KEY})
    clusters: tuple[Cluster, ...] = ()  # empty: any ARN reaches the default database
    secrets: Mapping[str, str | None] | None = None  # None: any secret ARN, default user

    def knows_secret(self, secret_arn: str) -> bool:
        return self.secrets is None or secret_arn in self.secrets

    def db_user(self, secret_arn: str) -> str | None:
        """The database user a secret logs in as (None: the backend's default)."""
        return None if self.secrets is None else self.secrets.get(secret_arn)


def _require(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"config: {where} needs a non-empty string {key!r}")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigurationError(f"config: {where} must be a string or a list of strings")
    return tuple(items)


def _key(entry: Mapping[str, Any], index: int) -> KeyPair:
    where = f"keys[{index}]"
    grants = tuple(
        Grant(
            actions=_strings(g.get("actions", "*"), f"{where}.allow.actions"),
            resources=_strings(g.get("resources", "*"), f"{where}.allow.resources"),
        )
        for g in entry.get("allow", [{}])
    )
    principal = entry.get("principal") or f"arn:aws:iam::{DEV_ACCOUNT}:user/key-{index}"
    return KeyPair(
        access_key_id=_require(entry, "access_key_id", where),
        secret_access_key=_require(entry, "secret_access_key", where),
        session_token=entry.get("session_token") or None,
        principal=str(principal),
        grants=grants,
    )


def parse_config(data: Mapping[str, Any]) -> AccessConfig:
    keys = [_key(entry, i) for i, entry in enumerate(_list(data, "keys"))]
    if data.get("dev_key", True):
        keys.insert(0, DEV_KEY)
    clusters = tuple(
        Cluster(_require(c, "arn", f"clusters[{i}]"), _require(c, "database_url", f"clusters[{i}]"))
        for i, c in enumerate(_list(data, "clusters"))
    )
    secrets = None
    if "secrets" in data:
        secrets = {
            _require(s, "arn", f"secrets[{i}]"): s.get("user") or None
            for i, s in enumerate(_list(data, "secrets"))
        }
    return AccessConfig({k.access_key_id: k for k in keys}, clusters, secrets)


def _list(data: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigurationError(f"config: {key!r} must be a list of objects")
    return value


def _toml() -> Any:
    """``tomllib`` is in the standard library from 3.11; ``tomli`` is the same parser
    before it (a dependency only there, by an environment marker)."""
    return importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")


def load_config(path: Path | None) -> AccessConfig:
    """Read the config file (JSON, or TOML by its suffix); None: the defaults."""
    if path is None:
        return AccessConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        if path.suffix == ".toml":
            data: Any = _toml().loads(text)
        else:
            data = json.loads(text)
    except ModuleNotFoundError as exc:  # an install that skipped the tomli dependency
        raise ConfigurationError("TOML config files need tomli on Python 3.10") from exc
    except ValueError as exc:
        raise ConfigurationError(f"config file {path} is not valid: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"config file {path} must hold an object")
    return parse_config(data)
