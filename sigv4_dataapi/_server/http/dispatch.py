"""HTTP-free request handling: (method, target, headers, body) -> :class:`Reply`.

Errors become replies in exactly one place, :meth:`Dispatcher.handle`; every
reply is JSON with an ``x-amzn-RequestId``, errors add ``x-amzn-ErrorType``
(reference §3.1, F16). Injected faults (``serve --faults``) are applied here
too: the ones that run nothing before the call, the ones that spoil the answer
after it; the HTTP layer only carries out "reset" and "drop".
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import IO, Any

from sigv4_dataapi._server.api.api_error import ApiError
from sigv4_dataapi._server.api.ops import OPERATIONS, DataApi, resource_of
from sigv4_dataapi._server.api.requests import parse_body
from sigv4_dataapi._server.auth.verify import ReceivedRequest, authenticate
from sigv4_dataapi._server.state import fault_injection as fi

CORAL_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.rdsdataservice/"
_FRONT_DOOR = frozenset(
    {
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "UnknownOperationException",
        "SerializationException",
        "ValidationException",
        "RequestEntityTooLargeException",
        "ThrottlingException",
    }
)
_dumps = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    request_id: str
    error_type: str | None = None
    # an injected fault the HTTP layer carries out: "reset" (RST, no answer) or
    # "drop" (close, no answer); None for an ordinary reply
    fault: str | None = None


def error_reply(error: ApiError, request_id: str) -> Reply:
    suffix = "" if error.code in _FRONT_DOOR else CORAL_SUFFIX
    body = _dumps(error.body()).encode("utf-8")
    return Reply(error.status, body, request_id, error.code + suffix)


class Dispatcher:
    """HTTP-free request handling: (method, target, headers, body) -> :class:`Reply`."""

    def __init__(
        self,
        api: DataApi,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        log: IO[str] | None = None,
        faults: fi.FaultPlan | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api = api
        self._now = now
        self._log = log
        self.faults = faults
        self._sleep = sleep

    def too_large(self, size: int) -> Reply:
        limit = self.api.settings.limits.max_request_bytes
        error = ApiError(
            "RequestEntityTooLargeException",
            f"Request size {size} exceeds the limit of {limit} bytes (headers and body).",
        )
        return error_reply(error, str(uuid.uuid4()))

    def handle(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Reply:
        request_id = str(uuid.uuid4())
        fault: str | None = None
        try:
            operation, data = self._admit(method, target, headers, body)
            fault = self.faults.draw() if self.faults is not None else None
            if fault == "reset-before":
                return Reply(0, b"", request_id, fault="reset")
            if fault == "throttle":
                raise ApiError("ThrottlingException", fi.THROTTLE_MESSAGE)
            reply = Reply(200, _dumps(self.api.call(operation, data)).encode("utf-8"), request_id)
        except ApiError as error:
            reply = error_reply(error, request_id)
        except Exception:
            traceback.print_exc(file=self._log or sys.stderr)
            reply = error_reply(ApiError("InternalServerErrorException", ""), request_id)
        return self._after(fault, reply)

    def _after(self, fault: str | None, reply: Reply) -> Reply:
        """The ``*-after`` faults: the call has run; now spoil its answer."""
        if fault == "drop-after":
            return replace(reply, fault="drop")
        if fault == "error-after":
            error = ApiError("InternalServerErrorException", fi.INJECTED_MESSAGE)
            return error_reply(error, reply.request_id)
        if fault == "delay-after" and self.faults is not None:
            self._sleep(self.faults.delay)
        return reply

    def _admit(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> tuple[str, dict[str, Any]]:
        """Authenticate, route, parse and authorize: the operation and its body."""
        path, _, query = target.partition("?")
        settings = self.api.settings
        key = authenticate(
            ReceivedRequest(method, path, query, headers, body),
            self.api.access.keys,
            region=settings.region,
            now=self._now(),
            max_skew=settings.max_clock_skew,
        )
        operation = OPERATIONS.get(path)
        if operation is None or method != "POST":
            raise ApiError("UnknownOperationException", f"No operation at {method} {path}")
        data = parse_body(body)
        key.authorize(operation, resource_of(data))
        return operation, data
