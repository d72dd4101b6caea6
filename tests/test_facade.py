"""The public facade: every exported name resolves, and importing it is cheap."""

from __future__ import annotations

import subprocess
import sys

import sigv4_dataapi


def test_all_is_sorted_and_resolves() -> None:
    assert sigv4_dataapi.__all__ == sorted(sigv4_dataapi.__all__)
    assert set(sigv4_dataapi.__all__) == {*sigv4_dataapi._EXPORTS, "__version__"}
    for name in sigv4_dataapi.__all__:
        assert getattr(sigv4_dataapi, name) is not None, name


def test_import_is_cheap() -> None:
    code = (
        "import sys, sigv4_dataapi\n"
        "heavy = [m for m in ('httpx', 'cryptography', 'sigv4_dataapi._server', 'boto3',"
        " 'botocore', 'ssl', 'asyncio') if m in sys.modules]\n"
        "print(' '.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
