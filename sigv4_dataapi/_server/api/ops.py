"""The six operations, between validated requests and the backends.

Order inside every call (after authentication, done by the HTTP layer):
validate the body -> flavour checks (``schema``, multi-statement) -> secret
and cluster -> pause state -> session (a transaction's or a fresh one) ->
statement under the timeout -> limits -> the reply's JSON shape. Every
failure is an :class:`ApiError`; engine errors become the flavour's SQL error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sigv4_dataapi._server.api import requests as rq
from sigv4_dataapi._server.api.api_error import ApiError, Faults
from sigv4_dataapi._server.api.fields import ResultOptions, encode_field
from sigv4_dataapi._server.api.legacy import execute_sql
from sigv4_dataapi._server.api.shape import shape_execute
from sigv4_dataapi._server.auth.access import AccessConfig
from sigv4_dataapi._server.backends.base import EngineError, Session, StatementResult
from sigv4_dataapi._server.server_settings import ServeSettings
from sigv4_dataapi._server.state.clusters import Clusters, Opener
from sigv4_dataapi._server.state.runner import Detached, StatementRunner
from sigv4_dataapi._server.state.transactions import Transaction, Transactions
from sigv4_dataapi._sqltext.split import is_multistatement, split_statements

# wire path -> IAM action / operation name (reference §2)
OPERATIONS: dict[str, str] = {
    "/Execute": "ExecuteStatement",
    "/BatchExecute": "BatchExecuteStatement",
    "/BeginTransaction": "BeginTransaction",
    "/CommitTransaction": "CommitTransaction",
    "/RollbackTransaction": "RollbackTransaction",
    "/ExecuteSql": "ExecuteSql",
}
COMMITTED = "Transaction Committed"
ROLLED_BACK = "Rollback Complete"
ENDED = {True: "Transaction has been committed", False: "Transaction has been rolled back"}


def resource_of(data: Mapping[str, Any]) -> str:
    """The cluster ARN a body names (what the allow list is checked against)."""
    value = data.get("resourceArn", data.get("dbClusterOrInstanceArn"))
    return value if isinstance(value, str) else "*"


class DataApi:
    """The endpoint's behaviour, independent of HTTP (tests drive it directly too)."""

    def __init__(
        self,
        settings: ServeSettings,
        access: AccessConfig,
        default_url: str,
        *,
        opener: Opener,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.access = access
        self.faults = Faults(settings.flavor)
        self.transactions = Transactions(settings.transactions, self.faults, clock=clock)
        self.clusters = Clusters(
            default_url,
            access.clusters,
            settings.pause,
            opener=opener,
            on_pause=lambda arn: self.transactions.reap(resource_arn=arn),
            clock=clock,
        )
        self.runner = StatementRunner(settings.limits.statement_timeout, self.faults)
        self._handlers: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
            "ExecuteStatement": self.execute_statement,
            "BatchExecuteStatement": self.batch_execute_statement,
            "BeginTransaction": self.begin_transaction,
            "CommitTransaction": self.commit_transaction,
            "RollbackTransaction": self.rollback_transaction,
            "ExecuteSql": self.execute_sql,
        }

    def call(self, operation: str, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._handlers[operation](data)

    def close(self) -> None:
        """Stop running statements first (bounded), so the rollbacks need not wait on them."""
        self.runner.close()
        self.transactions.close()
        self.clusters.close()

    # -- checks shared by the operations -------------------------------------------------

    def _check_target(self, target: rq.Target, *, wake: bool = True) -> None:
        if target.schema is not None:
            error = self.faults.schema_parameter()
            if error is not None:
                raise error
        if not self.access.knows_secret(target.secret_arn):
            raise self.faults.unknown_secret(target.secret_arn)
        if self.clusters.backend(target.resource_arn) is None:
            raise self.faults.unknown_cluster(target.resource_arn)
        if wake and not self.clusters.available(target.resource_arn):
            raise self.faults.resuming(target.cluster_id)

    def _check_sql(self, sql: str) -> None:
        if is_multistatement(sql):
            error = self.faults.multistatement()
            if error is not None:
                raise error

    def _engine(self, target: rq.Target) -> str:
        """The engine's name, or ``"v1-postgresql"`` where v1's multi-statement quirk applies."""
        backend = self.clusters.backend(target.resource_arn)
        engine = backend.engine if backend is not None else ""
        return f"v1-{engine}" if self.faults.v1 else engine

    def _new_session(self, target: rq.Target) -> Session:
        backend = self.clusters.backend(target.resource_arn)
        assert backend is not None  # _check_target made sure
        try:
            return backend.session(target.database, self.access.db_user(target.secret_arn))
        except EngineError as exc:
            raise self.faults.from_database(exc) from exc

    @contextmanager
    def _session(self, target: rq.Target, transaction_id: str | None) -> Iterator[Session]:
        """A transaction's session (locked for this call) or a fresh autocommit one."""
        tx: Transaction | None = None
        if transaction_id is None:
            session = self._new_session(target)
        else:
            tx = self.transactions.acquire(transaction_id, target.resource_arn, target.secret_arn)
            session = tx.session

        def done(*_: object) -> None:
            if tx is None:
                session.close()
            else:
                self.transactions.release(tx)

        try:
            yield session
        except Detached as detached:  # continueAfterTimeout: release when it really ends
            detached.future.add_done_callback(done)
            raise detached.error from None
        except ApiError as error:
            if tx is not None and error.aborts_transaction:
                self.transactions.abort(tx)
            else:
                done()
            raise
        except BaseException:
            done()
            raise
        done()

    def _run(self, session: Session, call: Callable[[], Any], continue_after: bool = False) -> Any:
        try:
            return self.runner.run(session, call, continue_after=continue_after)
        except EngineError as exc:
            raise self.faults.from_database(exc) from exc

    # -- the operations ------------------------------------------------------------------

    def execute_statement(self, data: Mapping[str, Any]) -> dict[str, Any]:
        request = rq.read_execute(data, self.settings.limits.max_sql_chars)
        self._check_target(request.target)
        self._check_sql(request.sql)
        engine = self._engine(request.target)
        with self._session(request.target, request.transaction_id) as session:
            result: StatementResult = self._run(
                session, _statement(session, request, engine), request.continue_after_timeout
            )
            try:
                return shape_execute(request, result, self.settings.limits, self.faults)
            except ApiError as error:
                error.aborts_transaction = True  # the service aborts it too
                raise

    def batch_execute_statement(self, data: Mapping[str, Any]) -> dict[str, Any]:
        request = rq.read_batch(data, self.settings.limits.max_sql_chars)
        self._check_target(request.target)
        self._check_sql(request.sql)
        with self._session(request.target, request.transaction_id) as session:
            own = request.transaction_id is None  # all sets or none, outside a transaction
            generated = self._run(session, lambda: _batch(session, request, own))
        updates = [{"generatedFields": [_generated(v) for v in fields]} for fields in generated]
        return {"updateResults": updates}

    def begin_transaction(self, data: Mapping[str, Any]) -> dict[str, Any]:
        target = rq.read_target(data)
        self._check_target(target)
        session = self._new_session(target)
        try:
            self._run(session, session.begin)
        except BaseException:
            session.close()
            raise
        transaction_id = self.transactions.begin(session, target.resource_arn, target.secret_arn)
        return {"transactionId": transaction_id}

    def _end(self, data: Mapping[str, Any], commit: bool) -> dict[str, Any]:
        target = rq.read_target(data)
        transaction_id = rq.read_transaction_id(data, required=True) or ""
        self._check_target(target, wake=False)
        tx = self.transactions.acquire(
            transaction_id, target.resource_arn, target.secret_arn, ending=True
        )
        status = COMMITTED if commit else ROLLED_BACK
        self.transactions.end(tx, ENDED[commit])
        try:
            self._run(tx.session, tx.session.commit if commit else tx.session.rollback)
        finally:
            tx.session.close()
            tx.lock.release()
        return {"transactionStatus": status}

    def commit_transaction(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._end(data, commit=True)

    def rollback_transaction(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self._end(data, commit=False)

    def execute_sql(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The deprecated ``ExecuteSql``: v1 runs it; v2 does not support it (F7)."""
        if not self.faults.v1:
            raise self.faults.bad_request(
                "ExecuteSql is not supported for this cluster. Use ExecuteStatement instead."
            )
        target = rq.read_target(data, "dbClusterOrInstanceArn", "awsSecretStoreArn")
        sql = rq.read_sql(data, "sqlStatements", self.settings.limits.max_sql_chars)
        self._check_target(target)
        with self._session(target, None) as session:
            results = self._run(session, lambda: execute_sql(session, sql))
        return {"sqlStatementResults": results}


def _statement(
    session: Session, request: rq.ExecuteRequest, engine: str
) -> Callable[[], StatementResult]:
    """The call that runs the statement.

    F7: v1 on PostgreSQL runs every statement of a multi-statement ``sql`` and
    answers with the first one's result.
    """
    if engine == "v1-postgresql" and is_multistatement(request.sql):

        def run_all() -> StatementResult:
            first, *rest = split_statements(request.sql)
            result = session.execute(first, request.parameters)
            for statement in rest:  # they run; only the first one's result is returned
                session.execute(statement, request.parameters)
            return result

        return run_all
    return lambda: session.execute(request.sql, request.parameters)


def _batch(session: Session, request: rq.BatchRequest, own_transaction: bool) -> Any:
    if not own_transaction:
        return session.execute_batch(request.sql, request.parameter_sets)
    session.begin()
    try:
        generated = session.execute_batch(request.sql, request.parameter_sets)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return generated


def _generated(value: Any) -> dict[str, Any]:
    return encode_field(value, ResultOptions())
