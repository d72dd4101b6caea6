"""``sigv4-dataapi whoami``: which provider supplied credentials, and where every
setting came from (like ``aws configure list``).  Secrets are masked: only the last
four characters of a key, a token or a secret are ever printed.

Settings are printed first, so a broken credential provider still leaves the user
with the rest of the picture (the chain's error then ends the output, exit 3).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from sigv4_dataapi._cli.main import Context, ExitStatus

if TYPE_CHECKING:
    from sigv4_dataapi._config import Profile, Setting

HELP = "show which credentials and settings would be used, and where each came from"
SETTINGS = (
    "ca_bundle",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "data_api_resource_arn",
    "data_api_secret_arn",
    "data_api_database",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="profile of the shared config files (else AWS_PROFILE)")
    parser.add_argument("--region", help="AWS region (else AWS_REGION, the profile's region)")
    parser.add_argument("--endpoint-url", metavar="URL", help="as the other commands take it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from sigv4_dataapi._config import load_profile
    from sigv4_dataapi._errors import CredentialsError

    profile = load_profile(args.profile, env=ctx.env)
    rows = settings_rows(args, ctx, profile)
    failure: CredentialsError | None = None
    try:
        rows.extend(credential_rows(args, ctx, profile))
    except CredentialsError as exc:  # show the settings, then let _cli report it
        failure = exc
    if args.json:
        body = {name: {"value": value, "source": source} for name, value, source in rows}
        print(json.dumps(body, indent=2), file=ctx.stdout)
    else:
        _print_table(ctx, rows)
    if failure is not None:
        raise failure
    return ExitStatus.OK


Row = tuple[str, "str | None", str]


def settings_rows(args: argparse.Namespace, ctx: Context, profile: Profile) -> list[Row]:
    from sigv4_dataapi._config import Setting, configured_endpoint, resolve_endpoint_setting
    from sigv4_dataapi._config import resolve_setting as setting

    shared = profile.shared
    rows: list[Row] = [("profile", profile.name, profile.name_source)]
    if shared is not None:
        rows.append(("config_file", str(shared.config_path), _exists(shared.config_path)))
        rows.append(
            ("credentials_file", str(shared.credentials_path), _exists(shared.credentials_path))
        )
    region = _region(args, ctx, profile)
    rows.append(_row("region", region))
    endpoint: Setting = resolve_endpoint_setting(
        "rds-data", args.endpoint_url, env=ctx.env, profile=profile
    )
    if endpoint.value is None and region.value is not None:
        url = configured_endpoint("rds-data", region=region.value, env=ctx.env, profile=profile)
        endpoint = Setting(url, f"default for {region.value}")
    rows.append(_row("endpoint_url", endpoint))
    rows.extend(_row(name, setting(name, env=ctx.env, profile=profile)) for name in SETTINGS)
    return rows


def _region(args: argparse.Namespace, ctx: Context, profile: Profile) -> Setting:
    """As the client finds it: argument, environment, profile, then the resource ARN."""
    from sigv4_dataapi._config import Setting, resolve_setting
    from sigv4_dataapi._transport.endpoint import region_from_arn

    region = resolve_setting("region", args.region, env=ctx.env, profile=profile)
    if region.value is not None:
        return region
    arn = resolve_setting("data_api_resource_arn", env=ctx.env, profile=profile)
    from_arn = region_from_arn(arn.value)
    return Setting(from_arn, f"data_api_resource_arn ({arn.source})") if from_arn else region


def credential_rows(args: argparse.Namespace, ctx: Context, profile: Profile) -> list[Row]:
    from sigv4_dataapi._credentials.providers import resolve_credentials
    from sigv4_dataapi._credentials.value import mask

    region = _region(args, ctx, profile).value
    source = resolve_credentials(profile=profile, env=ctx.env, region=region)
    creds = source.get()
    expiry = creds.expiration.isoformat() if creds.expiration else None
    return [
        ("credentials", source.provider, "provider chain"),
        ("access_key_id", mask(creds.access_key_id), source.provider),
        ("secret_access_key", mask(creds.secret_access_key), source.provider),
        (
            "session_token",
            mask(creds.session_token) if creds.session_token else None,
            source.provider,
        ),
        ("expiration", expiry, "refreshes before expiry" if expiry else "static"),
    ]


def _row(name: str, setting: Setting) -> Row:
    return (name, setting.value, setting.source)


def _exists(path: object) -> str:
    from pathlib import Path

    return "found" if Path(str(path)).is_file() else "not found"


def _print_table(ctx: Context, rows: list[Row]) -> None:
    width = max(len(name) for name, _, _ in rows)
    value_width = min(max(len(value or "") for _, value, _ in rows), 60)
    for name, value, source in rows:
        shown = value if value is not None else "<not set>"
        print(f"{name:<{width}}  {shown:<{value_width}}  {source}", file=ctx.stdout)
