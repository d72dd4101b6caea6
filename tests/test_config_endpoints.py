"""Endpoint URLs of every service the project calls (rds-data, sts, sso, sso-oidc):
the AWS CLI's order of sources, ``services`` sections, FIPS and dual-stack defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

# the same poisoned process environment as test_config.py: no test reads the real ~/.aws
from test_config import _env, _poisoned_process_environment  # noqa: F401

from sigv4_dataapi._config import (
    config_key,
    configured_endpoint,
    default_endpoint_url,
    resolve_endpoint_setting,
    resolve_endpoint_url,
)
from sigv4_dataapi._errors import ConfigurationError


@pytest.mark.parametrize(
    "service,key",
    [
        ("rds-data", "rds_data"),
        ("RDS Data", "rds_data"),
        ("sso-oidc", "sso_oidc"),
        ("sts", "sts"),
    ],
)
def test_config_key(service: str, key: str) -> None:
    assert config_key(service) == key


SERVICES = (
    "[default]\nendpoint_url = http://profile-wide\nservices = local\n"
    "[services local]\nrds_data =\n  endpoint_url = http://from-services\n"
)


def test_endpoint_order(tmp_path: Path) -> None:
    env = _env(tmp_path, config=SERVICES)
    assert resolve_endpoint_url("rds-data", env=env) == "http://from-services"
    assert resolve_endpoint_url("sts", env=env) == "http://profile-wide"
    assert resolve_endpoint_url("sts", env={**env, "AWS_ENDPOINT_URL": "http://all"}) == (
        "http://all"
    )
    both = {**env, "AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_RDS_DATA": "http://rds"}
    setting = resolve_endpoint_setting("rds-data", env=both)
    assert (setting.value, setting.source) == ("http://rds", "env AWS_ENDPOINT_URL_RDS_DATA")
    assert resolve_endpoint_url("rds-data", "http://arg", env=both) == "http://arg"


ALL_SERVICES = (
    "[default]\nendpoint_url = http://profile-wide\nservices = corp\n"
    "[services corp]\n"
    "rds_data =\n  endpoint_url = http://svc-rds-data\n"
    "sts =\n  endpoint_url = http://svc-sts\n"
    "sso =\n  endpoint_url = http://svc-sso\n"
    "sso_oidc =\n  endpoint_url = http://svc-sso-oidc\n"
)


@pytest.mark.parametrize(
    "service,var",
    [("rds-data", "RDS_DATA"), ("sts", "STS"), ("sso", "SSO"), ("sso-oidc", "SSO_OIDC")],
)
def test_every_service_honours_every_endpoint_source_in_order(
    tmp_path: Path, service: str, var: str
) -> None:
    """For each endpoint the project calls, the AWS CLI's order, one layer at a time:
    AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the services section, endpoint_url."""
    key = var.lower()
    specific = {f"AWS_ENDPOINT_URL_{var}": f"http://env-{key}"}
    layers = [
        ({**specific, "AWS_ENDPOINT_URL": "http://env-all"}, ALL_SERVICES,
         f"http://env-{key}", f"env AWS_ENDPOINT_URL_{var}"),
        ({"AWS_ENDPOINT_URL": "http://env-all"}, ALL_SERVICES, "http://env-all",
         "env AWS_ENDPOINT_URL"),
        ({}, ALL_SERVICES, f"http://svc-{service}", "[services corp]"),
        ({}, "[default]\nendpoint_url = http://profile-wide\n", "http://profile-wide",
         "profile 'default'"),
        ({}, "", None, "unset"),
    ]  # fmt: skip
    for extra, config, url, source in layers:
        (tmp_path / ".aws").mkdir(exist_ok=True)
        (tmp_path / ".aws" / "config").write_text(config)
        setting = resolve_endpoint_setting(service, env={"HOME": str(tmp_path), **extra})
        assert setting.value == url, (extra, config)
        assert setting.source.startswith(source), setting.source
    other = "STS" if var != "STS" else "SSO"  # another service's variable is not ours
    env = {"HOME": str(tmp_path), f"AWS_ENDPOINT_URL_{other}": "http://not-mine"}
    assert resolve_endpoint_url(service, env=env) is None


def test_ignore_configured_endpoint_urls(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        config=SERVICES,
        AWS_ENDPOINT_URL="http://all",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true",
    )
    assert resolve_endpoint_url("rds-data", env=env) is None
    assert resolve_endpoint_url("rds-data", "http://arg", env=env) == "http://arg"


def test_services_naming_a_missing_section_is_an_error(tmp_path: Path) -> None:
    env = _env(tmp_path, config="[default]\nservices = nope\n")
    with pytest.raises(ConfigurationError, match=r"no \[services \.\.\.\] section"):
        resolve_endpoint_url("rds-data", env=env)


@pytest.mark.parametrize(
    "service,region,fips,dual,want",
    [
        ("rds-data", "eu-west-1", False, False, "https://rds-data.eu-west-1.amazonaws.com"),
        ("rds-data", "eu-west-1", True, False, "https://rds-data-fips.eu-west-1.amazonaws.com"),
        ("rds-data", "us-east-1", True, True, "https://rds-data-fips.us-east-1.api.aws"),
        ("sts", "cn-north-1", False, False, "https://sts.cn-north-1.amazonaws.com.cn"),
        ("sso", "eu-west-1", False, False, "https://portal.sso.eu-west-1.amazonaws.com"),
        ("sso-oidc", "eu-west-1", False, False, "https://oidc.eu-west-1.amazonaws.com"),
    ],
)
def test_default_endpoints(service: str, region: str, fips: bool, dual: bool, want: str) -> None:
    assert default_endpoint_url(service, region, fips=fips, dualstack=dual) == want


def test_resolve_endpoint_applies_fips_and_dualstack_settings(tmp_path: Path) -> None:
    env = _env(
        tmp_path, config="[default]\nuse_fips_endpoint = true\n", AWS_USE_DUALSTACK_ENDPOINT="true"
    )
    assert configured_endpoint("sts", region="us-west-2", env=env) == (
        "https://sts-fips.us-west-2.api.aws"
    )
