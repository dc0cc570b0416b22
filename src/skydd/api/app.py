"""The HTTP API, created from a container; ``skydd.asgi`` adds the web pages to it."""

from __future__ import annotations

from fastapi import FastAPI

import skydd
from skydd.api.problems import install_problem_handlers
from skydd.api.routers import health, register, ropa
from skydd.bootstrap import Container


def create_api(container: Container) -> FastAPI:
    """Build the API: /api/v1, health probes, OpenAPI at /docs, problem+json errors."""
    app = FastAPI(
        title="skydd",
        version=skydd.__version__,
        description="Privacy operations: register, published policy, Art. 30 record.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.container = container
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(register.router)
    app.include_router(ropa.router)
    return app
