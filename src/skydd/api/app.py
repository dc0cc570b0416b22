"""The FastAPI application, created from a container; ``create_app`` is the only way in."""

from __future__ import annotations

from fastapi import FastAPI

import skydd
from skydd.api.problems import install_problem_handlers
from skydd.api.routers import health, register
from skydd.bootstrap import Container
from skydd.web import routes as web_routes


def create_app(container: Container) -> FastAPI:
    """Build the app: API under /api/v1, the published policy and embed at the root."""
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
    web_routes.install(app)
    return app
