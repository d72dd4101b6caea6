"""The shared AWS ``config`` and ``credentials`` files, and the settings read from them.

Parsing follows the AWS SDKs and Tools Reference Guide ("file-format") rather than
botocore's ``RawConfigParser`` where the two differ (docs/credentials.md lists each
choice): a ``#``/``;`` preceded by whitespace starts an inline comment, ``[profile
default]`` beats ``[default]``, a duplicate key or section merges (last value wins)
instead of failing the whole file, ``[DEFAULT]`` is not inherited, and
``AWS_PROFILE`` beats ``AWS_DEFAULT_PROFILE``.

Every resolved value is a :class:`Setting` that remembers where it came from, so that
``sigv4-dataapi whoami`` can say so.  Nothing here performs network I/O.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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


# -- parsing --------------------------------------------------------------------


@dataclass
class _Raw:
    sections: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    subsections: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False)


def parse_ini(text: str, path: str = "<string>") -> _Raw:
    """Parse the AWS flavour of INI: sections, ``key = value``, indented sub-keys."""
    raw = _Raw()
    section: str | None = None
    parent_key: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("["):
            section = _section_name(stripped, path, number)
            raw.sections.setdefault(section, {})
            parent_key = None
            continue
        if section is None:
            raise ConfigurationError(f"{path}:{number}: a setting outside any [section]")
        if line[0].isspace() and parent_key is not None:
            key, value = _property(stripped, path, number)
            raw.subsections.setdefault(section, {}).setdefault(parent_key, {})[key] = value
            continue
        key, value = _property(stripped, path, number)
        raw.sections[section][key] = value
        parent_key = key if not value else None
    return raw


def _section_name(line: str, path: str, number: int) -> str:
    body = _strip_comment(line)
    if not body.endswith("]"):
        raise ConfigurationError(f"{path}:{number}: a section header needs a closing ']'")
    return " ".join(body[1:-1].split())


def _property(line: str, path: str, number: int) -> tuple[str, str]:
    delimiter = "=" if "=" in line else ":"  # botocore also takes "name: value"
    if delimiter not in line:
        raise ConfigurationError(f"{path}:{number}: expected 'name = value'")
    key, _, value = line.partition(delimiter)
    key = key.strip().lower()
    if not key:
        raise ConfigurationError(f"{path}:{number}: a setting needs a name before '='")
    return key, _strip_comment(value).strip()


def _strip_comment(value: str) -> str:
    """Cut an inline comment: ``#`` or ``;`` preceded by whitespace (SDK reference)."""
    match = re.search(r"\s[#;]", value)
    return value[: match.start()].rstrip() if match else value.strip()


_cache: dict[Path, tuple[tuple[int, int], _Raw]] = {}


def _is_identifier(name: str) -> bool:
    return bool(name) and _ID_CHARS.issuperset(name)


def _read(path: Path) -> _Raw:
    """Parse a file once per (mtime, size): the client resolves several settings."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _Raw()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    raw = parse_ini(text, str(path))
    _cache[path] = (stamp, raw)
    return raw


def _config_sections(
    raw: _Raw,
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


# -- settings -------------------------------------------------------------------

# setting -> environment variables (first set wins), before the profile key of the same name
SETTINGS: Mapping[str, tuple[str, ...]] = {
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "ca_bundle": ("AWS_CA_BUNDLE",),
    "use_fips_endpoint": ("AWS_USE_FIPS_ENDPOINT",),
    "use_dualstack_endpoint": ("AWS_USE_DUALSTACK_ENDPOINT",),
    "ignore_configured_endpoint_urls": ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",),
    "sts_regional_endpoints": ("AWS_STS_REGIONAL_ENDPOINTS",),
    "max_attempts": ("AWS_MAX_ATTEMPTS",),
    "retry_mode": ("AWS_RETRY_MODE",),
    "metadata_service_timeout": ("AWS_METADATA_SERVICE_TIMEOUT",),
    "metadata_service_num_attempts": ("AWS_METADATA_SERVICE_NUM_ATTEMPTS",),
    "ec2_metadata_service_endpoint": ("AWS_EC2_METADATA_SERVICE_ENDPOINT",),
    "ec2_metadata_service_endpoint_mode": ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",),
    "ec2_metadata_v1_disabled": ("AWS_EC2_METADATA_V1_DISABLED",),
    # our own keys: Data API defaults, so that `sigv4-dataapi sql` needs no flags
    "data_api_resource_arn": ("DATA_API_RESOURCE_ARN",),
    "data_api_secret_arn": ("DATA_API_SECRET_ARN",),
    "data_api_database": ("DATA_API_DATABASE",),
}

# service id -> host prefix of its default endpoint
SERVICE_HOSTS: Mapping[str, str] = {
    "rds-data": "rds-data",
    "sts": "sts",
    "sso": "portal.sso",
    "sso-oidc": "oidc",
}


def resolve_setting(
    name: str,
    explicit: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    profile: str | Profile | None = None,
) -> Setting:
    """Argument, then the setting's environment variables, then the profile key."""
    if explicit is not None and explicit != "":
        return Setting(explicit, "argument")
    env = os.environ if env is None else env
    for var in SETTINGS.get(name, ()):
        if env.get(var):
            return Setting(env[var], f"env {var}")
    return as_profile(profile, env).setting(name)


def resolve_region(
    explicit: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    profile: str | Profile | None = None,
) -> str | None:
    """``AWS_REGION`` before ``AWS_DEFAULT_REGION`` (the SDK standard, not boto3's)."""
    return resolve_setting("region", explicit, env=env, profile=profile).value


def config_key(service_id: str) -> str:
    """``rds-data``/``RDS Data`` -> ``rds_data``: the services-section key."""
    return "_".join(service_id.lower().replace("-", " ").split())


def resolve_endpoint_setting(
    service_id: str,
    explicit: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    profile: str | Profile | None = None,
) -> Setting:
    """The configured endpoint URL of a service, the AWS CLI's way, with its source.

    Argument, ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the profile's
    ``services`` section, the profile's ``endpoint_url``; steps 2-5 are off when
    ``ignore_configured_endpoint_urls`` is true.  Unset means "use the default".
    """
    if explicit:
        return Setting(explicit, "argument")
    env = os.environ if env is None else env
    prof = as_profile(profile, env)
    if is_true(resolve_setting("ignore_configured_endpoint_urls", env=env, profile=prof).value):
        return Setting(None, "ignore_configured_endpoint_urls")
    key = config_key(service_id)
    for var in (f"AWS_ENDPOINT_URL_{key.upper()}", "AWS_ENDPOINT_URL"):
        if env.get(var):
            return Setting(env[var], f"env {var}")
    services = prof.get("services")
    if services is not None:
        sections = prof.shared.services if prof.shared is not None else {}
        if services not in sections:
            raise ConfigurationError(
                f"profile {prof.name!r} names services {services!r}, "
                "but there is no [services ...] section by that name"
            )
        value = sections[services].get(key, {}).get("endpoint_url")
        if value:
            where = prof.shared.config_path if prof.shared is not None else "config"
            return Setting(value, f"[services {services}] in {where}")
    return prof.setting("endpoint_url")


def resolve_endpoint_url(
    service_id: str,
    explicit: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    profile: str | Profile | None = None,
) -> str | None:
    """The configured endpoint URL, or None when the default endpoint applies."""
    return resolve_endpoint_setting(service_id, explicit, env=env, profile=profile).value


def default_endpoint_url(
    service_id: str, region: str, *, fips: bool = False, dualstack: bool = False
) -> str:
    """``https://{service}[-fips].{region}.amazonaws.com`` (``api.aws`` when dual-stack)."""
    prefix = SERVICE_HOSTS.get(service_id, service_id)
    if fips:
        head, _, tail = prefix.rpartition(".")
        prefix = f"{head}.{tail}-fips" if head else f"{tail}-fips"
    china = region.startswith("cn-")
    suffix = "api.amazonwebservices.com.cn" if china else "api.aws"
    if not dualstack:
        suffix = "amazonaws.com.cn" if china else "amazonaws.com"
    return f"https://{prefix}.{region}.{suffix}"


def resolve_endpoint(
    service_id: str,
    explicit: str | None = None,
    *,
    region: str,
    env: Mapping[str, str] | None = None,
    profile: str | Profile | None = None,
) -> str:
    """The endpoint to call: the configured one, else the default for ``region``."""
    env = os.environ if env is None else env
    prof = as_profile(profile, env)
    configured = resolve_endpoint_url(service_id, explicit, env=env, profile=prof)
    if configured is not None:
        return configured
    fips = is_true(resolve_setting("use_fips_endpoint", env=env, profile=prof).value)
    dual = is_true(resolve_setting("use_dualstack_endpoint", env=env, profile=prof).value)
    return default_endpoint_url(service_id, region, fips=fips, dualstack=dual)
