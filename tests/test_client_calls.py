"""``Calls``' request bodies: the fast paths send the bytes the plain ones did."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigv4_dataapi._client.calls import Calls, dumps
from sigv4_dataapi._codec.encode import LONG_MAX, LONG_MIN, encode_parameters, sql_parameter
from sigv4_dataapi._errors import ConfigurationError

PLAIN = json.JSONEncoder(separators=(",", ":"), allow_nan=False)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_dumps_is_the_plain_encoder(body: dict[str, Any]) -> None:
    assert dumps(body) == PLAIN.encode(body).encode("ascii")


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), b"x", {1.5j: 1}])
def test_dumps_refuses_what_is_not_json(value: object) -> None:
    with pytest.raises(ConfigurationError, match="cannot be sent as JSON"):
        dumps({"a": [value]})


def test_dumps_names_a_value_that_contains_itself() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ConfigurationError, match="Circular reference detected"):
        dumps({"resultSetOptions": {"x": loop}})


scalars = st.one_of(
    st.text(), st.integers(), st.booleans(), st.none(), st.floats(), st.binary(),
    st.integers(LONG_MIN - 2, LONG_MIN + 2), st.integers(LONG_MAX - 2, LONG_MAX + 2),
)  # fmt: skip


def outcome(call: Any) -> object:
    try:
        return call()
    except ConfigurationError as exc:
        return str(exc)


@given(
    st.dictionaries(st.text(max_size=3), scalars, max_size=4),
    st.dictionaries(st.text(max_size=3), st.sampled_from(["DECIMAL", "JSON", "BAD"]), max_size=2),
)
def test_encode_parameters_is_sql_parameter_of_each(
    params: dict[str, Any], hints: dict[str, str]
) -> None:
    hints = {name: hint for name, hint in hints.items() if name in params}
    expected = outcome(lambda: [sql_parameter(n, v, hints.get(n)) for n, v in params.items()])
    assert outcome(lambda: encode_parameters(params, type_hints=hints)) == expected


def test_execute_body_bytes() -> None:
    calls = Calls("arn:r", "arn:s", database="db")
    assert calls.execute("SELECT :a, :b", {"a": 5, "b": "é"}) == (
        b'{"resourceArn":"arn:r","secretArn":"arn:s","database":"db","sql":"SELECT :a, :b",'
        b'"parameters":[{"name":"a","value":{"longValue":5}},'
        b'{"name":"b","value":{"stringValue":"\\u00e9"}}],"includeResultMetadata":true}'
    )
