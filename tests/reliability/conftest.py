"""The reliability scripts' modules (``scripts/reliability``) are importable from these tests."""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "reliability"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
