"""The AWS flavour of INI, parsed from text (no file I/O here).

Follows the AWS SDKs and Tools Reference Guide ("file-format") rather than
botocore's ``RawConfigParser`` where the two differ: a ``#``/``;`` preceded by
whitespace starts an inline comment, and a duplicate key or section merges (last
value wins) instead of failing the whole file.  An indented ``key = value`` under a
key with an empty value is a sub-setting (the ``[services ...]`` sections use them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sigv4_dataapi._errors import ConfigurationError


@dataclass
class IniFile:
    """Sections by header, and sub-settings by header then parent key."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    subsections: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False)


def parse_ini(text: str, path: str = "<string>") -> IniFile:
    """Parse the AWS flavour of INI: sections, ``key = value``, indented sub-keys."""
    raw = IniFile()
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
        key, value = _property(stripped, path, number)
        if line[0].isspace() and parent_key is not None:
            raw.subsections.setdefault(section, {}).setdefault(parent_key, {})[key] = value
            continue
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
