"""The whole exception hierarchy of sigv4-dataapi.

    DataAPIError                      root of everything this package raises
    ├── ConfigurationError            bad argument, missing region/ARN, bad input file
    │   └── MissingDependencyError    an optional extra is not installed
    ├── SigningError                  a request cannot be signed (bad header, bad key id)
    ├── CredentialsError              credentials could not be obtained
    │   ├── NoCredentialsError        no provider was configured (lists every attempt)
    │   └── CredentialProviderError   a provider was configured but is broken
    ├── TransportError                the request could not be delivered or answered
    ├── ResponseParseError            the answer is not the service's JSON
    └── ServiceError                  the service answered with an error code

The client's own module extends ``ServiceError`` with one class per service
error code (see ``_service_errors`` there); this module holds the roots every
layer needs, so that the CLI can map a whole branch to one exit status.
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
            f"{feature} needs the {module!r} package: "
            f"pip install 'sigv4-dataapi[{extra}]'"
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


class TransportError(DataAPIError):
    """The request could not be delivered, or no complete answer came back."""


class ResponseParseError(DataAPIError):
    """The answer is not a well-formed Data API JSON response."""


class ServiceError(DataAPIError):
    """The service answered with an error; subclasses exist per error code."""
