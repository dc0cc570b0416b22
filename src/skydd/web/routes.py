"""Server-rendered pages: the published policy and its embeddable form (P20, P21)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from skydd.web import policy_pages
from skydd.web.pages import PageRenderer
from skydd.web.static import StaticAssets

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the web pages and their static files on ``app``."""
    app.state.web_pages = PageRenderer()
    app.include_router(policy_pages.router)
    app.mount("/static", StaticAssets(directory=STATIC), name="static")
