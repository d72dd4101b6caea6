"""What every provider is given: the injected OS (env, clock, sleep, HTTP, processes).

Nothing in ``_providers`` reads ``os.environ``, the clock or the network directly;
tests drive each provider by building a :class:`ProviderContext` around a case folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sigv4_dataapi._config import Profile, configured_region, resolve_setting
from sigv4_dataapi._credentials.providers._source import Clock, utc_now

if TYPE_CHECKING:
    import subprocess

    import httpx

RunProcess = Callable[[Sequence[str]], "subprocess.CompletedProcess[bytes]"]
Prompt = Callable[[str], str]


@dataclass(frozen=True)
class NotConfigured:
    """A provider's "nothing for me here": the chain records ``reason`` and moves on."""

    reason: str


@dataclass(frozen=True)
class ProviderContext:
    """The environment one resolution runs in; frozen so providers cannot leak state."""

    env: Mapping[str, str] = field(repr=False)  # holds AWS_SECRET_ACCESS_KEY
    profile: Profile
    region: str | None = None  # the explicit region of the client, if any
    transport: httpx.BaseTransport | None = None
    clock: Clock = utc_now
    sleep: Callable[[float], None] = time.sleep
    mfa_prompt: Prompt | None = None
    run_process: RunProcess | None = None

    @property
    def profile_from_argument(self) -> bool:
        """A profile named in code disables the environment providers (as botocore)."""
        return self.profile.name_source == "argument"

    def setting(self, name: str, profile: Profile | None = None) -> str | None:
        return resolve_setting(name, env=self.env, profile=profile or self.profile).value

    def resolved_region(self) -> str | None:
        return configured_region(self.region, env=self.env, profile=self.profile)

    def with_profile(self, profile: Profile) -> ProviderContext:
        return ProviderContext(
            self.env,
            profile,
            self.region,
            self.transport,
            self.clock,
            self.sleep,
            self.mfa_prompt,
            self.run_process,
        )
