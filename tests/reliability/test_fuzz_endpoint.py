"""A short ``scripts/fuzz-endpoint``: malformed requests of every kind, beside stalled peers.

The long run (10,000 requests and more) is ``scripts/fuzz-endpoint --count N``;
this one sends a few hundred, enough for every kind several times over.
"""

from __future__ import annotations

from pathlib import Path

import rel_fuzz
import rel_serve


def test_malformed_requests_get_4xx_or_a_close_never_5xx(tmp_path: Path) -> None:
    served = rel_serve.start(tmp_path, "--no-tls", "--max-connections", "128")
    try:
        report = rel_fuzz.run(served, 600, workers=4, stalled=64, seed=7, seconds=60)
    finally:
        served.stop()
    summary = report.summary()
    assert report.requests == 600, summary
    assert set(report.by_kind) == set(rel_fuzz.KINDS), summary
    assert report.failures == [], summary  # every one: a 4xx or a closed connection in 5 s
    assert report.probe_failures == [] and report.probes_ok >= 1, summary
    assert report.server_alive and report.tracebacks == 0, summary
    assert max(report.threads) <= 128 + 16, summary  # handler threads bounded by connections
    assert max(report.rss_kib) < 200 * 1024, summary
