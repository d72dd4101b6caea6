"""``SigV4Auth``: an ``httpx.Auth`` that signs any httpx request for any AWS service.

httpx calls ``auth_flow`` for every send, so each attempt of a retry loop is
signed afresh: the previous attempt's Authorization, X-Amz-Date and token are
removed first (pitfall 18) and the time is read from the injected clock. The
request is signed as it will go on the wire: ``url.raw_path`` (never the
decoded ``url.path``), httpx's own Host header, and every header line on its
own (``headers.raw``; httpx's ``items()`` joins repeated ones with ", ").
A form-style ``+`` in the query is sent as ``%20`` (what httpx's ``params=`` means).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime, timezone

import httpx

from sigv4_dataapi._credentials.value import Credentials
from sigv4_dataapi._sigv4.presign import PRESIGN_PARAMS
from sigv4_dataapi._sigv4.sign import (
    AUTHORIZATION,
    DEFAULT_SETTINGS,
    X_AMZ_CONTENT_SHA256,
    X_AMZ_DATE,
    X_AMZ_SECURITY_TOKEN,
    SigningResult,
    SigningSettings,
    sign_request,
)

# What a previous attempt's signature added; bytes, as in ``httpx.Headers.raw``.
_RESIGNED = frozenset(
    name.lower().encode("ascii") for name in (AUTHORIZATION, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN)
)
_RESIGNED_SHA256 = _RESIGNED | {X_AMZ_CONTENT_SHA256.lower().encode("ascii")}
Clock = Callable[[], datetime]
CredentialsLike = Credentials | Callable[[], Credentials]


def utc_now() -> datetime:
    """The default clock: an aware UTC datetime (never the naive ``utcnow``)."""
    return datetime.now(timezone.utc)


class SigV4Auth(httpx.Auth):
    """Sign httpx requests with SigV4 (or SigV4a through ``settings.algorithm``).

    ``credentials`` is a :class:`Credentials` or a zero-argument callable returning
    one (such as ``CredentialSource.get``), called on every attempt so refreshed
    credentials are used. ``clock`` returns the signing time (tests pass a fixed one).
    """

    requires_request_body = True

    def __init__(
        self,
        credentials: CredentialsLike,
        *,
        region: str,
        service: str,
        settings: SigningSettings = DEFAULT_SETTINGS,
        clock: Clock = utc_now,
        on_signed: Callable[[SigningResult, httpx.Request], None] | None = None,
    ) -> None:
        self._credentials = credentials
        self.region = region
        self.service = service
        self.settings = settings
        self._clock = clock
        self._on_signed = on_signed

    def __repr__(self) -> str:
        return f"SigV4Auth(region={self.region!r}, service={self.service!r})"

    def credentials(self) -> Credentials:
        creds = self._credentials
        return creds if isinstance(creds, Credentials) else creds()

    def sign(self, request: httpx.Request) -> SigningResult:
        """Sign ``request`` in place (replacing any earlier signature) and return the result."""
        credentials = self.credentials()
        stale = _RESIGNED_SHA256 if self.settings.content_sha256_header else _RESIGNED
        encoding = request.headers.encoding
        kept = [
            (name.decode(encoding), value.decode(encoding))
            for name, value in request.headers.raw
            if name.lower() not in stale
        ]
        _spaces_as_percent_20(request)
        target = request.url.raw_path.decode("ascii")
        if self.settings.signature_location == "query":
            target = _strip_presign(target)
        result = sign_request(
            request.method,
            target,
            headers=kept,
            body=request.content,
            credentials=credentials,
            region=self.region,
            service=self.service,
            now=self._clock(),
            settings=self.settings,
        )
        headers = request.headers
        if len(kept) != len(headers.raw):  # a retry: drop the previous attempt's signature
            for name in {n.decode(encoding) for n, _ in headers.raw if n.lower() in stale}:
                del headers[name]
        for name, value in result.headers.items():
            headers[name] = value
        if self.settings.signature_location == "query":
            request.url = request.url.copy_with(raw_path=result.url.encode("ascii"))
        if self._on_signed is not None:
            self._on_signed(result, request)
        return result

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request


def _spaces_as_percent_20(request: httpx.Request) -> None:
    """Send a form-style ``+`` in the query as ``%20`` (pitfall 13).

    httpx encodes ``params={"q": "a b"}`` as ``q=a+b``; services disagree on
    whether a raw ``+`` is a space, so the query is made unambiguous before
    it is signed, and the signed text is exactly what is sent.
    """
    path, sep, query = request.url.raw_path.partition(b"?")
    if b"+" in query:
        request.url = request.url.copy_with(raw_path=path + sep + query.replace(b"+", b"%20"))


def _strip_presign(target: str) -> str:
    """Drop the X-Amz-* auth parameters a previous presign attempt appended."""
    path, sep, query = target.partition("?")
    kept = [p for p in query.split("&") if p and p.partition("=")[0] not in PRESIGN_PARAMS]
    return path + (sep + "&".join(kept) if kept else "")
