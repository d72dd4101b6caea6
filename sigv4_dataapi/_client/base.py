"""What ``Client`` and ``AsyncClient`` share: their arguments and the state of a transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sigv4_dataapi._credentials.getter import CredentialGetter
from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._errors import ConfigurationError
from sigv4_dataapi._transport import driver as _transport
from sigv4_dataapi._transport.bounds import DEFAULT_MAX_RESPONSE_BYTES
from sigv4_dataapi._transport.endpoint import Verify
from sigv4_dataapi._transport.retry import RetryPolicy

if TYPE_CHECKING:
    import httpx

from sigv4_dataapi._client.calls import Calls, OnResume


class BaseClient:
    """What both clients share: the arguments, the bodies (``calls``), the transport options.

    Region and endpoint come from the arguments, then the environment and
    profile, then the ARN; ``verify`` is True/False, a CA bundle path or an
    ``ssl.SSLContext``. A paused cluster is waited out (``resume_timeout``,
    progress to ``on_resume``); ambiguous failures are raised as
    :class:`~sigv4_dataapi._errors.StatementMayHaveRunError` unless the
    statement is declared ``idempotent`` (per call, or here for all calls).
    ``timeout`` (seconds, or an ``httpx.Timeout``) bounds each phase of an
    attempt and the whole attempt: connecting, sending and reading the entire
    answer must fit in the largest of the connect/write/read timeouts, so
    ``timeout=2`` gives up on a peer trickling its answer after about 2 s
    (default: 70 s, the service answers within 45 s); a slow answer is a
    ``ReadTimeoutError`` (may have run). ``max_response_bytes`` (default 16 MiB;
    the service answers at most ~10 MB) caps an answer, counted after
    decompression: a larger one is a ``ResponseTooLargeError``, refused before it
    is all in memory. Other keywords go to the transport (``http_client``,
    ``http_transport``, ``sleep``...).

    ``idempotent`` and ``resume_timeout`` given with ``retry=RetryPolicy(...)``
    override the policy's fields of the same name: an argument written at the
    call site is the more specific wish, as a call's ``idempotent=`` overrides
    the client's. Left out, the policy's values (or the defaults: False, 90 s) hold.
    """

    def __init__(
        self,
        resource_arn: str,
        secret_arn: str,
        *,
        database: str | None = None,
        schema: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        credentials: Credentials | CredentialGetter | None = None,
        profile: str | None = None,
        verify: Verify = True,
        timeout: float | httpx.Timeout | None = None,
        idempotent: bool | None = None,
        resume_timeout: float | None = None,
        on_resume: OnResume | None = None,
        retry: RetryPolicy | None = None,
        fips: bool = False,
        dualstack: bool = False,
        include_result_metadata: bool = True,
        convert: bool = True,
        env: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        **transport: Any,
    ) -> None:
        self.calls = Calls(
            resource_arn, secret_arn, database=database, schema=schema,
            include_result_metadata=include_result_metadata, convert=convert,
        )  # fmt: skip
        policy = _policy(retry, idempotent=idempotent, resume_timeout=resume_timeout)
        self._connect(dict(
            region=region, endpoint_url=endpoint_url, credentials=credentials, profile=profile,
            resource_arn=resource_arn, verify=verify, timeout=timeout, retry=policy, env=env,
            hooks=_transport.TransportHooks(on_resume_wait=on_resume), fips=fips,
            dualstack=dualstack, max_response_bytes=max_response_bytes, **transport,
        ))  # fmt: skip

    transport: _transport.BaseTransport  # the sync or async driver, set by ``_connect``

    def _connect(self, options: dict[str, Any]) -> None:
        """Build ``self.transport`` (sync or async) from the options."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(resource_arn={self.calls.resource_arn!r}, "
                f"endpoint={self.transport.settings.endpoint.url!r})")  # fmt: skip


def _policy(
    retry: RetryPolicy | None, *, idempotent: bool | None, resume_timeout: float | None
) -> RetryPolicy:
    """``retry`` (or the default policy) with the explicit arguments written over it."""
    policy = retry or RetryPolicy()
    if idempotent is None and resume_timeout is None:
        return policy
    import dataclasses

    changes: dict[str, Any] = {}
    if idempotent is not None:
        changes["idempotent"] = idempotent
    if resume_timeout is not None:
        changes["resume_timeout"] = resume_timeout
    return dataclasses.replace(policy, **changes)


class BaseTransaction:
    """The state of one transaction, sync or async: begin options, id, final status.

    The id is obtained by the subclass's ``_transaction_id``, the single place a
    lazy ``BeginTransaction`` (on the first statement) would hook into.
    """

    def __init__(self, *, database: str | None, schema: str | None) -> None:
        self._begin_options = {"database": database, "schema": schema}
        self._id: str | None = None
        self.status: str | None = None

    @property
    def id(self) -> str | None:
        return self._id

    def _check_open(self) -> None:
        if self.status is not None:
            raise ConfigurationError(f"the transaction has ended ({self.status})")
