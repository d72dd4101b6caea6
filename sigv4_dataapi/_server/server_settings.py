"""The endpoint's tunables in one frozen object, each default with its reason."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024

# The AWS documentation's example key pair (never a real key): zero-configuration use.
DEV_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
DEV_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DEV_ACCOUNT = "123456789012"
EXAMPLE_CLUSTER = "local"


@dataclass(frozen=True)
class Limits:
    """The service's quotas (reference F2, F3, F4); tests shrink them."""

    max_result_bytes: int = MIB  # F2: 1 MiB of result data per response
    max_row_bytes: int = 64 * 1024  # F2: 64 KB per row
    max_request_bytes: int = 4 * MIB  # F2: 4 MiB request, headers and JSON
    max_json_bytes: int = 10 * 1000 * 1000  # F2: formattedRecords up to 10 MB
    max_sql_chars: int = 65536  # F3 / model: sql 0..65536 characters
    statement_timeout: float = 45.0  # F4: cancelled after 45 s


@dataclass(frozen=True)
class TransactionTimeouts:
    """F5: rolled back after 3 minutes unused or 24 hours in total."""

    idle: float = 180.0
    total: float = 24 * 3600.0


@dataclass(frozen=True)
class PauseSettings:
    """F6: auto-pause after ``pause_after`` idle seconds, resume in ``resume_seconds``.

    ``pause_after`` None: the cluster never pauses (a provisioned cluster).
    """

    pause_after: float | None = None
    resume_seconds: float = 15.0  # F6: v2 resumes in about 15 s
    start_paused: bool = False


@dataclass(frozen=True)
class ServeSettings:
    """Everything that shapes the endpoint's behaviour, apart from who may call it."""

    region: str = "us-east-1"
    flavor: str = "v2"  # "v2" (current Data API) or "v1" (Aurora Serverless v1)
    max_clock_skew: float = 300.0  # SigV4: a request time more than 5 minutes off fails
    limits: Limits = Limits()
    transactions: TransactionTimeouts = TransactionTimeouts()
    pause: PauseSettings = PauseSettings()


def example_resource_arn(region: str) -> str:
    """A cluster ARN that works without configuration (any well-formed one does)."""
    return f"arn:aws:rds:{region}:{DEV_ACCOUNT}:cluster:{EXAMPLE_CLUSTER}"


def example_secret_arn(region: str) -> str:
    return f"arn:aws:secretsmanager:{region}:{DEV_ACCOUNT}:secret:{EXAMPLE_CLUSTER}-AbCdEf"
