"""Injected faults (``serve --faults``): the failures a client must survive, on demand.

Each authenticated, routed request draws at most one fault from a seeded
random stream, so a run is repeatable: the n-th request drawn gets the same
fault for the same seed (with concurrent callers, which request is n-th
depends on arrival order). The kinds, and what each proves to a client:

- ``reset-before``: the connection is reset (TCP RST) before the statement runs;
- ``throttle``: the service's ``ThrottlingException``, the statement not run;
- ``drop-after``: the statement ran (and committed, outside a transaction), then
  the connection closes with no answer;
- ``error-after``: the statement ran, then a 5xx answer;
- ``delay-after``: the statement ran, then the answer waits ``delay`` seconds.

Faults apply to every operation (Begin/Commit/Rollback and BatchExecute too):
a client that replays an ambiguous call would double a write, which the soak
(``scripts/soak``) detects with the database's own driver.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("reset-before", "throttle", "drop-after", "error-after", "delay-after")
BEFORE = frozenset({"reset-before", "throttle"})  # the statement is not run
DEFAULT_DELAY_S = 2.0
THROTTLE_MESSAGE = "Rate exceeded"
INJECTED_MESSAGE = "Injected fault (error-after): the statement ran"


class FaultSpecError(ValueError):
    """A ``--faults`` SPEC that cannot be read; the message is one line for the user."""


def parse_spec(text: str) -> dict[str, float]:
    """``"throttle=0.05,drop-after=0.01"`` -> ``{kind: probability}``, checked.

    Every kind at most once, each probability in [0, 1], and their sum at most
    1 (one request gets at most one fault).
    """
    spec: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            raise FaultSpecError(f"empty item in --faults {text!r}: use kind=probability,...")
        kind, sep, value = (piece.strip() for piece in item.partition("="))
        if not sep:
            raise FaultSpecError(f"--faults item {item!r} is not kind=probability")
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {kind!r}; kinds: {', '.join(KINDS)}")
        if kind in spec:
            raise FaultSpecError(f"fault kind {kind!r} given twice in --faults")
        try:
            probability = float(value)
        except ValueError:
            raise FaultSpecError(f"probability of {kind!r} is not a number: {value!r}") from None
        if not 0.0 <= probability <= 1.0:
            raise FaultSpecError(f"probability of {kind!r} must be in [0, 1], not {value}")
        spec[kind] = probability
    if sum(spec.values()) > 1.0 + 1e-9:
        raise FaultSpecError(f"--faults probabilities add up to {sum(spec.values()):g}, over 1")
    return spec


@dataclass
class FaultPlan:
    """Draws the fault for each request from one seeded stream (thread-safe)."""

    spec: Mapping[str, float]
    seed: int
    delay: float = DEFAULT_DELAY_S
    counts: dict[str, int] = field(default_factory=dict)  # faults injected so far, by kind
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        # A fixed order (KINDS), so the same seed maps to the same faults whatever
        # order the SPEC listed them in.
        self._table = [(kind, self.spec[kind]) for kind in KINDS if self.spec.get(kind)]

    def draw(self) -> str | None:
        """The fault for the next request, or None (most of the time)."""
        with self._lock:
            point = self._random.random()
            threshold = 0.0
            for kind, probability in self._table:
                threshold += probability
                if point < threshold:
                    self.counts[kind] = self.counts.get(kind, 0) + 1
                    return kind
            return None

    def describe(self) -> dict[str, object]:
        """What the first line of ``serve`` reports, so a run can be repeated."""
        return {"faults": dict(self.spec), "fault_seed": self.seed, "fault_delay": self.delay}
