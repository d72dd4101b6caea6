"""What ``python -m build`` ships: the wheel's and the sdist's file lists and metadata.

The build backend's hooks are called directly (no isolated build env, no
network): the same files ``python -m build`` produces. ``.ci/run`` builds with
``python -m build`` and installs both artifacts into a clean venv per
interpreter for the smoke test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import sigv4_dataapi

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
CACHES = re.compile(r"(^|/)(__pycache__|\.mypy_cache|\.ruff_cache|\.pytest_cache|\.hypothesis)/|"
                    r"\.py[co]$|(^|/)\.venv|(^|/)\.state/")  # fmt: skip


def _build(kind: str, out: Path) -> Path:
    code = f"import sys, hatchling.build as b; print(b.build_{kind}(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    with zipfile.ZipFile(_build("wheel", tmp_path_factory.mktemp("wheel"))) as opened:
        yield opened


@pytest.fixture(scope="module")
def sdist_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    with tarfile.open(_build("sdist", tmp_path_factory.mktemp("sdist"))) as opened:
        return [name.partition("/")[2] for name in opened.getnames()]


def test_the_wheel_holds_the_package_and_its_metadata_only(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    dist_info = f"sigv4_dataapi-{sigv4_dataapi.__version__}.dist-info/"
    strays = [n for n in names if not n.startswith(("sigv4_dataapi/", dist_info))]
    assert strays == []
    assert [n for n in names if CACHES.search(n)] == []
    assert not any(n.startswith(("tests/", "scripts/", "fixtures/")) for n in names)
    assert "sigv4_dataapi/py.typed" in names
    assert "sigv4_dataapi/_server/http/server.py" in names
    assert f"{dist_info}licenses/LICENSE" in names
    assert {f"{dist_info}{m}" for m in ("METADATA", "RECORD", "WHEEL", "entry_points.txt")} <= {
        *names
    }


def test_the_wheel_metadata_promises_what_the_project_keeps(wheel: zipfile.ZipFile) -> None:
    dist_info = f"sigv4_dataapi-{sigv4_dataapi.__version__}.dist-info/"
    meta = Parser().parsestr(wheel.read(f"{dist_info}METADATA").decode())
    assert meta["Version"] == sigv4_dataapi.__version__  # single-sourced from __init__.py
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = set(meta.get_all("Classifier") or [])
    assert {f"Programming Language :: Python :: {v}" for v in SUPPORTED} <= classifiers
    assert "Typing :: Typed" in classifiers
    assert {url.split(",")[0] for url in meta.get_all("Project-URL") or []} >= {
        "Homepage", "Changelog", "Issues",
    }  # fmt: skip
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("tomli") and "python_version < '3.11'" in r.replace('"', "'")
               for r in requires)  # fmt: skip
    assert not any(re.match(r"(boto3|botocore)\b", r) and "extra ==" not in r for r in requires)
    license_text = wheel.read(f"{dist_info}licenses/LICENSE").decode()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text  # the full text, not a stub
    entry_points = wheel.read(f"{dist_info}entry_points.txt").decode()
    assert "sigv4-dataapi = sigv4_dataapi._cli.main:console_main" in entry_points


def test_the_sdist_builds_and_runs_the_vectors(sdist_names: list[str]) -> None:
    assert {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"} <= set(sdist_names)
    vectors = [n for n in sdist_names if n.startswith("fixtures/vectors/")]
    assert len(vectors) >= 10  # `sigv4-dataapi vectors fixtures/vectors` from the sdist
    assert [n for n in sdist_names if CACHES.search(n)] == []
    assert not any(n.startswith((".venv", ".git/", "dist/")) for n in sdist_names)


def test_the_changelog_has_this_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text or f"## [{sigv4_dataapi.__version__}]" in text
    assert "StatementError" in text and "EngineError" in text
