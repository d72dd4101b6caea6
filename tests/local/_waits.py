"""Waiting for a condition instead of sleeping a fixed time (the timing tests' helpers).

A test imports these as ``from _waits import poll`` (pytest puts ``tests/local``
on ``sys.path`` for the modules it collects there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
POLL_DEADLINE_S = 60.0  # generous: a loaded machine must not turn a wait into a failure


def poll(check: Callable[[], T | None], what: str, deadline: float = POLL_DEADLINE_S) -> T:
    """``check()``'s first truthy result, asked every 0.1 s; fails after ``deadline`` s."""
    give_up = time.monotonic() + deadline
    while not (result := check()):
        if time.monotonic() > give_up:
            pytest.fail(f"still waiting after {deadline:g} s for {what}")
        time.sleep(0.1)
    return result


def error_code(call: Callable[..., Any], **kwargs: Any) -> str:
    """The error code of a boto3 call, or "" when it succeeds."""
    from botocore.exceptions import ClientError

    try:
        call(**kwargs)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return ""
