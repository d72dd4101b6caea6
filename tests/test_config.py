"""Shared config/credentials files, profile selection, settings and endpoint resolution."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigv4_dataapi._config import (
    configured_region,
    expand_path,
    load_profile,
    load_shared_config,
    parse_ini,
    resolve_setting,
    select_profile_name,
)
from sigv4_dataapi._errors import ConfigurationError


@pytest.fixture(autouse=True)
def _poisoned_process_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No test may read the developer's ~/.aws or AWS_* variables: the real ones are
    replaced by a HOME whose files fail to parse and an AWS_PROFILE defined nowhere."""
    home = tmp_path_factory.mktemp("poisoned-home")
    (home / ".aws").mkdir()
    for name in ("config", "credentials"):
        (home / ".aws" / name).write_text("outside any section: reading this file fails\n")
    for name in list(os.environ):
        if name.startswith(("AWS_", "DATA_API_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("AWS_PROFILE", "poisoned-real-environment")
    yield


def _env(tmp_path: Path, config: str = "", credentials: str = "", **extra: str) -> dict[str, str]:
    aws = tmp_path / ".aws"
    aws.mkdir(exist_ok=True)
    (aws / "config").write_text(config)
    (aws / "credentials").write_text(credentials)
    return {"HOME": str(tmp_path), **extra}


# -- parsing ----------------------------------------------------------------------


def test_parse_sections_keys_comments_and_subsections() -> None:
    raw = parse_ini(
        "# top comment\n; another\n[profile dev]\nRegion = eu-west-1 # inline\n"
        "url = http://x/#fragment\nservices = local\n"
        "[services local]\nrds_data =\n  endpoint_url = http://localhost:4566\n"
        "  other = 1\nsts =\n endpoint_url = http://sts.local\n"
    )
    assert raw.sections["profile dev"] == {
        "region": "eu-west-1",
        "url": "http://x/#fragment",
        "services": "local",
    }
    assert raw.subsections["services local"] == {
        "rds_data": {"endpoint_url": "http://localhost:4566", "other": "1"},
        "sts": {"endpoint_url": "http://sts.local"},
    }


def test_colon_delimiter_is_accepted() -> None:
    assert parse_ini("[default]\nregion: eu-west-1\n").sections == {
        "default": {"region": "eu-west-1"}
    }


def test_duplicates_merge_and_last_value_wins() -> None:
    raw = parse_ini("[default]\na = 1\nb = 2\n[default]\na = 3\n")
    assert raw.sections["default"] == {"a": "3", "b": "2"}


@pytest.mark.parametrize(
    "text,where",
    [
        ("a = 1\n", "cfg:1"),
        ("[default\n", "cfg:1"),
        ("[default]\njust words\n", "cfg:2"),
        ("[default]\n = value\n", "cfg:2"),
    ],
)
def test_parse_errors_name_file_and_line(text: str, where: str) -> None:
    with pytest.raises(ConfigurationError, match=where):
        parse_ini(text, "cfg")


def test_config_file_sections(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        config=(
            "[default]\nregion = a\n[profile default]\nregion = b\n[plain]\nregion = c\n"
            "[profile bad name!]\nregion = d\n[sso-session s]\nsso_region = e\n"
            "[services x]\nsts =\n  endpoint_url = http://s\n"
        ),
    )
    shared = load_shared_config(env)
    assert shared.config_profiles == {"default": {"region": "b"}}  # [profile default] wins
    assert shared.sso_sessions == {"s": {"sso_region": "e"}}
    assert shared.services == {"x": {"sts": {"endpoint_url": "http://s"}}}


def test_missing_files_are_empty(tmp_path: Path) -> None:
    profile = load_profile(env={"HOME": str(tmp_path / "nowhere")})
    assert profile.name == "default" and not profile.exists and profile.get("region") is None


def test_unreadable_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_shared_config({"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "dir")})


def test_expand_path_uses_the_injected_environment(tmp_path: Path) -> None:
    env = {"HOME": "/home/x", "WHERE": "y"}
    assert expand_path("~/.aws/$WHERE/${WHERE}z", env) == Path("/home/x/.aws/y/yz")
    assert expand_path("$UNSET/a", env) == Path("$UNSET/a")


# -- profiles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "explicit,env,want",
    [
        ("arg", {"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "d"}, ("arg", "argument")),
        (None, {"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "d"}, ("p", "env AWS_PROFILE")),
        (None, {"AWS_DEFAULT_PROFILE": "d"}, ("d", "env AWS_DEFAULT_PROFILE")),
        (None, {"AWS_PROFILE": ""}, ("default", "default")),
    ],
)
def test_profile_selection(
    explicit: str | None, env: dict[str, str], want: tuple[str, str]
) -> None:
    chosen = select_profile_name(explicit, env)
    assert (chosen.value, chosen.source) == want


def test_credentials_file_overlays_config_key_by_key(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        config="[profile dev]\nregion = eu-west-1\noutput = json\n",
        credentials="[dev]\nregion = us-east-2\n[profile dev]\nregion = ignored\n",
    )
    profile = load_profile("dev", env=env)
    assert profile.values == {"region": "us-east-2", "output": "json"}
    assert profile.origins["region"].endswith("credentials")
    assert profile.setting("output").source.endswith("config")
    assert profile.exists and profile.explicit


# -- settings and region ------------------------------------------------------------


def test_region_order(tmp_path: Path) -> None:
    env = _env(tmp_path, config="[default]\nregion = from-profile\n")
    assert configured_region(env=env) == "from-profile"
    assert configured_region(env={**env, "AWS_DEFAULT_REGION": "d"}) == "d"
    assert configured_region(env={**env, "AWS_DEFAULT_REGION": "d", "AWS_REGION": "r"}) == "r"
    assert configured_region("arg", env={**env, "AWS_REGION": "r"}) == "arg"
    assert configured_region(env={"HOME": str(tmp_path / "none")}) is None


def test_setting_sources_for_whoami(tmp_path: Path) -> None:
    env = _env(tmp_path, config="[profile dev]\ndata_api_database = app\nca_bundle = /ca.pem\n")
    assert resolve_setting("data_api_database", env=env, profile="dev").source == (
        f"profile 'dev' in {tmp_path}/.aws/config"
    )
    bundle = resolve_setting("ca_bundle", env={**env, "AWS_CA_BUNDLE": "/env.pem"}, profile="dev")
    assert (bundle.value, bundle.source) == ("/env.pem", "env AWS_CA_BUNDLE")
    unset = resolve_setting("data_api_secret_arn", env=env, profile="dev")
    assert (unset.value, unset.source, unset.is_set) == (None, "unset", False)


def test_reprs_never_show_file_values(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        config="[default]\naws_secret_access_key = CONFIGSECRET\n",
        credentials="[default]\naws_secret_access_key = FILESECRET\n",
    )
    profile = load_profile(env=env)
    raw = parse_ini("[a]\nk = RAWSECRET\n")
    text = f"{profile!r} {profile.shared!r} {raw!r}"
    assert "default" in text
    assert "SECRET" not in text


def _config_names_used_in(path: Path) -> set[str]:
    """Names taken from ``sigv4_dataapi._config`` by ``from ... import`` or ``_config.X``."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "sigv4_dataapi._config":
            names.update(alias.name for alias in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "_config"
        ):
            names.add(node.attr)
    return names


def test_config_still_exports_every_name_the_tree_uses() -> None:
    """``_config`` is a facade over ``_ini``/``_profiles``/``_settings``: modules that
    others own import from it, so nothing they use may go missing in a split."""
    import sigv4_dataapi._config as config

    root = Path(__file__).resolve().parent.parent
    files = [*(root / "sigv4_dataapi").rglob("*.py"), *(root / "tests").rglob("*.py")]
    used = set().union(*(_config_names_used_in(path) for path in files))
    assert {"configured_region", "resolve_endpoint_url", "load_profile"} <= used
    assert sorted(used - set(config.__all__)) == []
    assert all(hasattr(config, name) for name in config.__all__)
