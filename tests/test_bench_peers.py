"""Every bench names its peers, and a missing peer is one line naming the extra.

``scripts/bench request`` after ``./scripts/demo`` (whose venv has no boto3)
used to die with ``ModuleNotFoundError`` halfway; the dispatcher now checks a
bench's ``NEEDS`` first. These tests keep the declarations honest: a peer a
bench imports (also inside the code it hands to a child process) is in its
``NEEDS``, and every peer is in the ``bench`` extra.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHES = sorted(p for p in (ROOT / "scripts" / "benches").glob("*.py") if p.stem[0] != "_")
PEERS = ("boto3", "botocore", "cryptography", "awscli")
IMPORTS = re.compile(r"^\s*(?:import|from)\s+(\w+)", re.MULTILINE)
STARTS_THE_ENDPOINT = re.compile(r"start_endpoint\(|\"serve\"|_server\.http\.tls")


def _dispatcher() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("bench_dispatcher", str(ROOT / "scripts/bench"))
    spec = importlib.util.spec_from_loader("bench_dispatcher", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _needs(path: Path) -> set[str]:
    match = re.search(r"^NEEDS = \(([^)]*)\)", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.name} does not name its peers in NEEDS"
    return set(re.findall(r"\"(\w+)\"", match.group(1)))


def test_the_benches_are_found() -> None:
    assert len(BENCHES) >= 8


@pytest.mark.parametrize("path", BENCHES, ids=[p.stem for p in BENCHES])
def test_a_bench_names_every_peer_it_imports(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    imported = {name for name in IMPORTS.findall(source) if name in PEERS}
    if ".bench-venv" in source:  # it installs its peers into a bench venv of its own
        imported.clear()
    if STARTS_THE_ENDPOINT.search(source):
        imported.add("cryptography")  # the endpoint's TLS certificates
    assert imported <= _needs(path)


def test_every_peer_is_in_the_bench_extra() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bench = project["optional-dependencies"]["bench"]
    extra = {re.split(r"[<>=\[; ]", requirement)[0].lower() for requirement in bench}
    assert set().union(*(_needs(p) for p in BENCHES)) <= extra


def test_a_missing_peer_is_one_line_naming_the_extra() -> None:
    dispatcher = _dispatcher()
    assert dispatcher.missing_peers(("json", "no_such_peer_x")) == ["no_such_peer_x"]
    line = dispatcher.peers_line("request", ["boto3"])
    assert "\n" not in line
    assert "scripts/bench request" in line and "boto3" in line and "'.[bench]'" in line


def test_the_dispatcher_stops_before_the_bench_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher = _dispatcher()
    benches = tmp_path / "benches"
    benches.mkdir()
    (benches / "fake.py").write_text(
        'NEEDS = ("no_such_peer_x",)\n\ndef main(argv):\n    raise AssertionError("ran")\n'
    )
    (benches / "forgot.py").write_text("def main(argv):\n    import no_such_peer_y\n")
    monkeypatch.setattr(dispatcher, "HERE", tmp_path)
    monkeypatch.setattr(dispatcher, "VENV_PY", tmp_path / "no-venv" / "bin" / "python")
    monkeypatch.setattr(sys, "path", list(sys.path))
    try:
        assert dispatcher.main(["fake"]) == 2
        assert dispatcher.main(["forgot"]) == 2
    finally:
        for name in ("fake", "forgot"):
            sys.modules.pop(name, None)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert "no_such_peer_x" in lines[0] and "no_such_peer_y" in lines[1]
