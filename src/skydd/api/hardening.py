"""HTTP hardening of the whole app: security headers, body limits and a rate limit.

Four small ASGI middlewares, installed by ``skydd.api.app.create_api`` and so in front
of the API and the web pages alike:

- :class:`SecurityHeaders` adds ``X-Content-Type-Options``, ``Referrer-Policy``, a
  ``Content-Security-Policy`` and, on https, ``Strict-Transport-Security`` to every
  response, without replacing a header a route already set: the web pages send their
  own CSP (``skydd.web.headers``). An HTML response without a CSP (FastAPI's /docs page,
  which loads Swagger UI from a CDN) gets only ``frame-ancestors 'none'``, so it still
  works; everything else gets ``default-src 'none'``.
- :class:`BodySizeLimit` answers 413 to a declared ``Content-Length`` over the limit,
  and stops a streamed (chunked) body as soon as it passes the limit. The limit is
  1 MiB, but for staff uploading a file exported by hand (20 MiB and the form) and
  for a bulk consent check (16 MiB: 100,000 identities).
- :class:`NulGuard` answers 400 to a NUL character in the path, query or body (no
  field accepts one, and PostgreSQL cannot store one).
- :class:`RateLimit` is a token bucket per client address, answering 429 with
  ``Retry-After``. Health probes are exempt. The buckets live in this process: several
  worker processes each count on their own, so a multi-process deployment needs a
  shared (e.g. Redis-backed) limiter, which is not built yet.

The HSTS header trusts the scheme the ASGI server reports. Behind a TLS-terminating
proxy, run uvicorn with ``--proxy-headers`` and ``--forwarded-allow-ips`` so the scheme
is the client's.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skydd.api.problems import problem_response
from skydd.domain.request_work import MAX_UPLOAD_BYTES

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
"""The policy of JSON, problem and file responses: load nothing, be framed by nobody."""

HTML_FALLBACK_CSP = "frame-ancestors 'none'"
"""The policy of an HTML page that set none (Swagger UI at /docs needs its CDN)."""

HSTS = "max-age=63072000; includeSubDomains"
"""Two years, as the HSTS preload list asks; sent on https responses only."""

MAX_BODY_BYTES = 1024 * 1024
"""The default limit of a request body: 1 MiB."""

UPLOAD_PATH = re.compile(r"^/api/v1/requests/[^/]+/tasks/[^/]+/completion$")
"""Where staff upload a file exported by hand: the one route taking a binary body."""
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
"""An upload's body: the file at its limit, and room for the form's framing and note."""
BULK_CHECK_BODY_BYTES = 16 * 1024 * 1024
"""A bulk consent check: 100,000 identities of up to about 160 bytes each in JSON."""

LARGER_BODIES = (
    (UPLOAD_PATH, UPLOAD_BODY_BYTES),
    (re.compile(r"^/api/v1/consent/check$"), BULK_CHECK_BODY_BYTES),
)
"""The routes whose bodies may pass the 1 MiB default, with their own limits."""

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
"""Paths the rate limit leaves alone: probes of the orchestrator, called often."""


class SecurityHeaders:
    """Adds the security headers a response lacks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if "content-security-policy" not in headers:
                    html = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = HTML_FALLBACK_CSP if html else STRICT_CSP
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PayloadTooLarge(HTTPException):
    """A request body over the limit; an ``HTTPException`` so FastAPI lets it through."""

    def __init__(self) -> None:
        super().__init__(413, "Payload too large")


class BodySizeLimit:
    """Refuses request bodies larger than ``max_bytes`` with a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = next((n for where, n in LARGER_BODIES if where.match(path)), self.max_bytes)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large()(scope, receive, send)
            return
        received = 0

        def count(chunk: bytes) -> None:
            nonlocal received
            received += len(chunk)
            if received > limit:
                raise PayloadTooLarge

        await _with_body_check(self.app, scope, receive, send, count, (PayloadTooLarge, _too_large))


def _too_large() -> ASGIApp:
    return problem_response(413, "payload-too-large", "Payload too large", "request body too large")


NUL_DETAIL = "the request contains a NUL character, which no field accepts"

_NUL_IN_BODY = (b"\x00", b"\\u0000", b"%00")
"""A raw NUL, JSON's escape of it, and the percent-encoding forms and queries use."""

_NUL_TAIL = max(len(n) for n in _NUL_IN_BODY) - 1


class NulCharacterRefused(HTTPException):
    """A request carrying a NUL character; an ``HTTPException`` so FastAPI lets it through."""

    code = "nul-character"

    def __init__(self) -> None:
        super().__init__(400, NUL_DETAIL)


class NulGuard:
    """Refuses NUL characters in the path, the query and the body with a 400 problem.

    No field of skydd accepts one, and PostgreSQL cannot store one in text (a 500 on
    PostgreSQL, a stored NUL on SQLite): refusing at the edge answers the same on both
    engines, before any route runs. The body is scanned as it arrives, across chunk
    boundaries. ``%00`` counts in a body too: a form encodes NUL that way (in JSON it
    would be ordinary text, refused with the rest, which costs nothing real). An
    upload's body is a file, where NUL bytes are ordinary: it is not scanned, and its
    route checks the text fields itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the path and query now, and the body as the route reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if _has_nul(raw_path) or _has_nul(scope["query_string"]):
            await _nul_refused()(scope, receive, send)
            return
        if UPLOAD_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        tail = b""

        def scan(chunk: bytes) -> None:
            nonlocal tail
            window = tail + chunk
            if _has_nul(window):
                raise NulCharacterRefused
            tail = window[-_NUL_TAIL:]

        await _with_body_check(
            self.app, scope, receive, send, scan, (NulCharacterRefused, _nul_refused)
        )


async def _with_body_check(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    check: Callable[[bytes], None],
    refusal: tuple[type[HTTPException], Callable[[], ASGIApp]],
) -> None:
    """Run ``app`` with ``check`` called on each body chunk as the route reads it.

    ``check`` raises the ``HTTPException`` of ``refusal``. When FastAPI's body parsing
    meets it, its HTTPException handler answers (the same problem); when a route
    streamed the body itself and nothing was sent yet, the app ``refusal`` makes
    answers here (made only then: building an answer costs more than most requests).
    """
    started = False

    async def checking_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            check(message.get("body", b""))
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    refused, answer = refusal
    try:
        await app(scope, checking_receive, tracking_send)
    except refused:
        if started:
            raise
        await answer()(scope, receive, send)


def _has_nul(data: bytes) -> bool:
    lowered = data.lower()
    return any(needle in lowered for needle in _NUL_IN_BODY)


def _nul_refused() -> ASGIApp:
    return problem_response(400, "nul-character", "Invalid request", NUL_DETAIL)


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBuckets:
    """Token buckets per key: ``burst`` requests at once, refilled at ``per_minute``.

    ``monotonic`` is the time source in seconds; tests pass a fake one. An infinite
    ``per_minute`` allows everything.
    """

    per_minute: float = 120.0
    burst: int = 60
    monotonic: Callable[[], float] = time.monotonic
    max_keys: int = 10_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else seconds until one is free."""
        if math.isinf(self.per_minute):
            return 0.0
        now = self.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        rate = self.per_minute / 60.0
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _forget_idle(self, now: float) -> None:
        """Drop full buckets once there are many: they hold no state worth keeping."""
        if len(self._buckets) < self.max_keys:
            return
        rate = self.per_minute / 60.0
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * rate >= self.burst:
                del self._buckets[key]


class RateLimit:
    """Answers 429 with ``Retry-After`` once a client address has used its tokens."""

    def __init__(
        self, app: ASGIApp, buckets: TokenBuckets, exempt: Collection[str] = EXEMPT_PATHS
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request against its client's bucket, or refuse it."""
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait > 0:
            retry_after = str(max(1, math.ceil(wait)))
            response = problem_response(
                429,
                "rate-limited",
                "Too many requests",
                f"too many requests; retry after {retry_after} s",
                headers={"Retry-After": retry_after},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1")).strip()
    return None
