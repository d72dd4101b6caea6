"""Settings, region and endpoints: argument, then environment, then the profile.

Each setting has its environment variables (first set wins) before the profile key
of the same name; endpoint URLs follow the AWS CLI's order for any service id
(``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the profile's ``services``
section, its ``endpoint_url``).  Every answer is a :class:`Setting` that says where
it came from.  Nothing here performs network I/O.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sigv4_dataapi._config.profiles import Profile, Setting, as_profile, is_true
from sigv4_dataapi._errors import ConfigurationError

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


def configured_region(
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
    from_services = _services_endpoint(prof, key)
    return from_services if from_services is not None else prof.setting("endpoint_url")


def _services_endpoint(profile: Profile, key: str) -> Setting | None:
    """``endpoint_url`` under ``key`` in the ``[services NAME]`` section the profile names.

    A profile naming a section that does not exist is a typo to report, not a reason
    to call the default endpoint instead.
    """
    services = profile.get("services")
    if services is None:
        return None
    sections = profile.shared.services if profile.shared is not None else {}
    if services not in sections:
        raise ConfigurationError(
            f"profile {profile.name!r} names services {services!r}, "
            "but there is no [services ...] section by that name"
        )
    value = sections[services].get(key, {}).get("endpoint_url")
    if not value:
        return None
    where = profile.shared.config_path if profile.shared is not None else "config"
    return Setting(value, f"[services {services}] in {where}")


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


def configured_endpoint(
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
