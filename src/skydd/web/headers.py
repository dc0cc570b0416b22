"""Response headers of the web pages: language, strict CSP, no sniffing, no referrer.

Pages load only their own stylesheet and script (``'self'``, no inline code), so the
CSP needs no nonce. Full pages may not be framed at all. Embed pages may be framed
only by ``Settings.embed.allowed_origins`` (CSP ``frame-ancestors``); with an empty
list nothing may frame them. ``X-Frame-Options`` cannot list origins (``ALLOW-FROM`` is
dead), and browsers that know ``frame-ancestors`` ignore it, so it is sent as ``DENY``
exactly when nothing may frame the page and left out otherwise. See
docs/decisions/0006-embed-and-language.md. Staff console pages are full pages that
no cache may keep (``Cache-Control: no-store``; ADR 0013).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

logger = logging.getLogger(__name__)

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
"""A plain origin; anything else could break out of the CSP header value."""

_BASE_POLICY = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'self'",
    "form-action 'self'",
)


def frame_ancestors(allowed_origins: Sequence[str]) -> str:
    """The ``frame-ancestors`` source list: the allowed origins, or ``'none'``."""
    origins = []
    for origin in allowed_origins:
        if _ORIGIN.fullmatch(origin):
            origins.append(origin)
        else:
            logger.warning("embed origin %r is not a plain origin; left out", origin)
    return " ".join(origins) if origins else "'none'"


def page_headers(language: str) -> dict[str, str]:
    """Headers of a full page: never framed."""
    return _headers(language, "'none'")


def console_headers(language: str) -> dict[str, str]:
    """Headers of a staff console page: never framed, never stored by any cache.

    ``no-store`` keeps a page showing who is signed in (and its CSRF token) out of
    shared caches and out of the browser's history cache after signing out.
    """
    return page_headers(language) | {"Cache-Control": "no-store", "Vary": "Accept-Language, Cookie"}


def embed_headers(language: str, allowed_origins: Sequence[str]) -> dict[str, str]:
    """Headers of an embeddable page: framed only by ``allowed_origins``."""
    return _headers(language, frame_ancestors(allowed_origins))


def _headers(language: str, ancestors: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": "; ".join((*_BASE_POLICY, f"frame-ancestors {ancestors}")),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Language": language,
        "Vary": "Accept-Language",
    }
    if ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"
    return headers
