"""Install size: a plain ``pip install sigv4-dataapi`` vs ``pip install boto3``.

Each goes into a fresh throwaway venv; the figure is the size on disk of what
the install added to site-packages (source files, without ``__pycache__``,
without pip/setuptools which every venv has).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

NEEDS = ()  # each candidate goes into its own throwaway venv

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ("pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth")


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        total += sum((Path(dirpath) / f).stat().st_size for f in filenames)
    return total


def installed_size(requirement: str, workdir: Path) -> tuple[int, list[tuple[str, int]]]:
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
         "--disable-pip-version-check", requirement],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    parts = [
        (p.name, _size(p))
        for p in site.iterdir()
        if p.name != "__pycache__" and not p.name.startswith(BASELINE)
    ]
    parts.sort(key=lambda item: -item[1])
    return sum(size for _, size in parts), parts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench install", description=__doc__)
    parser.add_argument("--details", action="store_true", help="list every installed item")
    args = parser.parse_args(argv)
    results = {}
    for label, requirement in (("sigv4-dataapi", str(ROOT)), ("boto3", "boto3")):
        with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
            results[label] = installed_size(requirement, Path(tmp))
        total, parts = results[label]
        print(f"{label:14s} {total / 2**20:6.1f} MiB installed")
        if args.details:
            for name, size in parts:
                print(f"    {name:40s} {size / 1024:8.0f} KiB")
    ratio = results["sigv4-dataapi"][0] / results["boto3"][0]
    print(f"ratio sigv4-dataapi / boto3: {ratio:.2f}x")
    return 0
