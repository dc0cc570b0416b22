"""Server-rendered pages: the policy, its embed (P20, P21), the console, the cookie banner (P9)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skydd.web import (
    consent_banner,
    consent_pages,
    console_pages,
    newsletter_pages,
    policy_pages,
)
from skydd.web.pages import PageRenderer
from skydd.web.refusals import install_refusal_handlers
from skydd.web.static import StaticAssets

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the web pages, the staff console and their static files on ``app``."""
    app.state.web_pages = PageRenderer()
    app.state.consent_scripts = consent_banner.BannerScripts()
    app.include_router(policy_pages.router)
    app.include_router(consent_banner.router)
    app.include_router(newsletter_pages.router)
    app.include_router(consent_pages.router)
    app.include_router(console_pages.router)
    install_refusal_handlers(app)
    app.mount("/static", StaticAssets(directory=STATIC), name="static")
