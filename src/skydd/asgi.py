"""The ASGI entry point: the API and the web pages on one app.

This module sits above the sibling entry points ``skydd.api`` and ``skydd.web`` and
joins them; nothing in skydd imports it. ``skydd serve`` hands uvicorn the import
string of :func:`app_from_environment`, so the command line never imports the API.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from skydd.api.app import create_api
from skydd.api.hardening import TokenBuckets
from skydd.api.log_hygiene import install_log_hygiene
from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.web import routes as web_routes


def create_app(
    container: Container,
    *,
    rate_limit: TokenBuckets | None = None,
    intake_limit: TokenBuckets | None = None,
) -> FastAPI:
    """The whole HTTP surface: API under /api/v1, the policy and its embed at the root.

    The hardening middleware of ``create_api`` (headers, size and rate limits) covers
    the web pages too.
    """
    app = create_api(container, rate_limit=rate_limit, intake_limit=intake_limit)
    web_routes.install(app)
    return app


def app_from_environment() -> FastAPI:
    """Uvicorn factory: settings from the ``SKYDD_*`` environment, built once.

    Uvicorn has set up its log handlers by the time it calls this factory, so the
    personal-data filter reaches them here.
    """
    app = create_app(build_container(Settings()))
    install_log_hygiene()
    settle_heap()
    return app


def settle_heap() -> None:
    """Leave what start-up made out of the garbage collector's full scans from now on.

    The app's modules, register and templates are a large heap that lives as long as
    the process; a full collection walked all of it and stopped requests for 115-130 ms
    a few times a minute under load (``bench/consent.py``: that was the p99).
    ``gc.freeze`` moves it to a generation the collector never scans again.
    """
    gc.freeze()
