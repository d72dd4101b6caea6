"""Which PEP 249 class an engine's error code belongs to (tables, no logic to speak of).

PostgreSQL: by SQLSTATE class, psycopg's ``_base_exc_map`` (psycopg/errors.py).
MySQL/MariaDB: by error number, PyMySQL's ``error_map`` (pymysql/err.py), plus
three numbers of ours (dbapi-streaming-shell.md A.6 item 8); an unlisted number
is an ``InternalError`` below 1000 and an ``OperationalError`` from 1000 on, as
PyMySQL does. Serverless v1 PostgreSQL messages carry no SQLSTATE (observed on
the local endpoint, which copies the live strings); for them only, the SQLSTATE is
inferred from PostgreSQL's own message texts (``PG_MESSAGE_STATES``).
"""

from __future__ import annotations

from sigv4_dataapi.dbapi.errors import (
    DatabaseError,
    DataError,
    IntegrityError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)

ErrorClass = type[DatabaseError]

# SQLSTATE class (two characters, else one) -> class; psycopg's table
SQLSTATE_CLASSES: dict[str, ErrorClass] = {
    "08": OperationalError,  # connection exception
    "0A": NotSupportedError,  # feature not supported
    "10": ProgrammingError,  # XQuery error
    "20": ProgrammingError,  # case not found
    "21": ProgrammingError,  # cardinality violation
    "22": DataError,  # data exception
    "23": IntegrityError,  # integrity constraint violation
    "24": InternalError,  # invalid cursor state
    "25": InternalError,  # invalid transaction state
    "26": ProgrammingError,  # invalid SQL statement name
    "27": OperationalError,  # triggered data change violation
    "28": OperationalError,  # invalid authorization specification
    "2B": InternalError,  # dependent privilege descriptors still exist
    "2D": InternalError,  # invalid transaction termination
    "2F": OperationalError,  # SQL routine exception
    "34": ProgrammingError,  # invalid cursor name
    "38": OperationalError,  # external routine exception
    "39": OperationalError,  # external routine invocation exception
    "3B": OperationalError,  # savepoint exception
    "3D": ProgrammingError,  # invalid catalog name
    "3F": ProgrammingError,  # invalid schema name
    "40": OperationalError,  # transaction rollback
    "42": ProgrammingError,  # syntax error or access rule violation
    "44": ProgrammingError,  # WITH CHECK OPTION violation
    "53": OperationalError,  # insufficient resources
    "54": OperationalError,  # program limit exceeded
    "55": OperationalError,  # object not in prerequisite state
    "57": OperationalError,  # operator intervention
    "58": OperationalError,  # system error
    "F": OperationalError,  # configuration file error
    "H": OperationalError,  # foreign data wrapper error
    "P": ProgrammingError,  # PL/pgSQL error
    "X": InternalError,  # internal error
}


def _numbers(cls: ErrorClass, *numbers: int) -> dict[int, ErrorClass]:
    return dict.fromkeys(numbers, cls)


# MySQL/MariaDB error number -> class; PyMySQL's error_map, then our additions
MYSQL_ERRNOS: dict[int, ErrorClass] = {
    **_numbers(ProgrammingError, 1007, 1149, 1064, 1146, 1102, 1103, 1110, 1111, 1112, 1113,
               1179, 1166),
    **_numbers(DataError, 1265, 1263, 1264, 1230, 1171, 1406, 1441, 1366, 1367),
    **_numbers(IntegrityError, 1062, 1216, 1452, 1217, 1451, 1215, 1048),
    **_numbers(NotSupportedError, 1196, 1235, 1289, 1286),
    **_numbers(OperationalError, 1044, 1045, 1040, 1142, 1143, 4025, 1213),
    # ours: unknown column, lock wait timeout, truncated wrong value
    1054: ProgrammingError,
    1205: OperationalError,
    1292: DataError,
}  # fmt: skip

# The SQLSTATEs MySQL sends where the errno is 0 or unknown (Connector/J's client errors).
MYSQL_STATES: dict[str, ErrorClass] = {"07001": ProgrammingError}

# Serverless v1 PostgreSQL: message start -> SQLSTATE (PostgreSQL's own texts)
PG_MESSAGE_STATES: tuple[tuple[str, str], ...] = (
    ("current transaction is aborted", "25P02"),
    ("duplicate key value violates unique constraint", "23505"),
    ("violates not-null constraint", "23502"),
    ("violates foreign key constraint", "23503"),
    ("violates check constraint", "23514"),
    ("violates exclusion constraint", "23P01"),
    ("division by zero", "22012"),
    ("invalid input syntax", "22P02"),
    ("value too long for type", "22001"),
    ("out of range", "22003"),
    ("syntax error at or near", "42601"),
    ("syntax error at end of input", "42601"),
    ("there is no parameter $", "42P02"),
    ("permission denied", "42501"),
    ("deadlock detected", "40P01"),
    ("could not serialize access", "40001"),
    ("canceling statement due to statement timeout", "57014"),
    ("does not exist", "42704"),  # refined below by what does not exist
    ("already exists", "42710"),
    ("No value specified for parameter", "22023"),
)
PG_MISSING: tuple[tuple[str, str], ...] = (
    ("relation ", "42P01"),
    ("column ", "42703"),
    ("function ", "42883"),
    ("operator ", "42883"),
    ("schema ", "3F000"),
    ("database ", "3D000"),
)

# SQLite's result code names, for the local endpoint's embedded default
SQLITE_CODES: dict[str, ErrorClass] = {
    "SQLITE_CONSTRAINT": IntegrityError,
    "SQLITE_ERROR": ProgrammingError,
    "SQLITE_MISMATCH": DataError,
    "SQLITE_TOOBIG": DataError,
    "SQLITE_RANGE": ProgrammingError,
    "SQLITE_BUSY": OperationalError,
    "SQLITE_LOCKED": OperationalError,
    "SQLITE_READONLY": OperationalError,
    "SQLITE_FULL": OperationalError,
}


def class_for_sqlstate(sqlstate: str) -> ErrorClass:
    return SQLSTATE_CLASSES.get(sqlstate[:2]) or SQLSTATE_CLASSES.get(sqlstate[:1]) or DatabaseError


def class_for_errno(errno: int) -> ErrorClass:
    found = MYSQL_ERRNOS.get(errno)
    if found is not None:
        return found
    return InternalError if errno < 1000 else OperationalError


def sqlite_class(code: str) -> ErrorClass:
    """``SQLITE_CONSTRAINT_PRIMARYKEY`` -> its primary code's class."""
    for prefix, cls in SQLITE_CODES.items():
        if code == prefix or code.startswith(prefix + "_"):
            return cls
    return OperationalError


def pg_state_from_message(text: str) -> str | None:
    """The SQLSTATE PostgreSQL uses for a message, when the message is a known one."""
    for needle, state in PG_MESSAGE_STATES:
        if needle in text:
            if state == "42704":
                return next((s for what, s in PG_MISSING if text.startswith(what)), state)
            return state
    return None
