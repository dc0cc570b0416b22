"""Server-rendered pages: the published policy and its embeddable form (P20, P21)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the web pages on ``app``."""
    del app
