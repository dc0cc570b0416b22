"""Whether a client wants JSON or a page: the console answers browsers with HTML.

A refusal of a console route is an error page for a browser and an RFC 9457
problem+json document for a client that asks for JSON (``Accept``) more than for
HTML. Ties, wildcards and a missing header mean HTML: the console is for people.
"""

from __future__ import annotations

from skydd.web.language import header_quality

JSON_TYPES = frozenset({"application/json", "application/problem+json"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def prefers_json(accept: str | None) -> bool:
    """True when ``accept`` ranks a JSON type above every HTML type."""
    best_json = best_html = 0.0
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = header_quality(params) or 0.0
        media = media.lower()
        if media in JSON_TYPES:
            best_json = max(best_json, quality)
        elif media in HTML_TYPES:
            best_html = max(best_html, quality)
    return best_json > best_html
