"""Keep the arrows of the data flow pointing one way.

credentials -> signer -> transport -> client -> decoder, the CLI on top and the
local endpoint beside it. Read with ``ast`` (nothing is imported), so a wrong
import fails here even when no other test would notice it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sigv4_dataapi"

SIGNER = {
    "_errors", "_errors_base", "_errors_service", "_credentials", "_canonical", "_sigv4",
    "_sigv4a", "_auth", "_vectors",
    "_signable", "_plan", "_string_to_sign", "_signing_key", "_signing_settings",
    "_signing_result", "_presign", "_vector_case", "_vector_layouts", "_vector_check",
}  # fmt: skip
CLIENT_SIDE_FORBIDDEN = ("sigv4_dataapi._server", "sigv4_dataapi._cli.main", "sigv4_dataapi._cli.commands")
SIGNER_FORBIDDEN = (
    "sigv4_dataapi._client.client",
    "sigv4_dataapi._client.client_async",
    "sigv4_dataapi._transport.driver",
    "sigv4_dataapi._transport.exchange",
    "sigv4_dataapi._transport.answers",
    "sigv4_dataapi._client.calls",
    "sigv4_dataapi._codec.encode",
    "sigv4_dataapi._codec.decode",
    "sigv4_dataapi._credentials.providers",
    *CLIENT_SIDE_FORBIDDEN,
)


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


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _dotted(p))
def test_arrows_point_one_way(path: Path) -> None:
    name = _dotted(path)
    imports = _imports(path, top_level_only=False)
    if name.split(".")[1:2] and name.split(".")[1] in SIGNER:
        assert not _hits(imports, SIGNER_FORBIDDEN), f"{name} reaches above the signer"
    elif not name.startswith(CLIENT_SIDE_FORBIDDEN) and name not in (
        "sigv4_dataapi",
        "sigv4_dataapi.__main__",
    ):
        assert not _hits(imports, CLIENT_SIDE_FORBIDDEN), f"{name} imports the CLI or endpoint"
    if name.startswith(("sigv4_dataapi._client.client", "sigv4_dataapi._client.client_async")):
        assert not _hits(imports, ("sigv4_dataapi._server", "sigv4_dataapi._cli.commands"))


COMMAND_MODULES = [p for p in _modules() if p.parent.name == "_commands" or p.name == "_command.py"]


@pytest.mark.parametrize("path", COMMAND_MODULES, ids=lambda p: _dotted(p))
def test_command_modules_import_only_the_stdlib_at_top_level(path: Path) -> None:
    allowed_own = ("sigv4_dataapi._cli.main", "sigv4_dataapi._errors", "sigv4_dataapi._cli.commands")
    for name in _imports(path, top_level_only=True):
        root = name.split(".")[0]
        if root == "__future__" or root in sys.stdlib_module_names:
            continue
        assert _hits([name], allowed_own), f"{_dotted(path)} imports {name} at module level"
