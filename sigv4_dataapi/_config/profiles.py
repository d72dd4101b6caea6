"""The shared AWS ``config`` and ``credentials`` files, and the profile they select.

Reading follows the AWS SDKs and Tools Reference Guide rather than botocore where the
two differ (docs/credentials.md lists each choice): ``[profile default]`` beats
``[default]``, ``[DEFAULT]`` is not inherited, and ``AWS_PROFILE`` beats
``AWS_DEFAULT_PROFILE``.  The INI dialect itself is :mod:`sigv4_dataapi._config.ini`.

Every resolved value is a :class:`Setting` that remembers where it came from, so that
``sigv4-dataapi whoami`` can say so.  Nothing here performs network I/O.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sigv4_dataapi._config.ini import IniFile, parse_ini
from sigv4_dataapi._errors import ConfigurationError

DEFAULT_PROFILE = "default"
# profile-name characters of the SDK standard; a set, not a regex: import stays cheap
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-/.%@:+")
_TRUE = frozenset({"true", "1", "yes", "on"})

Section = Mapping[str, str]


@dataclass(frozen=True)
class Setting:
    """A resolved value and where it came from (``source`` is for humans)."""

    value: str | None
    source: str

    @property
    def is_set(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Profile:
    """One profile, the config file's keys overlaid by the credentials file's.

    ``origins`` maps each key to the file it came from; ``exists`` is False for a
    profile named nowhere (an empty default profile is normal, a typo is not).
    """

    name: str
    # repr=False: the values hold secret keys, and a repr must never show them
    values: Mapping[str, str] = field(default_factory=dict, repr=False)
    origins: Mapping[str, str] = field(default_factory=dict, repr=False)
    config_values: Mapping[str, str] = field(default_factory=dict, repr=False)
    credentials_values: Mapping[str, str] = field(default_factory=dict, repr=False)
    exists: bool = False
    explicit: bool = False  # chosen by argument or AWS_PROFILE, not the literal default
    name_source: str = "default"
    shared: SharedConfig | None = field(default=None, repr=False)

    def get(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if value else None

    def setting(self, key: str) -> Setting:
        value = self.get(key)
        if value is None:
            return Setting(None, "unset")
        return Setting(value, f"profile {self.name!r} in {self.origins[key]}")


@dataclass(frozen=True)
class SharedConfig:
    """Both files parsed: profiles plus the config file's special sections."""

    config_path: Path
    credentials_path: Path
    config_profiles: Mapping[str, Section] = field(repr=False)
    credentials_profiles: Mapping[str, Section] = field(repr=False)
    sso_sessions: Mapping[str, Section] = field(repr=False)
    services: Mapping[str, Mapping[str, Section]] = field(repr=False)

    def profile(self, name: str, *, explicit: bool = False, source: str = "default") -> Profile:
        config = dict(self.config_profiles.get(name, {}))
        creds = dict(self.credentials_profiles.get(name, {}))
        origins = {key: str(self.config_path) for key in config}
        origins.update({key: str(self.credentials_path) for key in creds})
        return Profile(
            name=name,
            values={**config, **creds},  # the credentials file wins, key by key
            origins=origins,
            config_values=config,
            credentials_values=creds,
            exists=name in self.config_profiles or name in self.credentials_profiles,
            explicit=explicit,
            name_source=source,
            shared=self,
        )


# -- the files ------------------------------------------------------------------

_cache: dict[Path, tuple[tuple[int, int], IniFile]] = {}


def _is_identifier(name: str) -> bool:
    return bool(name) and _ID_CHARS.issuperset(name)


def _read(path: Path) -> IniFile:
    """Parse a file once per (mtime, size): the client resolves several settings."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return IniFile()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    raw = parse_ini(text, str(path))
    _cache[path] = (stamp, raw)
    return raw


def _config_sections(
    raw: IniFile,
) -> tuple[
    dict[str, dict[str, str]], dict[str, dict[str, str]], dict[str, dict[str, dict[str, str]]]
]:
    profiles: dict[str, dict[str, str]] = {}
    sessions: dict[str, dict[str, str]] = {}
    services: dict[str, dict[str, dict[str, str]]] = {}
    if "default" in raw.sections:
        profiles["default"] = dict(raw.sections["default"])
    for header, values in raw.sections.items():
        kind, _, name = header.partition(" ")
        if not _is_identifier(name):
            continue
        if kind == "profile":  # [profile default] overlays (and so beats) [default]
            profiles[name] = {**profiles.get(name, {}), **values}
        elif kind == "sso-session":
            sessions[name] = dict(values)
        elif kind == "services":
            services[name] = raw.subsections.get(header, {})
    return profiles, sessions, services


def load_shared_config(env: Mapping[str, str] | None = None) -> SharedConfig:
    """Read both files named by ``AWS_CONFIG_FILE``/``AWS_SHARED_CREDENTIALS_FILE``."""
    env = os.environ if env is None else env
    config_path = expand_path(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)
    creds_path = expand_path(env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env)
    profiles, sessions, services = _config_sections(_read(config_path))
    creds_raw = _read(creds_path)
    creds = {name: dict(v) for name, v in creds_raw.sections.items() if _is_identifier(name)}
    return SharedConfig(config_path, creds_path, profiles, creds, sessions, services)


def expand_path(value: str, env: Mapping[str, str]) -> Path:
    """Expand ``~`` and ``$VAR`` against the injected environment, not ``os.environ``."""

    def var(match: re.Match[str]) -> str:
        name = match.group(1).strip("{}")
        return env.get(name, match.group(0))

    if "$" in value:
        value = re.sub(r"\$(\w+|\{[^}]*\})", var, value)
    if value == "~" or value.startswith("~/"):
        value = str(home_dir(env)) + value[1:]
    return Path(value)


def home_dir(env: Mapping[str, str]) -> Path:
    home = env.get("HOME") or env.get("USERPROFILE")
    return Path(home) if home else Path.home()


# -- profile selection ----------------------------------------------------------


def select_profile_name(explicit: str | None, env: Mapping[str, str]) -> Setting:
    """Argument, then ``AWS_PROFILE``, then ``AWS_DEFAULT_PROFILE``, then ``default``."""
    if explicit:
        return Setting(explicit, "argument")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if env.get(name):
            return Setting(env[name], f"env {name}")
    return Setting(DEFAULT_PROFILE, "default")


def load_profile(name: str | None = None, *, env: Mapping[str, str] | None = None) -> Profile:
    """The selected profile of the shared files (empty if it is defined nowhere)."""
    env = os.environ if env is None else env
    chosen = select_profile_name(name, env)
    assert chosen.value is not None
    return load_shared_config(env).profile(
        chosen.value, explicit=chosen.source != "default", source=chosen.source
    )


def as_profile(profile: str | Profile | None, env: Mapping[str, str]) -> Profile:
    return profile if isinstance(profile, Profile) else load_profile(profile, env=env)


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE
