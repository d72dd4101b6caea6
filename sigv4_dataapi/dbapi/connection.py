"""``Connection``: one Data API transaction at a time, begun lazily (PEP 249).

- ``cursor()`` makes no call; the first statement with no transaction open calls
  ``BeginTransaction`` unless ``autocommit``; ``commit()``/``rollback()`` with no
  transaction open make no call at all (SQLAlchemy's pool rolls back on every
  check-in); ``close()`` rolls an open transaction back;
- SQL ``BEGIN``/``COMMIT``/``ROLLBACK`` (and synonyms) become the API calls;
- one lock serialises the connection's calls: the service rejects concurrent
  statements on one transaction, so ``threadsafety = 1`` and misuse waits its turn.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._errors import DataAPIError
from sigv4_dataapi._sqltext import TransactionControl
from sigv4_dataapi.dbapi import _batch
from sigv4_dataapi.dbapi._base import (
    ENGINE_PROBE,
    BaseConnection,
    NeedEngine,
    engine_from_version,
    with_transaction,
)
from sigv4_dataapi.dbapi._statement import (
    Prepared,
    check_sql,
    read,
    returns_rows,
    single_statement,
)
from sigv4_dataapi.dbapi.errors import (
    Error,
    NotSupportedError,
    ProgrammingError,
    ResultTooLargeError,
    TransactionLostError,
)

if TYPE_CHECKING:
    from sigv4_dataapi import Result
    from sigv4_dataapi.dbapi.cursor import Cursor

_log = logging.getLogger("sigv4_dataapi.dbapi")
SAVEPOINT = "sigv4_executemany"


class Connection(BaseConnection):
    """A PEP 249 connection over a :class:`sigv4_dataapi.Client`; see :func:`connect`."""

    def __init__(self, client: Any, **options: Any) -> None:
        super().__init__(client, **options)
        self._lock = threading.RLock()

    # -- PEP 249 --------------------------------------------------------------------------

    def cursor(self, *, stream: bool = False) -> Cursor:
        """A cursor (no call); ``stream=True`` reads PostgreSQL results of any size."""
        from sigv4_dataapi.dbapi.cursor import Cursor

        self._check_open()
        return Cursor(self, stream=stream)

    def commit(self) -> None:
        """``CommitTransaction`` if a transaction is open; otherwise no call."""
        with self._lock:
            self._check_open()
            if self._tx is None:
                return
            tx = self._tx
            self._forget_transaction()
            self._send("CommitTransaction", self._client.calls.end(tx))

    def rollback(self) -> None:
        """``RollbackTransaction`` if a transaction is open; otherwise no call.

        A transaction the service already dropped counts as rolled back.
        """
        with self._lock:
            self._check_open()
            if self._tx is not None:
                self._quiet_rollback(self._tx, raise_errors=True)

    def close(self) -> None:
        """Roll an open transaction back, release the client; a second call does nothing."""
        if self._closed:
            return
        with self._lock:
            try:
                for tx in [*self._implicit, *([self._tx] if self._tx else [])]:
                    self._quiet_rollback(tx, raise_errors=False)
                self._implicit.clear()
            finally:
                self._closed = True
                if self._owns_client:
                    self._client.close()

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        """Turning it on commits an open transaction first; turning it off makes no call."""
        with self._lock:
            self._check_open()
            if value and self._tx is not None:
                self.commit()
            self._autocommit = bool(value)

    @property
    def engine(self) -> str:
        """``postgresql`` or ``mysql``: given to ``connect``, else one ``SELECT version()``."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._detect_engine()
        return self._engine

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        """psycopg's semantics: commit on success, roll back on an exception, then close."""
        try:
            if exc is None:
                self.commit()
            elif not self._closed and self._tx is not None:
                self._quiet_rollback(self._tx, raise_errors=False)
        finally:
            self.close()

    # -- calls ----------------------------------------------------------------------------

    def _send(self, operation: str, body: bytes) -> Any:
        """Every HTTP call goes through here: counted, timed, locked, translated."""
        with self._lock:
            self._tick()
            try:
                raw = self._client.transport.send(operation, body)
                self.last_response_bytes = len(raw.content)
                return raw
            except DataAPIError as exc:
                raise self._translate(exc) from exc
            finally:
                self._tock()

    def _decode(self, raw: Any) -> Result:
        try:
            return self._client.calls.result(raw)  # type: ignore[no-any-return]
        except DataAPIError as exc:
            raise self._translate(exc) from exc

    def _begin(self) -> str:
        raw = self._send("BeginTransaction", self._client.calls.begin())
        return self._client.calls.text(raw, "transactionId")  # type: ignore[no-any-return]

    def _ensure_transaction(self) -> str | None:
        """The open transaction, begun now if needed; None in autocommit mode."""
        if self._tx is None and not self._autocommit:
            self._tx = self._begin()
        return self._tx

    def _quiet_rollback(self, tx: str, *, raise_errors: bool) -> None:
        """Roll ``tx`` back; one the service already dropped is rolled back already."""
        if self._tx == tx:
            self._forget_transaction()
        try:
            self._send("RollbackTransaction", self._client.calls.end(tx))
        except TransactionLostError:
            pass
        except Error as exc:
            if raise_errors:
                raise
            _log.warning("rollback of transaction %s failed: %s", tx, exc)

    def _statement(self, sql: str, params: Any, tx: str | None, *, metadata: bool = True) -> Any:
        """One ``ExecuteStatement`` in ``tx``; a size error there rolls ``tx`` back too."""
        body = self._execute_body(sql, params, metadata=metadata)
        return self._statement_body(body, tx)

    def _statement_body(self, body: bytes, tx: str | None) -> Any:
        """Send a built ``ExecuteStatement`` body in ``tx``."""
        try:
            raw = self._send("ExecuteStatement", with_transaction(body, tx))
        except ResultTooLargeError as exc:
            if tx is not None and exc.transaction_lost:
                self._quiet_rollback(tx, raise_errors=False)
            raise
        finally:
            if tx is not None and tx == self._tx:
                self._tx_work += 1
        return raw

    def _prepared(self, sql: object, params: object) -> Prepared:
        try:
            return self._prepare(sql, params)
        except NeedEngine:
            _ = self.engine
            return self._prepare(sql, params)

    def _detect_engine(self) -> str:
        try:
            raw = self._statement(ENGINE_PROBE, None, None)
        except ProgrammingError:
            return "mysql"  # no version(): the local endpoint's SQLite, which answers as MySQL
        result = self._decode(raw)
        return engine_from_version(result.records[0][0] if result.records else "")

    # -- what cursors call ------------------------------------------------------------------

    def _run(self, sql: object, params: object) -> Result | None:
        """``Cursor.execute``: one statement, or a transaction verb (None)."""
        with self._lock:
            self._check_open()
            prepared = self._prepared(sql, params)
            if prepared.control is not None:
                self._control(prepared.control)
                return None
            body = self._execute_body(prepared.sql, prepared.params)
            tx = self._ensure_transaction()
            return self._decode(self._statement_body(body, tx))

    def _control(self, control: TransactionControl) -> None:
        if control.kind == "commit":
            self.commit()
        elif control.kind == "rollback":
            self.rollback()
        else:
            if control.modes and self.engine != "postgresql":
                raise NotSupportedError(
                    f"START TRANSACTION {control.modes} is not supported over the Data API "
                    "on MySQL; use BEGIN"
                )
            if self._tx is None:
                self._tx = self._begin()
            if control.modes:
                self._statement(f"SET TRANSACTION {control.modes}", None, self._tx)

    def _run_many(self, sql: object, seq_of_params: Iterable[object]) -> None:
        """``Cursor.executemany``: ``BatchExecuteStatement`` chunks in one transaction."""
        with self._lock:
            self._check_open()
            statement, plan = self._plan_batch(sql, seq_of_params)
            if not plan:
                return
            base = {**self._base_body(), "sql": statement}
            implicit = self._autocommit and self._tx is None
            savepoint = self._tx is not None and self._tx_work > 0
            tx = self._begin() if implicit else self._ensure_transaction()
            if savepoint:
                self._statement(f"SAVEPOINT {SAVEPOINT}", None, tx)
            try:
                for chunk in plan:
                    self._send("BatchExecuteStatement", chunk.body(base, tx))
                    self._tx_work += 1
            except Error:
                self._undo_batch(tx, implicit=implicit, savepoint=savepoint)
                raise
            if savepoint:
                self._release(tx)
            if implicit and tx is not None:
                self._send("CommitTransaction", self._client.calls.end(tx))

    def _plan_batch(self, sql: object, seq: Iterable[object]) -> tuple[str, list[_batch.Chunk]]:
        statement = single_statement(check_sql(sql), self._engine or "postgresql")
        try:
            reading = read(statement, self._engine)
        except NeedEngine:
            reading = read(statement, self.engine)
        if reading.control is not None or returns_rows(statement):
            raise ProgrammingError("executemany runs INSERT/UPDATE/DELETE-like statements only")
        try:
            encoded = list(_batch.encode_sets(reading, seq))
        except DataAPIError as exc:
            raise self._translate(exc) from exc
        return statement, _batch.chunks({**self._base_body(), "sql": statement}, encoded,
                                        _batch.DEFAULT_LIMIT)  # fmt: skip

    def _release(self, tx: str | None) -> None:
        """``RELEASE SAVEPOINT``; MySQL DDL earlier in the transaction may have dropped it."""
        try:
            self._statement(f"RELEASE SAVEPOINT {SAVEPOINT}", None, tx)
        except TransactionLostError:
            raise
        except Error as exc:
            _log.info("RELEASE SAVEPOINT failed (%s); the batch ran", exc)

    def _undo_batch(self, tx: str | None, *, implicit: bool, savepoint: bool) -> None:
        """Leave nothing of a failed executemany: back to the savepoint, or roll back."""
        if tx is None:
            return
        if savepoint and self._tx == tx:
            try:
                self._statement(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}", None, tx)
                return
            except Error as exc:
                _log.warning("ROLLBACK TO SAVEPOINT failed (%s); rolling back", exc)
        if implicit or self._tx == tx:
            self._quiet_rollback(tx, raise_errors=False)
