"""PEP 249's module interface: globals, the exception tree, types and constructors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from _dbapi_support import FakeDataAPI

from sigv4_dataapi import DataAPIError, dbapi
from sigv4_dataapi.dbapi.types import TYPE_OBJECTS, type_code, type_object

PEP_TREE = {
    "Warning": Exception,
    "Error": Exception,
    "InterfaceError": dbapi.Error,
    "DatabaseError": dbapi.Error,
    "DataError": dbapi.DatabaseError,
    "OperationalError": dbapi.DatabaseError,
    "IntegrityError": dbapi.DatabaseError,
    "InternalError": dbapi.DatabaseError,
    "ProgrammingError": dbapi.DatabaseError,
    "NotSupportedError": dbapi.DatabaseError,
}


def test_globals() -> None:
    assert dbapi.apilevel == "2.0"
    assert dbapi.threadsafety == 1
    assert dbapi.paramstyle == "named"


@pytest.mark.parametrize(("name", "parent"), PEP_TREE.items())
def test_exception_hierarchy_and_connection_attributes(name: str, parent: type) -> None:
    cls = getattr(dbapi, name)
    assert issubclass(cls, parent)
    assert getattr(dbapi.Connection, name) is cls
    assert getattr(dbapi.AsyncConnection, name) is cls


def test_errors_are_data_api_errors_and_size_error_is_data_error() -> None:
    assert issubclass(dbapi.Error, DataAPIError)
    assert issubclass(dbapi.ResultTooLargeError, dbapi.DataError)
    assert issubclass(dbapi.TransactionLostError, dbapi.OperationalError)


def test_constructors() -> None:
    assert dbapi.Date(2024, 1, 2) == dt.date(2024, 1, 2)
    assert dbapi.Time(3, 4, 5) == dt.time(3, 4, 5)
    assert dbapi.Timestamp(2024, 1, 2, 3, 4, 5) == dt.datetime(2024, 1, 2, 3, 4, 5)
    ticks = dt.datetime(2024, 1, 2, 3, 4, 5).timestamp()
    assert dbapi.DateFromTicks(ticks) == dt.date(2024, 1, 2)
    assert dbapi.TimeFromTicks(ticks) == dt.time(3, 4, 5)
    assert dbapi.TimestampFromTicks(ticks) == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert dbapi.Binary("ab") == b"ab" and dbapi.Binary(bytearray(b"\x00")) == b"\x00"


# typeName (as the engines report it) -> the one type object it belongs to
TYPE_NAMES = {
    "int4": "NUMBER", "int8": "NUMBER", "INT": "NUMBER", "BIGINT UNSIGNED": "NUMBER",
    "numeric": "NUMBER", "DECIMAL": "NUMBER", "float8": "NUMBER", "DOUBLE": "NUMBER",
    "bool": "NUMBER", "BIT": "NUMBER", "serial": "NUMBER", "TINYINT": "NUMBER",
    "text": "STRING", "varchar": "STRING", "VARCHAR": "STRING", "bpchar": "STRING",
    "json": "STRING", "jsonb": "STRING", "uuid": "STRING", "LONGTEXT": "STRING", "_text": "STRING",
    "bytea": "BINARY", "BLOB": "BINARY", "VARBINARY": "BINARY",
    "date": "DATETIME", "timestamptz": "DATETIME", "DATETIME": "DATETIME", "TIME": "DATETIME",
    "timestamp": "DATETIME",
}  # fmt: skip


@pytest.mark.parametrize(("type_name", "expected"), TYPE_NAMES.items())
def test_each_type_code_equals_exactly_one_type_object(type_name: str, expected: str) -> None:
    code = type_code(type_name, 0)
    matches = [obj.name for obj in TYPE_OBJECTS if obj == code]
    assert matches == [expected]
    assert code == getattr(dbapi, expected) and getattr(dbapi, expected) == code


@pytest.mark.parametrize(("jdbc", "expected"), [(4, "NUMBER"), (12, "STRING"), (-2, "BINARY"),
                                                (93, "DATETIME"), (1111, "STRING")])  # fmt: skip
def test_unknown_type_names_fall_back_on_the_jdbc_code(jdbc: int, expected: str) -> None:
    code = type_code("geography_thing", jdbc)
    assert code == "geography_thing"
    assert type_object(code) is getattr(dbapi, expected)


def test_serial_reports_its_storage_type() -> None:
    assert type_code("serial", 4) == "int4" and type_code("bigserial", -5) == "int8"


def test_description_from_column_metadata() -> None:
    fake = FakeDataAPI()
    cur = fake.connect(autocommit=True).cursor()
    assert cur.description is None and cur.rowcount == -1 and cur.arraysize == 1
    cur.execute("SELECT 1")
    assert cur.description == (("one", "int4", None, None, 10, 0, False),)
    assert cur.description[0][1] == dbapi.NUMBER
    assert cur.rowcount == 1 and cur.rownumber == 0
    assert cur.fetchone() == (1,) and cur.rownumber == 1
    assert cur.fetchone() is None and cur.fetchmany() == [] and cur.fetchall() == []
    assert cur.connection is not None
    cur.setinputsizes([1])
    cur.setoutputsize(10)
    cur.close()
    cur.close()
    with pytest.raises(dbapi.InterfaceError):
        cur.fetchone()


def test_fetch_without_result_set_is_programming_error() -> None:
    cur = FakeDataAPI().connect().cursor()
    with pytest.raises(dbapi.ProgrammingError, match="no result set"):
        cur.fetchall()


def test_optional_extensions_absent() -> None:
    cur = FakeDataAPI().connect().cursor()
    assert not hasattr(cur, "callproc") and not hasattr(cur, "nextset")


def test_importing_the_package_stays_cheap() -> None:
    heavy = "('asyncio', 'cryptography', 'sigv4_dataapi.dbapi.connection_async')"
    code = (
        "import sys, sigv4_dataapi; from sigv4_dataapi import dbapi; "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_description_is_found_by_the_columns_and_not_only_by_their_identity() -> None:
    from sigv4_dataapi._codec.result import ColumnMetadata
    from sigv4_dataapi.dbapi import _cursor_base

    columns = (ColumnMetadata("a", "a", 4, "int4", 10, nullable=0),)
    first = _cursor_base.describe(columns)
    assert _cursor_base.describe(columns) is first  # the same tuple again
    assert _cursor_base.describe(list(columns)) == first  # equal columns, another object
    other = (ColumnMetadata("b", "b", 12, "text", nullable=1),)
    for _ in range(_cursor_base._IDENTITY_SIZE + 1):  # the identity table is bounded
        assert _cursor_base.describe(tuple(other)) == (("b", "text", None, None, None, None, True),)
    assert _cursor_base.describe(columns) == (("a", "int4", None, None, 10, 0, False),)


def test_transaction_id_is_added_to_the_body() -> None:
    from sigv4_dataapi.dbapi._base import with_transaction

    assert with_transaction(b'{"sql":"x"}', None) == b'{"sql":"x"}'
    assert with_transaction(b'{"sql":"x"}', "t\u00e9") == b'{"sql":"x","transactionId":"t\\u00e9"}'
    assert with_transaction(b'{"sql":"y"}', "t\u00e9") == b'{"sql":"y","transactionId":"t\\u00e9"}'
