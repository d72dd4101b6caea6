"""Call counts and call order, on a recording fake (the DB-API layer alone)."""

from __future__ import annotations

import json
import threading

import pytest
from _dbapi_support import FakeDataAPI

from sigv4_dataapi import dbapi

TX_LOST = ("TransactionNotFoundException", "Transaction tx-1 is not found")


@pytest.fixture
def fake() -> FakeDataAPI:
    return FakeDataAPI()


def test_cursor_makes_no_call_and_first_statement_begins(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    assert fake.calls == [] and not conn.in_transaction
    cur.execute("SELECT 1")
    assert fake.operations() == ["BeginTransaction", "ExecuteStatement"]
    assert fake.calls[1].body["transactionId"] == "tx-1" == conn.transaction_id
    cur.execute("SELECT 1")
    assert fake.operations()[2:] == ["ExecuteStatement"]
    assert conn.call_count == 3


def test_commit_and_rollback_without_transaction_make_zero_calls(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.commit()
    conn.rollback()
    conn.rollback()
    assert fake.calls == [] and conn.call_count == 0


def test_commit_and_rollback_end_the_transaction(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    conn.commit()
    cur.execute("SELECT 1")
    conn.rollback()
    assert fake.operations() == [
        "BeginTransaction", "ExecuteStatement", "CommitTransaction",
        "BeginTransaction", "ExecuteStatement", "RollbackTransaction",
    ]  # fmt: skip
    assert fake.calls[2].body["transactionId"] == "tx-1"
    assert fake.calls[5].body["transactionId"] == "tx-2"
    assert not conn.in_transaction


def test_autocommit_never_begins(fake: FakeDataAPI) -> None:
    conn = fake.connect(autocommit=True)
    conn.cursor().execute("SELECT 1")
    conn.commit()
    assert fake.operations() == ["ExecuteStatement"]
    assert "transactionId" not in fake.calls[0].body


def test_turning_autocommit_on_commits_first(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().execute("SELECT 1")
    conn.autocommit = True
    assert fake.operations()[-1] == "CommitTransaction"
    conn.autocommit = False
    assert fake.operations()[-1] == "CommitTransaction" and len(fake.calls) == 3


def test_close_rolls_back_then_use_raises_interface_error(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    conn.close()
    assert fake.operations()[-1] == "RollbackTransaction"
    conn.close()  # a second close is a no-op
    assert len(fake.calls) == 3
    for action in (lambda: cur.execute("SELECT 1"), conn.cursor, conn.commit, conn.rollback):
        with pytest.raises(dbapi.InterfaceError):
            action()


def test_close_without_transaction_makes_no_call(fake: FakeDataAPI) -> None:
    fake.connect().close()
    assert fake.calls == []


def test_context_manager_commits_or_rolls_back_then_closes(fake: FakeDataAPI) -> None:
    with fake.connect() as conn:
        conn.cursor().execute("SELECT 1")
    assert fake.operations()[-1] == "CommitTransaction" and conn.closed
    with pytest.raises(ZeroDivisionError), fake.connect() as conn2:
        conn2.cursor().execute("SELECT 1")
        _ = 1 / 0
    assert fake.operations()[-1] == "RollbackTransaction" and conn2.closed


@pytest.mark.parametrize(
    ("sql", "operation"),
    [("COMMIT", "CommitTransaction"), ("end", "CommitTransaction"),
     ("ROLLBACK;", "RollbackTransaction"), ("abort work", "RollbackTransaction")],
)  # fmt: skip
def test_sql_transaction_verbs_become_api_calls(
    fake: FakeDataAPI, sql: str, operation: str
) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    cur.execute("BEGIN")
    assert fake.operations() == ["BeginTransaction"] and conn.in_transaction
    cur.execute(sql)
    assert fake.operations() == ["BeginTransaction", operation]
    assert not conn.in_transaction and cur.description is None
    assert all(c.operation != "ExecuteStatement" for c in fake.calls)


def test_begin_in_autocommit_opens_a_transaction_until_commit(fake: FakeDataAPI) -> None:
    conn = fake.connect(autocommit=True)
    cur = conn.cursor()
    cur.execute("START TRANSACTION")
    cur.execute("SELECT 1")
    cur.execute("COMMIT")
    cur.execute("SELECT 1")
    assert fake.operations() == ["BeginTransaction", "ExecuteStatement", "CommitTransaction",
                                 "ExecuteStatement"]  # fmt: skip
    assert fake.calls[1].body["transactionId"] == "tx-1"
    assert "transactionId" not in fake.calls[3].body


def test_begin_with_modes_sets_them_on_postgresql(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
    assert fake.operations() == ["BeginTransaction", "ExecuteStatement"]
    assert fake.calls[1].sql == "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"


@pytest.mark.parametrize("sql", ["SAVEPOINT a", "ROLLBACK TO SAVEPOINT a", "RELEASE SAVEPOINT a"])
def test_savepoint_statements_pass_through(fake: FakeDataAPI, sql: str) -> None:
    conn = fake.connect()
    conn.cursor().execute(sql)
    assert fake.operations() == ["BeginTransaction", "ExecuteStatement"]
    assert fake.calls[1].sql == sql


@pytest.mark.parametrize(
    ("sql", "params", "message"),
    [
        ("SELECT :a", [1], "mapping"),
        ("SELECT :a", (1,), "mapping"),
        ("SELECT :a", {}, "no value for :a"),
        ("SELECT :a", None, "no value for :a"),
        ("SELECT :a", {"a": 1, "b": 2}, "not in the SQL: b"),
        ("SELECT 1", {"x": 1}, "not in the SQL: x"),
        ("SELECT :a, :b, :a", {"a": 1, "c": 2}, "no value for :b; parameters not in the SQL: c"),
        ("SELECT :a, :a", {"b": 1}, "no value for :a; parameters not in the SQL: b"),
        ("SELECT $$ :a $$ || :a", {"a": 1}, "$$-quoted body"),
        ("SELECT arr[1:n] FROM t WHERE x = :x", {"x": 1}, "array slice"),
        ("SELECT arr[1:2] FROM t", None, "array slice"),
        ("DO $$ BEGIN PERFORM :x; END $$", None, "$$-quoted body"),
        ("SELECT '" + "x" * 65536 + "'", None, "65536"),
        (b"SELECT 1", None, "must be a str"),
    ],
)
def test_bad_parameters_fail_before_any_call(
    fake: FakeDataAPI, sql: object, params: object, message: str
) -> None:
    cur = fake.connect().cursor()
    with pytest.raises(dbapi.ProgrammingError, match=message.replace("$", r"\$")):
        cur.execute(sql, params)  # type: ignore[arg-type]
    assert fake.calls == []


def test_casts_strings_and_comments_are_not_parameters(fake: FakeDataAPI) -> None:
    fake.connect(autocommit=True).cursor().execute(
        "SELECT x::int, ':no', \"a:b\" -- :no\n FROM t WHERE id = :id", {"id": 3}
    )
    assert fake.calls[0].body["parameters"] == [{"name": "id", "value": {"longValue": 3}}]


def test_unsupported_value_is_a_programming_error_before_any_call(fake: FakeDataAPI) -> None:
    with pytest.raises(dbapi.ProgrammingError, match="cannot send a object"):
        fake.connect().cursor().execute("SELECT :a", {"a": object()})
    assert fake.operations() == []


def test_lost_transaction_is_operational_and_forgotten(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    fake.errors["SELECT 2"] = TX_LOST
    with pytest.raises(dbapi.OperationalError, match="3 minutes") as caught:
        cur.execute("SELECT 2")
    assert isinstance(caught.value, dbapi.TransactionLostError)
    assert type(caught.value.__cause__).__name__ == "TransactionNotFoundException"
    assert not conn.in_transaction
    conn.rollback()  # nothing left to roll back: no call
    cur.execute("SELECT 1")
    assert fake.operations()[-2:] == ["BeginTransaction", "ExecuteStatement"]
    assert fake.calls[-1].body["transactionId"] == "tx-2"


def test_v1_lost_transaction_message_is_recognised(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().execute("SELECT 1")
    fake.errors["SELECT 2"] = ("BadRequestException", "Transaction tx-1 is not found. "
                               "Transaction may be expired")  # fmt: skip
    with pytest.raises(dbapi.TransactionLostError):
        conn.cursor().execute("SELECT 2")
    assert conn.transaction_id is None


def test_commit_of_lost_transaction_raises(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().execute("SELECT 1")
    fake.errors["CommitTransaction"] = TX_LOST
    with pytest.raises(dbapi.OperationalError, match="3 minutes"):
        conn.commit()
    assert not conn.in_transaction


def test_rollback_of_lost_transaction_is_quiet(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().execute("SELECT 1")
    fake.errors["RollbackTransaction"] = TX_LOST
    conn.rollback()
    assert not conn.in_transaction


def test_size_error_in_transaction_rolls_it_back_and_says_so(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    fake.errors["SELECT big"] = ("UnsupportedResultException",
                                 "The result exceeds the size limit 1 MB.")  # fmt: skip
    with pytest.raises(dbapi.ResultTooLargeError) as caught:
        cur.execute("SELECT big")
    error = caught.value
    assert isinstance(error, dbapi.DataError)
    assert error.limit == "response" and error.transaction_lost
    assert "1 MiB" in str(error) and "stream=True" in str(error) and "lost" in str(error)
    assert fake.operations() == ["BeginTransaction", "ExecuteStatement", "RollbackTransaction"]
    cur.execute("SELECT 1")  # usable: a new transaction
    assert fake.calls[-1].body["transactionId"] == "tx-2"


def test_row_size_error_names_the_row_limit(fake: FakeDataAPI) -> None:
    fake.errors["SELECT wide"] = ("BadRequestException", "Packet for query is too large "
                                  "(70,000 > 65,536).")  # fmt: skip
    with pytest.raises(dbapi.ResultTooLargeError, match="64 KB row limit") as caught:
        fake.connect(autocommit=True).cursor().execute("SELECT wide")
    assert caught.value.limit == "row" and not caught.value.transaction_lost
    assert "nothing was lost" in str(caught.value)


def test_executemany_chunks_by_request_size_in_one_transaction(fake: FakeDataAPI) -> None:
    conn = fake.connect(autocommit=True)
    rows = [{"id": i, "pad": "x" * 2000} for i in range(4000)]  # ~8.5 MB of JSON
    cur = conn.cursor()
    cur.executemany("INSERT INTO t VALUES (:id, :pad)", rows)
    ops = fake.operations()
    assert ops[0] == "BeginTransaction" and ops[-1] == "CommitTransaction"
    batches = [c for c in fake.calls if c.operation == "BatchExecuteStatement"]
    total = sum(c.size for c in batches)
    assert len(batches) == -(-total // (3 * 1024 * 1024)) or len(batches) == 1 + -(
        -total // (3 * 1024 * 1024)
    )
    assert all(c.size <= 3 * 1024 * 1024 for c in batches)
    assert {c.body["transactionId"] for c in batches} == {"tx-1"}
    sent = [s[0]["value"]["longValue"] for c in batches for s in c.body["parameterSets"]]
    assert sent == list(range(4000))
    assert cur.rowcount == -1


def test_executemany_small_rows_is_one_call_not_per_thousand(fake: FakeDataAPI) -> None:
    conn = fake.connect()
    conn.cursor().executemany("INSERT INTO t VALUES (:id)", [{"id": i} for i in range(5000)])
    assert fake.operations() == ["BeginTransaction", "BatchExecuteStatement"]
    assert len(fake.calls[1].body["parameterSets"]) == 5000


def test_executemany_failure_in_autocommit_leaves_nothing(fake: FakeDataAPI) -> None:
    conn = fake.connect(autocommit=True)
    fake.errors["INSERT INTO t VALUES (:id)"] = (
        "DatabaseErrorException",
        'ERROR: duplicate key value violates unique constraint "t_pkey"; SQLState: 23505',
    )
    with pytest.raises(dbapi.IntegrityError):
        conn.cursor().executemany("INSERT INTO t VALUES (:id)", [{"id": 1}])
    assert fake.operations() == ["BeginTransaction", "BatchExecuteStatement",
                                 "RollbackTransaction"]  # fmt: skip


def test_executemany_failure_after_earlier_work_rolls_back_to_a_savepoint(
    fake: FakeDataAPI,
) -> None:
    conn = fake.connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    fake.errors["INSERT INTO t VALUES (:id)"] = (
        "DatabaseErrorException",
        'ERROR: null value in column "id" violates not-null constraint; SQLState: 23502',
    )
    with pytest.raises(dbapi.IntegrityError):
        cur.executemany("INSERT INTO t VALUES (:id)", [{"id": None}])
    assert [c.sql for c in fake.calls if c.operation == "ExecuteStatement"][1:] == [
        "SAVEPOINT sigv4_executemany",
        "ROLLBACK TO SAVEPOINT sigv4_executemany",
    ]
    assert conn.in_transaction  # the earlier work is still there to commit or roll back


def test_executemany_refuses_queries_and_bad_sets(fake: FakeDataAPI) -> None:
    cur = fake.connect().cursor()
    with pytest.raises(dbapi.ProgrammingError, match="INSERT/UPDATE/DELETE"):
        cur.executemany("SELECT :a", [{"a": 1}])
    with pytest.raises(dbapi.ProgrammingError, match="parameter set 1: no value for :a"):
        cur.executemany("INSERT INTO t VALUES (:a)", [{"a": 1}, {"b": 2}])
    with pytest.raises(dbapi.ProgrammingError, match="sequence of mappings"):
        cur.executemany("INSERT INTO t VALUES (:a)", {"a": 1})
    cur.executemany("INSERT INTO t VALUES (:a)", [])
    assert fake.calls == []


def test_batch_body_is_valid_json_with_database(fake: FakeDataAPI) -> None:
    fake.connect().cursor().executemany("INSERT INTO t VALUES (:a);", [{"a": "é"}])
    raw = fake.calls[1].body
    assert raw["sql"] == "INSERT INTO t VALUES (:a)" and raw["database"] == "app"
    assert json.loads(json.dumps(raw))["parameterSets"] == [
        [{"name": "a", "value": {"stringValue": "é"}}]
    ]


def test_two_threads_on_one_connection_never_overlap_calls() -> None:
    fake = FakeDataAPI(delay=0.01)
    conn = fake.connect()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(8):
                conn.cursor().execute("SELECT 1")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert fake.max_in_flight == 1
    assert fake.operations().count("BeginTransaction") == 1
    assert conn.call_count == 25


def test_engine_is_detected_once_with_one_query() -> None:
    fake = FakeDataAPI(records=[[{"stringValue": "PostgreSQL 16.4 on x86_64"}]])
    options = fake.options()
    del options["engine"]
    conn = dbapi.connect(**options)
    assert fake.calls == []
    assert conn.engine == "postgresql" and conn.engine == "postgresql"
    assert fake.operations() == ["ExecuteStatement"] and fake.calls[0].sql == "SELECT version()"
    assert "transactionId" not in fake.calls[0].body


def test_dialect_ambiguity_asks_the_engine_only_when_needed() -> None:
    fake = FakeDataAPI(records=[[{"stringValue": "10.11.6-MariaDB"}]])
    options = fake.options()
    del options["engine"]
    conn = dbapi.connect(**options, autocommit=True)
    conn.cursor().execute("SELECT :a", {"a": 1})
    assert [c.sql for c in fake.calls] == ["SELECT :a"]
    conn.cursor().execute("SELECT $$ :a $$", {"a": 1})  # MySQL: a placeholder; PG: a hazard
    assert [c.sql for c in fake.calls] == ["SELECT :a", "SELECT version()", "SELECT $$ :a $$"]
    assert conn.engine == "mysql"


def test_idle_seconds_and_call_count_follow_the_clock() -> None:
    now = [100.0]
    fake = FakeDataAPI()
    conn = fake.connect(clock=lambda: now[0])
    now[0] = 130.0
    assert conn.idle_seconds() == 30.0
    conn.cursor().execute("SELECT 1")
    assert conn.idle_seconds() == 0.0 and conn.call_count == 2


def test_arns_and_database_fall_back_to_the_environment() -> None:
    fake = FakeDataAPI()
    options = fake.options()
    for key in ("resource_arn", "secret_arn", "database"):
        del options[key]
    env = {
        "DATA_API_RESOURCE_ARN": "arn:aws:rds:us-east-1:123456789012:cluster:from-env",
        "DATA_API_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:env-AbCdEf",
        "DATA_API_DATABASE": "envdb",
        "AWS_CONFIG_FILE": "/nonexistent/config",
    }
    conn = dbapi.connect(**options, env=env, autocommit=True)
    conn.cursor().execute("SELECT 1")
    body = fake.calls[0].body
    assert body["resourceArn"].endswith("cluster:from-env") and body["database"] == "envdb"
    assert conn.resource_arn.endswith("from-env") and conn.database == "envdb"
    with pytest.raises(dbapi.InterfaceError, match="DATA_API_SECRET_ARN"):
        dbapi.connect(**options, env={"DATA_API_RESOURCE_ARN": "arn:x:y",
                                      "AWS_CONFIG_FILE": "/nonexistent/config"})  # fmt: skip


def test_may_have_run_stays_visible_as_the_cause(fake: FakeDataAPI) -> None:
    from sigv4_dataapi import StatementMayHaveRunError

    fake.errors["UPDATE t SET a = 1"] = ("InternalServerErrorException", "")
    conn = fake.connect(autocommit=True, sleep=lambda _s: None)
    with pytest.raises(dbapi.OperationalError) as caught:
        conn.cursor().execute("UPDATE t SET a = 1")
    assert isinstance(caught.value.__cause__, StatementMayHaveRunError)


def test_integers_past_64_bits_go_as_decimal(fake: FakeDataAPI) -> None:
    fake.connect(autocommit=True).cursor().execute("SELECT :big", {"big": 2**70})
    assert fake.calls[0].body["parameters"] == [
        {"name": "big", "value": {"stringValue": str(2**70)}, "typeHint": "DECIMAL"}
    ]


def test_start_transaction_modes_on_mysql_are_refused_before_any_call(fake: FakeDataAPI) -> None:
    conn = fake.connect(engine="mysql")
    with pytest.raises(dbapi.NotSupportedError, match="use BEGIN"):
        conn.cursor().execute("START TRANSACTION READ ONLY")
    assert fake.calls == []
    conn.cursor().execute("BEGIN WORK")
    assert fake.operations() == ["BeginTransaction"]


def test_request_over_four_mib_is_refused_before_any_call(fake: FakeDataAPI) -> None:
    with pytest.raises(dbapi.ProgrammingError, match="at most 4 MiB"):
        fake.connect().cursor().execute("SELECT :a", {"a": "x" * (4 * 1024 * 1024)})
    assert fake.calls == []
