"""Where a Data API call goes and as whom: region, endpoint URL, TLS trust, credentials.

Built on ``_config`` (the shared files and environment, E's module); this module
adds what is specific to the client: the region read from the resource ARN,
FIPS/dual-stack on request, and a TLS context that is cheap to create.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Union
from urllib.parse import urlsplit

from sigv4_dataapi._errors import ConfigurationError

SERVICE = "rds-data"  # signing name and endpoint prefix (rds-data-api.md §1)

if TYPE_CHECKING:
    from sigv4_dataapi._config import Profile

    # A profile name (resolved when needed) or the profile already loaded once.
    ProfileRef = str | Profile | None

# What ``verify=`` accepts: on/off, a CA bundle file or directory, or a ready context.
Verify = Union[bool, str, "os.PathLike[str]", ssl.SSLContext]


class Endpoint(NamedTuple):
    """A resolved destination: the base URL (no trailing slash) and the signing region.

    A NamedTuple, not a frozen dataclass: as immutable, and ~10x cheaper to define
    at import (a cold start pays for every dataclass).
    """

    url: str
    region: str

    @property
    def host(self) -> str:
        """The Host header value: ``host[:port]`` as the signer canonicalises it."""
        return urlsplit(self.url).netloc


def region_from_arn(arn: str | None) -> str | None:
    """``arn:aws:rds:us-east-1:123456789012:cluster:x`` -> ``us-east-1``."""
    if not arn:
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[3]:
        return None
    return parts[3]


def resolve_region(
    explicit: str | None = None,
    *,
    resource_arn: str | None = None,
    env: Mapping[str, str] | None = None,
    profile: ProfileRef = None,
) -> str:
    """Argument, ``AWS_REGION``/``AWS_DEFAULT_REGION``, the profile, then the resource ARN."""
    if explicit:
        return explicit
    from sigv4_dataapi import _config  # the shared files only when something may come from them

    env = os.environ if env is None else env
    region = _config.configured_region(explicit, env=env, profile=profile)
    region = region or region_from_arn(resource_arn)
    if not region:
        raise ConfigurationError(
            "no region: pass region=, set AWS_REGION, or use a resource ARN that names one"
        )
    return region


def resolve_endpoint(
    explicit: str | None = None,
    *,
    region: str,
    env: Mapping[str, str] | None = None,
    profile: ProfileRef = None,
    fips: bool = False,
    dualstack: bool = False,
) -> Endpoint:
    """Argument, ``AWS_ENDPOINT_URL_RDS_DATA``/``AWS_ENDPOINT_URL``, else the default host.

    FIPS and dual-stack (arguments, or ``AWS_USE_FIPS_ENDPOINT`` and
    ``AWS_USE_DUALSTACK_ENDPOINT``) apply to the default host only: passing
    them with a custom endpoint is an error, as in the service's rule set.
    """
    if explicit and (fips or dualstack):
        raise ConfigurationError("fips/dualstack cannot be combined with a custom endpoint_url")
    if explicit:
        return Endpoint(url=_check_url(explicit), region=region)
    from sigv4_dataapi import _config

    env = os.environ if env is None else env
    configured = _config.resolve_endpoint_url(SERVICE, explicit, env=env, profile=profile)
    if configured is None:
        fips = fips or _configured("use_fips_endpoint", env, profile)
        dualstack = dualstack or _configured("use_dualstack_endpoint", env, profile)
        configured = _config.default_endpoint_url(SERVICE, region, fips=fips, dualstack=dualstack)
    return Endpoint(url=_check_url(configured), region=region)


def _configured(setting: str, env: Mapping[str, str], profile: ProfileRef) -> bool:
    """``AWS_USE_FIPS_ENDPOINT``/``AWS_USE_DUALSTACK_ENDPOINT`` or the profile's key."""
    from sigv4_dataapi import _config

    return _config.is_true(_config.resolve_setting(setting, env=env, profile=profile).value)


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"endpoint URL must be http(s)://host[:port], got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"endpoint URL must not have a query or fragment: {url!r}")
    return url.rstrip("/")


def proxy_for(url: str, env: Mapping[str, str]) -> str | None:
    """The proxy for ``url`` from ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``, minus ``NO_PROXY``.

    What the AWS SDKs and httpx honour; read here because the client calls an
    httpx transport directly, below ``httpx.Client``'s ``trust_env``. A value
    without a scheme (``proxy.corp:3128``, a common form) is an HTTP proxy, as
    for curl; one that is not a URL at all is a ``ConfigurationError``.
    """
    parts = urlsplit(url)
    no_proxy = env.get("NO_PROXY") or env.get("no_proxy") or ""
    if no_proxy and _bypassed(parts.hostname or "", parts.port, no_proxy):
        return None
    for name in (f"{parts.scheme}_proxy", f"{parts.scheme.upper()}_PROXY", "all_proxy",
                 "ALL_PROXY"):  # fmt: skip
        if env.get(name):
            return _proxy_url(name, env[name].strip())
    return None


def _proxy_url(name: str, value: str) -> str:
    if "://" not in value:
        value = "http://" + value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ConfigurationError(f"{name}={value!r} is not a proxy URL: {exc}") from None
    if not parts.hostname:
        raise ConfigurationError(f"{name}={value!r} is not a proxy URL: no host")
    return value


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """curl's ``NO_PROXY``: ``*``, domain suffixes, IP addresses and CIDR ranges, any case.

    An entry may carry a port (``host:8443``, ``[::1]:8443``); a bare IPv6
    address (``::1``) is an address, not a host and a port.
    """
    host = host.lower().strip("[]")
    for raw in no_proxy.split(","):
        entry, entry_port = _no_proxy_entry(raw.strip().lower())
        if entry == "*":
            return True
        if not entry or (entry_port is not None and entry_port != port):
            continue
        if host == entry or host.endswith("." + entry) or _in_network(host, entry):
            return True
    return False


def _no_proxy_entry(entry: str) -> tuple[str, int | None]:
    """``(host, port)`` of one ``NO_PROXY`` entry, leading dots dropped."""
    if entry.startswith("["):  # [v6]:port
        address, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return address, int(port) if port.isdigit() else None
    if entry.count(":") == 1:  # host:port (two or more colons: a bare IPv6 address)
        name, _, port = entry.partition(":")
        return name.lstrip("."), int(port) if port.isdigit() else None
    return entry.lstrip("."), None


def _in_network(host: str, entry: str) -> bool:
    """``10.1.2.3`` in ``10.0.0.0/8``, and IP literals compared as addresses (``::0:1``)."""
    if not (host[:1].isdigit() or ":" in host):
        return False
    import ipaddress  # only for IP hosts

    try:
        address = ipaddress.ip_address(host)
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def ca_bundle(env: Mapping[str, str] | None = None, profile: ProfileRef = None) -> str | None:
    """``AWS_CA_BUNDLE`` (or the profile's ``ca_bundle``), honoured when ``verify=True``."""
    from sigv4_dataapi import _config

    env = os.environ if env is None else env
    return _config.resolve_setting("ca_bundle", env=env, profile=profile).value


def ssl_context(verify: Verify, *, bundle: str | None = None) -> ssl.SSLContext | bool:
    """The ``verify`` value for httpx, built here so that creating it stays cheap.

    httpx's own default loads certifi's whole bundle (~45 ms); OpenSSL's hashed
    certificate directory is looked up lazily instead (~0.2 ms), and we use it
    when the system has one. ``False`` turns verification off.
    """
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    if verify is True:
        return _file_context(bundle) if bundle else _system_context()
    return _file_context(os.fspath(verify))


def check_verify(verify: Verify, bundle: str | None) -> None:
    """Fail at construction, not at the first call, when a CA bundle path does not exist."""
    path = bundle if verify is True else verify
    if isinstance(path, (str, os.PathLike)) and not os.path.exists(path):
        where = "AWS_CA_BUNDLE/ca_bundle" if verify is True else "verify"
        raise ConfigurationError(f"{where}: CA bundle {os.fspath(path)!r} does not exist")


def _file_context(path: str) -> ssl.SSLContext:
    try:
        if Path(path).is_dir():
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"cannot load CA bundle {path!r}: {exc}") from exc


def _system_context() -> ssl.SSLContext:
    paths = ssl.get_default_verify_paths()
    if _has_hashed_certs(paths.capath) and not (
        os.environ.get(paths.openssl_cafile_env) or os.environ.get(paths.openssl_capath_env)
    ):
        context = ssl.create_default_context(capath=paths.capath)
        return context
    if paths.cafile or paths.capath:
        return ssl.create_default_context()
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _has_hashed_certs(capath: str | None) -> bool:
    """True when ``capath`` holds OpenSSL's ``<hash>.0`` links (what lazy lookup needs)."""
    if not capath:
        return False
    try:
        with os.scandir(capath) as entries:
            return any(entry.name.endswith(".0") for entry in entries)
    except OSError:
        return False
