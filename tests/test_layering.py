"""Keep the arrows of the data flow pointing one way.

errors, config and credentials at the bottom; signer and codec; the credential
providers; transport; client; the DB-API module; the dialect and the shell; the CLI
on top (``serve`` starts the endpoint), and the local endpoint beside it all, by
subpackage prefix. Read with ``ast`` (nothing is imported), so a wrong import fails
here even when no other test would notice it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sigv4_dataapi"

# Each subpackage's layer, bottom first. A module may import its own layer and the layers
# below it; the longest matching prefix names a module's layer.
LAYERS: dict[str, int] = {
    "_errors": 0, "_config": 0, "_credentials": 0, "_sqltext": 0,
    "_sigv4": 1, "_codec": 1,
    "_credentials.providers": 2, "_credentials.getter": 2,
    "_transport": 3,
    "_client": 4,
    "dbapi": 5,
    "dialect": 6, "shell": 6,
    "_cli": 7,
    "config": 0,
}  # fmt: skip
# The local endpoint stands beside the stack: it verifies with the signer and nothing else.
SERVER = "_server"
SERVER_MAY_IMPORT = ("_server", "_sigv4", "_credentials", "_errors", "_sqltext")
# Siblings in one layer that must not lean on each other.
APART = {"dialect": ("shell",), "shell": ("dialect",), "_sigv4": ("_codec",), "_codec": ("_sigv4",)}
FACADE = ("sigv4_dataapi", "sigv4_dataapi.__main__")


def _area(dotted: str) -> str | None:
    """``sigv4_dataapi._sigv4.plan`` -> ``_sigv4``: the longest known prefix, or None."""
    parts = dotted.split(".")[1:]
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in LAYERS or key == SERVER:
            return key
    return None


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, top_level_only: bool) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes: list[ast.AST]
    if top_level_only:
        nodes = []
        for node in tree.body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            nodes.extend(ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node])
    else:
        nodes = list(ast.walk(tree))
    found: list[str] = []
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.append(node.module)
    return found


def _hits(names: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _dotted(p))
def test_no_boto_at_runtime(path: Path) -> None:
    assert not _hits(_imports(path, top_level_only=False), ("boto3", "botocore", "aiobotocore"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _dotted(p))
def test_cryptography_is_imported_lazily(path: Path) -> None:
    assert not _hits(_imports(path, top_level_only=True), ("cryptography",))


def test_every_module_has_a_layer() -> None:
    """A new subpackage must be placed in ``LAYERS`` (or be the endpoint) before it lands."""
    homeless = [_dotted(p) for p in _modules() if _dotted(p) not in FACADE
                and _area(_dotted(p)) is None]  # fmt: skip
    assert not homeless


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _dotted(p))
def test_arrows_point_one_way(path: Path) -> None:
    name = _dotted(path)
    area = _area(name)
    if name in FACADE or area is None:
        return
    for imported in _imports(path, top_level_only=False):
        if not imported.startswith("sigv4_dataapi.") or imported in FACADE:
            continue
        target = _area(imported)
        assert target is not None, f"{name} imports {imported}, which has no layer"
        if area == "_cli" and target == SERVER:
            continue  # `serve` starts the endpoint
        if area == SERVER or target == SERVER:
            assert area == SERVER and target in SERVER_MAY_IMPORT, f"{name} -> {imported}"
            continue
        assert LAYERS[target] <= LAYERS[area], f"{name} reaches up to {imported}"
        assert target.split(".")[0] not in APART.get(area, ()), f"{name} -> {imported}"


def test_the_rule_catches_a_wrong_arrow() -> None:
    """The checker itself: a signer module importing the client would be caught."""
    assert LAYERS[_area("sigv4_dataapi._client.client") or ""] > LAYERS["_sigv4"]
    assert _area("sigv4_dataapi._credentials.providers._sts") == "_credentials.providers"
    assert _area("sigv4_dataapi._server.api.ops") == SERVER


COMMAND_MODULES = [p for p in _modules() if _dotted(p).startswith("sigv4_dataapi._cli.commands.")]


@pytest.mark.parametrize("path", COMMAND_MODULES, ids=lambda p: _dotted(p))
def test_command_modules_import_only_the_stdlib_at_top_level(path: Path) -> None:
    allowed_own = ("sigv4_dataapi._cli", "sigv4_dataapi._errors")
    for name in _imports(path, top_level_only=True):
        root = name.split(".")[0]
        if root == "__future__" or root in sys.stdlib_module_names:
            continue
        assert _hits([name], allowed_own), f"{_dotted(path)} imports {name} at module level"


def test_the_root_holds_few_modules() -> None:
    """The facade, ``__main__`` and at most three small shared modules; the rest in subpackages."""
    assert len(list(PACKAGE.glob("*.py"))) <= 5
