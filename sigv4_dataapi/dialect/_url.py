"""``postgresql+dataapi:///DBNAME?resource_arn=…`` -> keyword arguments of ``dbapi.connect``.

The URL names no host, user or password: a Data API "connection" is a cluster
ARN and a secret ARN, and the HTTPS endpoint is derived from the region (or
given). Every query key is optional: whatever the URL leaves out comes from
``connect_args``, then from the environment and the profile, which is
``dbapi.connect``'s own resolution (so it is not repeated here). SQLAlchemy
has already percent-decoded the query values, so ARNs and endpoint URLs may
be URL-encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine.url import URL

__all__ = ["URL_KEYS", "connect_kwargs"]

# URL query key -> dbapi.connect keyword (ca_file is the Client's ``verify=`` path).
URL_KEYS: Mapping[str, str] = {
    "resource_arn": "resource_arn",
    "secret_arn": "secret_arn",
    "region": "region",
    "endpoint_url": "endpoint_url",
    "ca_file": "verify",
    "profile": "profile",
    "schema": "schema",
    "timeout": "timeout",
    "resume_timeout": "resume_timeout",
}
_FLOATS = frozenset({"timeout", "resume_timeout"})


def connect_kwargs(url: URL, engine: str) -> dict[str, Any]:
    """The keyword arguments for ``dbapi.connect`` that ``url`` carries.

    A host, port, user or password, an unknown key or a repeated key is an
    ``ArgumentError`` of one line: it would otherwise be silently ignored and
    the engine would talk to another cluster than the one the URL names.
    """
    if url.host or url.port or url.username or url.password:
        raise exc.ArgumentError(
            f"a {url.drivername} URL has no host, port, user or password: use "
            f"{url.drivername}:///DBNAME?resource_arn=...&secret_arn=...&region=..."
        )
    kwargs: dict[str, Any] = {"engine": engine}
    if url.database:
        kwargs["database"] = url.database
    for key, value in url.query.items():
        if key not in URL_KEYS:
            raise exc.ArgumentError(
                f"unknown {url.drivername} URL key {key!r}; known keys: {', '.join(URL_KEYS)}"
            )
        if not isinstance(value, str):
            raise exc.ArgumentError(f"{url.drivername} URL key {key!r} is given more than once")
        kwargs[URL_KEYS[key]] = _number(key, value) if key in _FLOATS else value
    return kwargs


def _number(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        message = f"URL key {key!r} must be a number of seconds, not {value!r}"
        raise exc.ArgumentError(message) from None
