"""The HTTP API, created from a container; ``skydd.asgi`` adds the web pages to it."""

from __future__ import annotations

from fastapi import FastAPI

import skydd
from skydd.api.hardening import (
    MAX_BODY_BYTES,
    BodySizeLimit,
    NulGuard,
    RateLimit,
    SecurityHeaders,
    TokenBuckets,
)
from skydd.api.log_hygiene import install_log_hygiene
from skydd.api.problems import install_problem_handlers, problem_responses
from skydd.api.routers import (
    audit,
    banner,
    breaches,
    consent,
    events,
    health,
    newsletter,
    pixels,
    register,
    request_rights,
    request_tasks,
    requests,
    ropa,
)
from skydd.bootstrap import Container
from skydd.jobs.queue import work_queue


def create_api(
    container: Container,
    *,
    rate_limit: TokenBuckets | None = None,
    intake_limit: TokenBuckets | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Build the API: /api/v1, health probes, OpenAPI at /docs, problem+json errors.

    Every response gets the security headers of ``skydd.api.hardening``; bodies over
    ``max_body_bytes`` are refused, and each client address is held to ``rate_limit``
    (by default 120 requests a minute, 60 at once; ``TokenBuckets(per_minute=math.inf)``
    turns it off); the public request intake has its own, stricter ``intake_limit``
    (from the settings by default). Log handlers present now get the personal-data filter.
    """
    app = FastAPI(
        title="skydd",
        version=skydd.__version__,
        description=(
            "Privacy operations: register, published policy, Art. 30 record; "
            "audit chain and breach register with an API token."
        ),
        # Refusals of the edge (hardening) that any route can answer.
        responses=problem_responses(
            {
                400: "The request carries a NUL character, which no field accepts.",
                413: "The request body is over the size limit.",
            }
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.container = container
    app.state.work_queue = work_queue(container)
    intake = container.settings.requests
    app.state.intake_buckets = intake_limit or TokenBuckets(
        per_minute=intake.intake_per_hour / 60.0, burst=intake.intake_burst
    )
    install_problem_handlers(app)
    # The hot paths first: a request is matched against the routes in order, and the
    # consent routes answer web forms, banners and mailing tools (bench/consent.py).
    app.include_router(consent.router)
    app.include_router(banner.router)
    app.include_router(pixels.router)
    app.include_router(health.router)
    app.include_router(register.router)
    app.include_router(ropa.router)
    app.include_router(audit.router)
    app.include_router(breaches.router)
    app.include_router(requests.router)
    app.include_router(request_tasks.router)
    app.include_router(request_rights.router)
    app.include_router(newsletter.router)
    app.include_router(events.router)
    # Added last = outermost: a refused request never reaches the size check or a route,
    # and every answer, refusals included, passes through the header middleware.
    app.add_middleware(NulGuard)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(RateLimit, buckets=rate_limit or TokenBuckets())
    app.add_middleware(SecurityHeaders)
    install_log_hygiene()
    return app
