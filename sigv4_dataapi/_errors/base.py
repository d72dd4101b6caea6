"""The roots of the hierarchy and every error that is not a service's answer.

Configuration, signing, credentials, transport and parse failures; the service's
own error codes live in ``_errors_service``. Import both through ``_errors``,
whose docstring draws the whole tree.
"""

from __future__ import annotations

from collections.abc import Sequence


class DataAPIError(Exception):
    """Root of every exception raised by sigv4-dataapi."""


class ConfigurationError(DataAPIError):
    """Invalid argument, setting or input (a usage error)."""


class MissingDependencyError(ConfigurationError):
    """An optional extra is needed: the message says which one to install."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.feature = feature
        self.extra = extra
        self.module = module
        super().__init__(
            f"{feature} needs the {module!r} package: pip install 'sigv4-dataapi[{extra}]'"
        )


class SigningError(DataAPIError):
    """The request cannot be signed as given."""


class CredentialsError(DataAPIError):
    """Credentials could not be obtained."""


class NoCredentialsError(CredentialsError):
    """No credential provider was configured; ``attempts`` says why each passed."""

    def __init__(self, attempts: Sequence[tuple[str, str]] = ()) -> None:
        self.attempts = tuple(attempts)
        tried = "; ".join(f"{name}: {why}" for name, why in self.attempts)
        message = "no AWS credentials found"
        super().__init__(f"{message} (tried {tried})" if tried else message)


class CredentialProviderError(CredentialsError):
    """A provider is configured but broken: the chain stops here."""

    def __init__(self, provider: str, reason: str) -> None:
        self.provider = provider
        self.reason = reason
        super().__init__(f"{provider}: {reason}")


class StatementMayHaveRunError(DataAPIError):
    """The request reached the service but its outcome is unknown.

    A read timeout, a connection dropped after sending, a 5xx or a
    ``StatementTimeoutException``: the database may have executed the
    statement (and, with ``continueAfterTimeout``, may still be executing it).
    The client never replays such a statement on its own; pass
    ``idempotent=True`` for statements that are safe to run twice.
    ``operation`` names the call that failed (``None`` when unknown).
    """

    operation: str | None = None


class TransportError(DataAPIError):
    """The request could not be delivered, or no complete answer came back."""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation


class ConnectError(TransportError):
    """No connection could be made (refused, DNS, TLS handshake, connect timeout).

    Nothing was sent, so the statement provably did not run.
    """


class CertificateError(ConnectError):
    """The server's TLS certificate failed verification; retrying cannot help."""


class ReadTimeoutError(TransportError, StatementMayHaveRunError):
    """The request was sent but no answer came back within the read timeout."""


class ConnectionLostError(TransportError, StatementMayHaveRunError):
    """The connection failed after the request (or part of it) was sent."""


class ResponseTooLargeError(TransportError, StatementMayHaveRunError):
    """The answer grew past ``max_response_bytes`` (counted decompressed); it was not read.

    The service never answers more than about 10 MB, so this is a hostile or
    broken peer: the connection is closed at the limit, the memory held stays
    within it. Whatever the statement did is unknown (it may have run), and
    retrying cannot help: it is never replayed, even for an idempotent call.
    """

    def __init__(self, message: str, *, limit: int, operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.limit = limit


class ResponseParseError(DataAPIError):
    """The answer is not a well-formed Data API JSON response."""
