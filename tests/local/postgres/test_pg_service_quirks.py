"""Aurora PostgreSQL behaviours checked live (reference F17, F17b), through boto3.

One test per refused type, per failing value and per parameter-substitution
quirk (docs/local-endpoint-fidelity.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from conftest import LocalEndpoint

pytestmark = pytest.mark.postgres


def _call(endpoint: LocalEndpoint, sql: str, **params: str) -> dict[str, Any]:
    parameters = [{"name": k, "value": {"stringValue": v}} for k, v in params.items()]
    reply: dict[str, Any] = endpoint.rds.execute_statement(
        sql=sql, parameters=parameters, **endpoint.arns
    )
    return reply


def _failure(endpoint: LocalEndpoint, sql: str, **params: str) -> ClientError:
    with pytest.raises(ClientError) as caught:
        _call(endpoint, sql, **params)
    return caught.value


@pytest.mark.parametrize(
    ("expression", "type_name"),
    [("'1 day 02:00'::interval", "interval"), ("xmlparse(content '<a>x</a>')", "xml")],
)
def test_interval_and_xml_are_refused_and_their_text_casts_work(
    local_endpoint_postgres: LocalEndpoint, expression: str, type_name: str
) -> None:
    """F17b: UnsupportedResultException, like "char" and money; ``::text`` is the way out."""
    error = _failure(local_endpoint_postgres, f"SELECT {expression} AS v")
    assert error.response["Error"]["Code"] == "UnsupportedResultException"
    assert error.response["Error"]["Message"] == (
        f"The result contains the unsupported data type {type_name}."
    )
    reply = _call(local_endpoint_postgres, f"SELECT ({expression})::text AS v")
    assert reply["records"][0][0]["stringValue"] in ("1 day 02:00:00", "<a>x</a>")


@pytest.mark.parametrize(
    "expression",
    ["'infinity'::timestamp", "'-infinity'::timestamptz", "'infinity'::date",
     "ARRAY['-infinity'::date]"],
)  # fmt: skip
def test_an_infinite_timestamp_or_date_is_a_bare_500(
    local_endpoint_postgres: LocalEndpoint, expression: str
) -> None:
    """F17/F17b: InternalServerErrorException (500) with no message; text casts still work."""
    error = _failure(local_endpoint_postgres, f"SELECT now()::date AS d, {expression} AS v")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error.response["Error"]["Code"] == "InternalServerErrorException"
    assert error.response["Error"]["Message"] == ""
    reply = _call(local_endpoint_postgres, f"SELECT ({expression})::text AS v")
    assert "infinity" in str(reply["records"][0][0])


def test_a_name_inside_a_dollar_quoted_body_is_substituted(
    local_endpoint_postgres: LocalEndpoint,
) -> None:
    """F17b: the service's scanner does not know ``$$``: silent corruption, as live."""
    reply = _call(local_endpoint_postgres, "SELECT $$a :b c$$ AS v", b="x")
    assert reply["records"] == [[{"stringValue": "a $1 c"}]]


def test_an_array_slice_reads_as_a_parameter(local_endpoint_postgres: LocalEndpoint) -> None:
    """F17b: ``a[1:2]`` holds the parameter ``:2``, so PostgreSQL sees ``a[1$1]``.

    With or without a parameter called ``2``: PostgreSQL's syntax error comes first.
    """
    for params in ({}, {"2": "2"}):
        error = _failure(local_endpoint_postgres, "SELECT (ARRAY[1, 2, 3])[1:2] AS v", **params)
        assert error.response["Error"]["Code"] == "DatabaseErrorException"
        assert error.response["Error"]["Message"] == (
            'ERROR: syntax error at or near "$1"; Position: 26; SQLState: 42601'
        )
    missing = _failure(local_endpoint_postgres, "SELECT :a AS v")  # parses: the value is missing
    assert missing.response["Error"]["Message"].startswith("No value specified for parameter 1.")
    spaced = _call(local_endpoint_postgres, "SELECT (ARRAY[1, 2, 3])[1 : 2] AS v")
    assert spaced["records"] == [[{"arrayValue": {"longValues": [1, 2]}}]]


def test_a_name_in_brackets_is_substituted(local_endpoint_postgres: LocalEndpoint) -> None:
    """F17b: every ``:name`` in brackets is a parameter: meant in ``ARRAY[:a, :b]`` and
    ``arr[:i]`` (the DB-API lets those through), not in the slice ``arr[lo:hi]``.
    """
    reply = _call(local_endpoint_postgres, "SELECT ARRAY[:a, :b] AS v", a="x", b="y")
    assert reply["records"] == [[{"arrayValue": {"stringValues": ["x", "y"]}}]]
    reply = _call(local_endpoint_postgres, "SELECT (ARRAY['p', 'q'])[:i::int] AS v", i="2")
    assert reply["records"] == [[{"stringValue": "q"}]]
    sliced = "SELECT (ARRAY[1, 2, 3])[lo:hi] AS v FROM (SELECT 1 AS lo, 2 AS hi) AS s"
    error = _failure(local_endpoint_postgres, sliced, hi="2")
    assert error.response["Error"]["Message"].startswith('ERROR: column "lo$1" does not exist')


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ':b' AS v", ":b"),  # single-quoted string
        ("SELECT E'\\' :b' AS v", "' :b"),  # escape string
        ('SELECT 1 AS ":b"', 1),  # double-quoted identifier
        ("SELECT 'x' AS v -- :b", "x"),  # line comment
        ("SELECT /* :b */ 'y' AS v", "y"),  # block comment
    ],
)
def test_strings_identifiers_and_comments_are_respected(
    local_endpoint_postgres: LocalEndpoint, sql: str, expected: object
) -> None:
    """F17b: no substitution inside quotes or comments (no parameter is sent)."""
    reply = _call(local_endpoint_postgres, sql)
    assert next(iter(reply["records"][0][0].values())) == expected
