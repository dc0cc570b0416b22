"""The pages people reach from newsletter mail: confirm a subscription or renewal, unsubscribe.

A GET only shows: mail scanners and link previews fetch every link in a message, so
a GET that subscribed or unsubscribed would act for nobody. The page's button POSTs
to the same URL, and that records the choice.

The one exception is RFC 8058: a mail client's one-click unsubscribe POSTs
``List-Unsubscribe=One-Click`` to the ``List-Unsubscribe`` URL with no cookies and
follows no redirect, so that POST withdraws the consent at once and answers 200.

No CSRF token is asked: the signed link in the URL is the capability, and a page
elsewhere cannot know it. An expired, forged or stale link is a 4xx page in the
person's language (the link names it beside the token), or problem+json for a client
that asks for JSON, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from skydd.bootstrap import Container
from skydd.domain.errors import ConflictError, InvalidLink, SkyddError
from skydd.services.newsletter import (
    CONFIRM_LINK,
    CONFIRM_PATH,
    OBJECTED,
    SUBSCRIBER,
    UNSUBSCRIBE_LINK,
    UNSUBSCRIBE_PATH,
    LinkView,
    confirm,
    read_link,
    unsubscribe,
)
from skydd.services.subjects import Who
from skydd.web.deps import ContainerDep, PagesDep
from skydd.web.link_pages import (
    TokenQuery,
    action_of,
    dispatch_erasure,
    explanation_of,
    link_error,
    link_page,
)
from skydd.web.pages import PageRenderer
from skydd.web.translations import gettext_noop

router = APIRouter(include_in_schema=False)

ORIGIN = "web"
"""The audit origin of these pages; client addresses are not logged."""

LINK_EXPIRED = gettext_noop(
    "This link has expired. Subscribe again to get a new one, or contact us."
)
LINK_SUPPRESSED = gettext_noop(
    "You asked us not to send you direct marketing, so we cannot subscribe you. "
    "Contact us if you want to change that."
)


@router.get(CONFIRM_PATH, response_class=HTMLResponse)
def confirm_page(
    request: Request, container: ContainerDep, pages: PagesDep, t: TokenQuery = None
) -> Response:
    """What the link confirms, and the button that does it; nothing is recorded."""
    try:
        view = _view(container, CONFIRM_LINK, t)
        context = _context(request, view, CONFIRM_PATH, t)
        return link_page(pages, "newsletter_confirm.html", view.language, context)
    except SkyddError as exc:
        return _error(request, pages, exc)


@router.post(CONFIRM_PATH, response_class=HTMLResponse)
def confirm_form(
    request: Request, container: ContainerDep, pages: PagesDep, t: TokenQuery = None
) -> Response:
    """Record the consent the link stands for; show the receipt."""
    try:
        view = _view(container, CONFIRM_LINK, t)
        confirmed = confirm(
            container.uow(),
            container.clock,
            container.organisation_key,
            container.newsletters(),
            t or "",
            who=Who(SUBSCRIBER, ORIGIN),
        )
        context = _context(request, view, CONFIRM_PATH, t) | {
            "recorded": confirmed.recorded.event is not None,
            "receipt": confirmed.recorded.receipt,
        }
        return link_page(pages, "newsletter_confirmed.html", view.language, context)
    except SkyddError as exc:
        return _error(request, pages, exc)


@router.get(UNSUBSCRIBE_PATH, response_class=HTMLResponse)
def unsubscribe_page(
    request: Request, container: ContainerDep, pages: PagesDep, t: TokenQuery = None
) -> Response:
    """The button that unsubscribes; nothing is withdrawn by looking."""
    try:
        view = _view(container, UNSUBSCRIBE_LINK, t)
        context = _context(request, view, UNSUBSCRIBE_PATH, t)
        return link_page(pages, "newsletter_unsubscribe.html", view.language, context)
    except SkyddError as exc:
        return _error(request, pages, exc)


@router.post(UNSUBSCRIBE_PATH, response_class=HTMLResponse)
def unsubscribe_now(
    request: Request, container: ContainerDep, pages: PagesDep, t: TokenQuery = None
) -> Response:
    """Withdraw at once: RFC 8058's one-click POST, or the page's button (same effect)."""
    try:
        view = _view(container, UNSUBSCRIBE_LINK, t)
        recorded = unsubscribe(
            container.uow(),
            container.clock,
            container.organisation_key,
            container.newsletters(),
            t or "",
            who=Who(SUBSCRIBER, ORIGIN),
            source="list-unsubscribe",
        )
        dispatch_erasure(request, recorded.erasure)
        context = _context(request, view, UNSUBSCRIBE_PATH, t)
        return link_page(pages, "newsletter_unsubscribed.html", view.language, context)
    except SkyddError as exc:
        return _error(request, pages, exc)


def _view(container: Container, purpose_of_link: str, token: str | None) -> LinkView:
    if not token:
        msg = "the link has no token"
        raise InvalidLink(msg)
    return read_link(
        container.uow(),
        container.clock,
        container.organisation_key,
        container.links,
        purpose_of_link,
        token,
    )


def _context(request: Request, view: LinkView, path: str, token: str | None) -> dict[str, Any]:
    return {
        "root": str(request.scope.get("root_path", "")),
        "view": view,
        "org_name": view.organisation,
        "action": action_of(request, path, token, view.language),
    }


def _error(request: Request, pages: PageRenderer, exc: SkyddError) -> Response:
    """The error page (or problem) of a refused link: nothing was changed."""
    return link_error(request, pages, exc, _explanation(exc))


def _explanation(exc: SkyddError) -> str:
    if isinstance(exc, ConflictError) and exc.message == OBJECTED:
        return LINK_SUPPRESSED
    return explanation_of(exc, LINK_EXPIRED)
