"""``\\x \\timing \\pset \\set \\echo \\conninfo``: settings, as psql words them."""

from __future__ import annotations

from sigv4_dataapi.shell.answer import Answer, status_only
from sigv4_dataapi.shell.session import Session
from sigv4_dataapi.shell.settings import EXPANDED, FORMATS, PAGER_MODES
from sigv4_dataapi.shell.special_base import MetaError, words

_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


def _switch(arg: str, current: bool, name: str) -> bool:
    """psql's boolean argument: none toggles."""
    value = arg.strip().lower()
    if not value:
        return not current
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise MetaError(f'\\{name}: unrecognized value "{arg.strip()}": Boolean expected')


def expanded(session: Session, arg: str) -> Answer:
    value = arg.strip().lower()
    if value == "auto":
        session.settings.expanded = "auto"
        return status_only("Expanded display is used automatically.")
    on = _switch(arg, session.settings.expanded == "on", "x")
    session.settings.expanded = "on" if on else "off"
    return status_only(f"Expanded display is {session.settings.expanded}.")


def timing(session: Session, arg: str) -> Answer:
    session.settings.timing = _switch(arg, session.settings.timing, "timing")
    return status_only(f"Timing is {'on' if session.settings.timing else 'off'}.")


def pset(session: Session, arg: str) -> Answer:
    """``\\pset null STR``, ``\\pset format F``, ``\\pset pager on|off|always``; alone: all."""
    parts = words(arg)
    settings = session.settings
    if not parts:
        rows = [
            ("format", settings.format),
            ("expanded", settings.expanded),
            ("null", settings.null),
            ("pager", settings.pager),
        ]
        return Answer(None, rows, ("Option", "Value"), None)
    option, value = parts[0], (parts[1] if len(parts) > 1 else None)
    if option == "null":
        if value is None:
            return status_only(f'Null display is "{settings.null}".')
        settings.null = value
        return status_only(f'Null display is "{value}".')
    if option == "format":
        return _set_format(session, value)
    if option == "pager":
        if value not in PAGER_MODES:
            raise MetaError(f"\\pset: pager is one of {', '.join(PAGER_MODES)}")
        settings.pager = value
        return status_only(f"Pager usage is {value}.")
    raise MetaError(f"\\pset: unknown option: {option} (null, format, pager)")


def _set_format(session: Session, value: str | None) -> Answer:
    aliases = {"aligned": "table", "vertical": "table", "expanded": "table"}
    if value is None:
        return status_only(f"Output format is {session.settings.format}.")
    chosen = aliases.get(value, value)
    if chosen not in FORMATS:
        raise MetaError(f"\\pset: allowed formats are {', '.join(FORMATS)}")
    session.settings.format = chosen
    if value in ("vertical", "expanded"):
        session.settings.expanded = "on"
    return status_only(f"Output format is {chosen}.")


def set_variable(session: Session, arg: str) -> Answer:
    """``\\set FETCH_COUNT n``: rows per page of a streamed result (and column sizing)."""
    parts = words(arg)
    if not parts:
        return Answer(
            None, [("FETCH_COUNT", str(session.settings.fetch_count))], ("Name", "Value"), None
        )
    if parts[0].upper() != "FETCH_COUNT":
        raise MetaError(f"\\set: unknown variable {parts[0]} (FETCH_COUNT)")
    if len(parts) != 2 or not parts[1].isdigit() or int(parts[1]) < 1:
        raise MetaError("\\set: FETCH_COUNT needs a positive whole number")
    session.settings.fetch_count = int(parts[1])
    return status_only(f"FETCH_COUNT is {session.settings.fetch_count}.")


def echo(session: Session, arg: str) -> Answer:
    return status_only(" ".join(words(arg)))


def conninfo(session: Session, arg: str) -> Answer:
    info = session.info
    where = f" through {info.endpoint_url}" if info.endpoint_url else ""
    region = f" in {info.region}" if info.region else ""
    return status_only(
        f'You are connected to database "{session.database}" ({session.dialect}) '
        f"on {info.resource_arn}{region}{where}, with the secret {info.secret_arn}."
    )


__all__ = ["EXPANDED", "conninfo", "echo", "expanded", "pset", "set_variable", "timing"]
