"""What every page reached from a signed link in a mail shares: headers, language, errors.

Such a page's URL is a person's capability, so it is never stored (``no-store``), the
link's ``lang`` (in the clear beside the token) picks its language even when the
token no longer reads, and a refused link is a 4xx page in that language, or
problem+json for a client that asks for JSON, with nothing changed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from skydd.domain.errors import InvalidLink, LinkExpired, SkyddError
from skydd.jobs.queue import WorkQueue
from skydd.services.consent_withdrawal import ErasureDue
from skydd.web.errors import error_title, http_status_for, shown_message
from skydd.web.headers import page_headers
from skydd.web.language import negotiate_language
from skydd.web.negotiation import prefers_json
from skydd.web.pages import PageRenderer
from skydd.web.refusals import PROBLEM_BASE, PROBLEM_JSON
from skydd.web.translations import SOURCE_LANGUAGE, catalog_languages, gettext_noop

LINK_INVALID = gettext_noop(
    "This link is not valid. Check that you opened the whole link from the message."
)
UNANSWERABLE = gettext_noop("We could not do this. Please contact us.")

TokenQuery = Annotated[str | None, Query(alias="t")]


def action_of(request: Request, path: str, token: str | None, language: str) -> str:
    """The URL a page's form posts to: the same link, with its language."""
    root = str(request.scope.get("root_path", ""))
    return f"{root}{path}?{urlencode({'t': token or '', 'lang': language})}"


def link_page(
    pages: PageRenderer, template: str, language: str, context: dict[str, Any]
) -> HTMLResponse:
    """A page of a link, never stored."""
    return pages.render(template, language, context, headers=link_headers(language))


def link_headers(language: str) -> dict[str, str]:
    """A full page's headers; never stored, as its URL is a person's capability."""
    return page_headers(language) | {"Cache-Control": "no-store"}


def explanation_of(exc: SkyddError, expired: str) -> str:
    """What a refused link's page says: ``expired`` for an expired link, else the usual."""
    if isinstance(exc, LinkExpired):
        return expired
    if isinstance(exc, InvalidLink):
        return LINK_INVALID
    return UNANSWERABLE


def link_error(
    request: Request, pages: PageRenderer, exc: SkyddError, explanation: str
) -> Response:
    """The error page (or problem) of a refused link: nothing was changed."""
    status = http_status_for(exc)
    language = link_language(request)
    if prefers_json(request.headers.get("accept")):
        body = {
            "type": PROBLEM_BASE + exc.code,
            "title": error_title(status),
            "status": status,
            "detail": shown_message(exc) or explanation,
        }
        return JSONResponse(
            body, status_code=status, media_type=PROBLEM_JSON, headers=link_headers(language)
        )
    context: dict[str, Any] = {
        "root": str(request.scope.get("root_path", "")),
        "layout": "base.html",
        "org_name": None,
        "status": status,
        "title": error_title(status),
        "explanation": explanation,
        "message": None if isinstance(exc, InvalidLink) else shown_message(exc),
        "alternates": [],
    }
    return pages.render(
        "error.html", language, context, status_code=status, headers=link_headers(language)
    )


def link_language(request: Request) -> str:
    """The link's ``lang`` when it is one skydd speaks, else the browser's preference."""
    available = catalog_languages()
    requested = request.query_params.get("lang")
    if requested in available:
        return str(requested)
    return negotiate_language(request.headers.get("accept-language"), available) or SOURCE_LANGUAGE


def dispatch_erasure(request: Request, due: ErasureDue | None) -> None:
    """Hand the erasure a withdrawal made due to the workers (the sweep finds it otherwise)."""
    if due is not None and due.request is not None:
        queue: WorkQueue = request.app.state.work_queue
        queue.dispatch(due.request.id)
