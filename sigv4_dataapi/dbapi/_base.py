"""What the sync and async connections share: state, checks, bodies, error translation.

A connection is one Data API transaction at a time (``threadsafety = 1``): its
id, whether statements ran in it, the engine once known, the number of calls
made and when the last one ended (for the 3-minute idle rule). The twins in
``connection.py`` and ``connection_async.py`` add only the waiting.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi.dbapi import _errormap, errors
from sigv4_dataapi.dbapi._pages import StreamSettings
from sigv4_dataapi.dbapi._statement import NeedEngine, Prepared, prepare
from sigv4_dataapi.dbapi.errors import InterfaceError, ProgrammingError

ENGINES = ("postgresql", "mysql")
ENGINE_PROBE = "SELECT version()"
MAX_REQUEST_BYTES = 4 * 1024 * 1024 - 16 * 1024  # F2: 4 MiB with headers; 16 KiB for them
Clock = Callable[[], float]


def engine_from_version(version: object) -> str:
    """``postgresql`` when ``SELECT version()`` names PostgreSQL, else ``mysql``."""
    return "postgresql" if "postgresql" in str(version).lower() else "mysql"


def check_engine(engine: str | None) -> str | None:
    if engine is not None and engine not in ENGINES:
        raise ProgrammingError(f"engine must be one of {ENGINES}, not {engine!r}")
    return engine


def with_transaction(body: bytes, transaction_id: str | None) -> bytes:
    """``body`` (a JSON object) with ``transactionId`` added; key order is free (§5)."""
    if transaction_id is None:
        return body
    return body[:-1] + _transaction_member(transaction_id)


@functools.lru_cache(maxsize=16)
def _transaction_member(transaction_id: str) -> bytes:
    """``,"transactionId":"..."}``: made once per transaction, not once per statement."""
    return b',"transactionId":' + json.dumps(transaction_id).encode("ascii") + b"}"


class BaseConnection:
    """State and rules common to ``Connection`` and ``AsyncConnection``."""

    Warning = errors.Warning
    Error = errors.Error
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(
        self,
        client: Any,
        *,
        autocommit: bool = False,
        engine: str | None = None,
        clock: Clock = time.monotonic,
        stream_settings: StreamSettings | None = None,
        owns_client: bool = True,
    ) -> None:
        self._client = client
        self._autocommit = bool(autocommit)
        self._engine = check_engine(engine)
        self._clock = clock
        self.stream_settings = stream_settings or StreamSettings()
        self._owns_client = owns_client
        self._tx: str | None = None
        self._tx_work = 0  # statements run in the open transaction
        self._implicit: set[str] = set()  # streams' read-only transactions, rolled back on close
        self._closed = False
        self.call_count = 0  # Data API calls made (a call the transport retried counts once)
        self.last_response_bytes = 0  # body length of the last answer
        self.last_activity = clock()

    # -- what the dialect and the shell read ------------------------------------------

    @property
    def client(self) -> Any:
        """The underlying ``sigv4_dataapi.Client`` (or ``AsyncClient``)."""
        return self._client

    @property
    def database(self) -> str | None:
        return self._client.calls.database  # type: ignore[no-any-return]

    @property
    def resource_arn(self) -> str:
        return self._client.calls.resource_arn  # type: ignore[no-any-return]

    @property
    def in_transaction(self) -> bool:
        return self._tx is not None

    @property
    def transaction_id(self) -> str | None:
        return self._tx

    @property
    def closed(self) -> bool:
        return self._closed

    def idle_seconds(self) -> float:
        """Seconds since the last Data API call ended (the 3-minute rule counts these)."""
        return self._clock() - self.last_activity

    # -- shared mechanics ---------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed")

    def _prepare(self, sql: object, params: object) -> Prepared:
        """``prepare`` with the engine if known; raises ``NeedEngine`` if it must be."""
        return prepare(sql, params, self._engine)

    def _forget_transaction(self) -> None:
        self._tx = None
        self._tx_work = 0

    def _translate(self, exc: DataAPIError) -> errors.Error:
        """The PEP 249 error for ``exc``; a lost transaction is forgotten here."""
        if isinstance(exc, errors.Error):
            return exc
        translated = _errormap.translate(exc, transaction_id=self._tx)
        if translated.transaction_lost:
            self._forget_transaction()
        return translated.error

    def _base_body(self) -> dict[str, Any]:
        """``resourceArn``/``secretArn``/``database``/``schema`` of a request body."""
        calls = self._client.calls
        body: dict[str, Any] = {"resourceArn": calls.resource_arn, "secretArn": calls.secret_arn}
        if calls.database is not None:
            body["database"] = calls.database
        if calls.schema is not None:
            body["schema"] = calls.schema
        return body

    def _execute_body(
        self, sql: str, params: Mapping[str, object] | None, *, metadata: bool = True
    ) -> bytes:
        """The ``ExecuteStatement`` body without a transaction id (see ``with_transaction``).

        Built before any ``BeginTransaction``, so a parameter the codec refuses
        costs no call.
        """
        try:
            body: bytes = self._client.calls.execute(sql, params, include_result_metadata=metadata)
        except DataAPIError as exc:
            raise self._translate(exc) from exc
        if len(body) > MAX_REQUEST_BYTES:
            raise ProgrammingError(
                f"the request would be {len(body)} bytes; the Data API takes at most 4 MiB "
                "(headers included): pass large values in several statements"
            )
        return body

    def _tick(self) -> None:
        self.call_count += 1
        self.last_activity = self._clock()

    def _tock(self) -> None:
        self.last_activity = self._clock()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("in transaction" if self._tx else "idle")
        return f"<{type(self).__name__} {self.resource_arn} database={self.database!r} {state}>"


__all__ = [
    "BaseConnection",
    "NeedEngine",
    "check_engine",
    "engine_from_version",
    "with_transaction",
]
