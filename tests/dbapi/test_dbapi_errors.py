"""Error mapping, table-driven from real message strings of both engines and flavours.

``LIVE`` rows were captured by running the SQL against the local endpoint (which
copies the live service's formats, rds-data-api.md F12); ``test_live_strings``
runs them again, so the table cannot drift from what the endpoint says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from _dbapi_support import ENGINE_FLAVORS, connect, start_endpoint, table_name

from sigv4_dataapi import dbapi
from sigv4_dataapi._errors import service_error
from sigv4_dataapi.dbapi._errormap import translate


@dataclass(frozen=True)
class Case:
    engine: str  # sqlite / postgres / mysql
    flavor: str
    sql: str  # {t}: a table (id INT PRIMARY KEY, n VARCHAR(3) NOT NULL) holding (1, 'a')
    code: str
    message: str
    cls: type[dbapi.Error]
    sqlstate: str | None = None
    errno: int | None = None
    detail: str | None = None
    hint: str | None = None
    position: int | None = None


P, M, S = "postgres", "mysql", "sqlite"
DUP = "INSERT INTO {t} VALUES (1, 'a')"
NULL = "INSERT INTO {t} VALUES (2, NULL)"
LONG = "INSERT INTO {t} VALUES (3, 'abcdef')"
RAISE = ("DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint'; "
         "END $$")  # fmt: skip
V2, V1 = "DatabaseErrorException", "BadRequestException"

LIVE = [
    Case(P, "v2", "SELECT * FROM nope_xyz", V2,
         'ERROR: relation "nope_xyz" does not exist; Position: 15; SQLState: 42P01',
         dbapi.ProgrammingError, "42P01", position=15),
    Case(P, "v2", "SELEKT 1", V2, 'ERROR: syntax error at or near "SELEKT"; Position: 1; '
         "SQLState: 42601", dbapi.ProgrammingError, "42601", position=1),
    Case(P, "v2", "SELECT 1/0", V2, "ERROR: division by zero; SQLState: 22012",
         dbapi.DataError, "22012"),
    Case(P, "v2", "SELECT 'x'::int", V2, 'ERROR: invalid input syntax for type integer: "x"; '
         "Position: 8; SQLState: 22P02", dbapi.DataError, "22P02", position=8),
    Case(P, "v2", DUP, V2, 'ERROR: duplicate key value violates unique constraint "{t}_pkey"; '
         "SQLState: 23505", dbapi.IntegrityError, "23505"),
    Case(P, "v2", NULL, V2, 'ERROR: null value in column "n" of relation "{t}" violates '
         "not-null constraint; SQLState: 23502", dbapi.IntegrityError, "23502"),
    Case(P, "v2", RAISE, V2, "ERROR: boom; Hint: the hint; SQLState: P0001",
         dbapi.ProgrammingError, "P0001", hint="the hint"),
    Case(P, "v1", "SELECT * FROM nope_xyz", V1,
         'ERROR: relation "nope_xyz" does not exist\n  Position: 15',
         dbapi.ProgrammingError, "42P01", position=15),
    Case(P, "v1", "SELECT 1/0", V1, "ERROR: division by zero", dbapi.DataError, "22012"),
    Case(P, "v1", DUP, V1, 'ERROR: duplicate key value violates unique constraint "{t}_pkey"\n'
         "  Detail: Key (id)=(1) already exists.", dbapi.IntegrityError, "23505",
         detail="Key (id)=(1) already exists."),
    Case(P, "v1", RAISE, V1, "ERROR: boom\n  Detail: the detail\n  Hint: the hint",
         dbapi.DatabaseError, None, detail="the detail", hint="the hint"),
    Case(M, "v2", "SELECT * FROM nope_xyz", V2, "Table 'test.nope_xyz' doesn't exist; "
         "Error code: 1146; SQLState: 42S02", dbapi.ProgrammingError, "42S02", 1146),
    Case(M, "v2", "SELEKT 1", V2, "You have an error in your SQL syntax; check the manual that "
         "corresponds to your MariaDB server version for the right syntax to use near 'SELEKT 1' "
         "at line 1; Error code: 1064; SQLState: 42000", dbapi.ProgrammingError, "42000", 1064),
    Case(M, "v2", DUP, V2, "Duplicate entry '1' for key 'PRIMARY'; Error code: 1062; "
         "SQLState: 23000", dbapi.IntegrityError, "23000", 1062),
    Case(M, "v2", NULL, V2, "Column 'n' cannot be null; Error code: 1048; SQLState: 23000",
         dbapi.IntegrityError, "23000", 1048),
    Case(M, "v2", LONG, V2, "Data too long for column 'n' at row 1; Error code: 1406; "
         "SQLState: 22001", dbapi.DataError, "22001", 1406),
    Case(M, "v2", "SELECT nocol FROM {t}", V2, "Unknown column 'nocol' in 'SELECT'; "
         "Error code: 1054; SQLState: 42S22", dbapi.ProgrammingError, "42S22", 1054),
    Case(M, "v1", "SELECT * FROM nope_xyz", V1, "Database error code: 1146. Message: Table "
         "'test.nope_xyz' doesn't exist", dbapi.ProgrammingError, None, 1146),
    Case(M, "v1", DUP, V1, "Database error code: 1062. Message: Duplicate entry '1' for key "
         "'PRIMARY'", dbapi.IntegrityError, None, 1062),
    Case(M, "v1", LONG, V1, "Database error code: 1406. Message: Data too long for column 'n' "
         "at row 1", dbapi.DataError, None, 1406),
    Case(S, "v2", "SELECT * FROM nope_xyz", V2, "[SQLITE_ERROR] no such table: nope_xyz",
         dbapi.ProgrammingError),
    Case(S, "v2", DUP, V2, "[SQLITE_CONSTRAINT_PRIMARYKEY] UNIQUE constraint failed: {t}.id",
         dbapi.IntegrityError),
    Case(S, "v1", DUP, V1, "Database error code: 1555. Message: [SQLITE_CONSTRAINT_PRIMARYKEY] "
         "UNIQUE constraint failed: {t}.id", dbapi.IntegrityError, None, 1555),
]  # fmt: skip

# service answers that are not SQL errors (strings from rds-data-api.md and the endpoint)
SERVICE = [
    ("TransactionNotFoundException", "Transaction abc is not found", dbapi.TransactionLostError),
    ("BadRequestException", "Transaction abc is not found. Transaction has been aborted due to "
     "an error from a previous call", dbapi.TransactionLostError),
    ("UnsupportedResultException", "The result exceeds the size limit 1 MB.",
     dbapi.ResultTooLargeError),
    ("BadRequestException", "Database returned more than the allowed response size limit",
     dbapi.ResultTooLargeError),
    ("BadRequestException", "Please paginate your query", dbapi.ResultTooLargeError),
    ("UnsupportedResultException", "Packet for query is too large (70,000 > 65,536).",
     dbapi.ResultTooLargeError),
    ("UnsupportedResultException", "The result contains the unsupported data type interval",
     dbapi.NotSupportedError),
    ("BadRequestException", "Communications link failure\n\nThe last packet sent successfully "
     "to the server was 0 milliseconds ago.", dbapi.OperationalError),
    ("StatementTimeoutException", "Request timed out", dbapi.OperationalError),
    ("DatabaseResumingException", "The Aurora DB instance db-1 is resuming after being "
     "auto-paused. Please wait a few seconds and try again.", dbapi.OperationalError),
    ("AccessDeniedException", "User is not authorized", dbapi.OperationalError),
    ("HttpEndpointNotEnabledException", "HttpEndpoint is not enabled", dbapi.OperationalError),
    ("ValidationException", "Multistatements aren't supported.", dbapi.ProgrammingError),
    ("DatabaseErrorException", "No value specified for parameter 1.; SQLState: 22023",
     dbapi.DataError),
    ("DatabaseErrorException", "No value specified for parameter 1; Error code: 0; "
     "SQLState: 07001", dbapi.ProgrammingError),
]  # fmt: skip


def _status(code: str) -> int:
    return {"TransactionNotFoundException": 404, "AccessDeniedException": 403}.get(code, 400)


@pytest.mark.parametrize("case", LIVE, ids=lambda c: f"{c.engine}-{c.flavor}-{c.sql[:20]}")
def test_table(case: Case) -> None:
    message = case.message.format(t="t_x")
    cause = service_error(case.code, message, status_code=400)
    error = translate(cause, transaction_id=None).error
    assert type(error) is case.cls
    got = (error.sqlstate, error.errno, error.detail, error.hint, error.position)
    assert got == (case.sqlstate, case.errno, case.detail, case.hint, case.position)


@pytest.mark.parametrize(("code", "message", "cls"), SERVICE)
def test_service_errors(code: str, message: str, cls: type[dbapi.Error]) -> None:
    error = translate(service_error(code, message, status_code=_status(code)),
                      transaction_id="tx").error  # fmt: skip
    assert type(error) is cls
    if cls is dbapi.TransactionLostError:
        assert "3 minutes" in str(error)


def test_pg_message_with_semicolons_is_read_from_the_right() -> None:
    cause = service_error("DatabaseErrorException", "ERROR: a; Hint: b; c; Detail: d; "
                          "Hint: e; Position: 3; SQLState: 22000", status_code=400)  # fmt: skip
    error = translate(cause, transaction_id=None).error
    assert (error.hint, error.detail, error.position, error.sqlstate) == ("e", "d", 3, "22000")


@pytest.fixture(scope="module", params=ENGINE_FLAVORS)
def endpoint(
    request: pytest.FixtureRequest, local_endpoint_module_factory: Callable[..., Any]
) -> Any:
    return start_endpoint(request, local_endpoint_module_factory)


def test_live_strings(endpoint: Any) -> None:
    cases = [c for c in LIVE if (c.engine, c.flavor) == (endpoint.engine, endpoint.flavor)]
    assert cases
    name = table_name("dbapi_err")
    with connect(endpoint, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, n VARCHAR(3) NOT NULL)")
        try:
            cur.execute(f"INSERT INTO {name} VALUES (1, 'a')")
            for case in cases:
                with pytest.raises(dbapi.Error) as caught:
                    cur.execute(case.sql.format(t=name))
                error = caught.value
                assert error.__cause__ is not None
                assert getattr(error.__cause__, "code", None) == case.code
                assert getattr(error.__cause__, "message", None) == case.message.format(t=name)
                assert type(error) is case.cls
                assert (error.sqlstate, error.errno) == (case.sqlstate, case.errno)
        finally:
            cur.execute(f"DROP TABLE {name}")
