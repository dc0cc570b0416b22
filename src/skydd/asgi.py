"""The ASGI entry point: the API and the web pages on one app.

This module sits above the sibling entry points ``skydd.api`` and ``skydd.web`` and
joins them; nothing in skydd imports it. ``skydd serve`` hands uvicorn the import
string of :func:`app_from_environment`, so the command line never imports the API.
"""

from __future__ import annotations

from fastapi import FastAPI

from skydd.api.app import create_api
from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.web import routes as web_routes


def create_app(container: Container) -> FastAPI:
    """The whole HTTP surface: API under /api/v1, the policy and its embed at the root."""
    app = create_api(container)
    web_routes.install(app)
    return app


def app_from_environment() -> FastAPI:
    """Uvicorn factory: settings from the ``SKYDD_*`` environment, built once."""
    return create_app(build_container(Settings()))
