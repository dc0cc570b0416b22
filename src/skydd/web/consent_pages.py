"""The page of a consent link: erase chosen categories and keep the purpose, or withdraw it (P6).

A GET only shows what the person consents to now (mail scanners fetch every link);
the form POSTs to the same URL, and that withdraws: the categories ticked, or, with
the other button, the whole purpose. The answer says what was erased, what is kept
and why. The signed link in the URL is the capability, so no CSRF token is asked.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from skydd.domain.errors import InvalidLink, SkyddError
from skydd.domain.withdrawal import KeptBecause
from skydd.services.consent_links import (
    MANAGE_PATH,
    PERSON,
    ManagedConsent,
    managed_consent,
    withdraw_by_link,
)
from skydd.services.consent_withdrawal import ErasureDue
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
from skydd.web.translations import gettext_noop

router = APIRouter(include_in_schema=False)

WHO = Who(PERSON, "web")

LINK_EXPIRED = gettext_noop(
    "This link has expired. Use the link in a newer message from us, or contact us."
)
NOTHING_CHOSEN = gettext_noop(
    "Choose at least one kind of data to erase, or withdraw your consent entirely."
)
KEPT_BECAUSE = {
    KeptBecause.CHOSEN: gettext_noop("you chose to keep it"),
    KeptBecause.CONSENTED_ELSEWHERE: gettext_noop("you still consent to it for another purpose"),
    KeptBecause.NO_RULE: gettext_noop("we process it on another legal ground than your consent"),
}


@router.get(MANAGE_PATH, response_class=HTMLResponse)
def manage_page(
    request: Request, container: ContainerDep, pages: PagesDep, t: TokenQuery = None
) -> Response:
    """What the person consents to now, and the choices; nothing is changed by looking."""
    try:
        view = _managed(container, t)
        return link_page(pages, "consent_manage.html", view.language, _context(request, view, t))
    except SkyddError as exc:
        return _error(request, pages, exc)


@router.post(MANAGE_PATH, response_class=HTMLResponse)
def manage_form(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    t: TokenQuery = None,
    action: Annotated[str, Form()] = "erase",
    erase: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Withdraw the ticked categories (the purpose stays), or all of it; say what happened."""
    try:
        before = _managed(container, t)
        chosen = None if action == "withdraw" else tuple(erase or ())
        if chosen == ():
            context = _context(request, before, t) | {"problem": NOTHING_CHOSEN}
            return link_page(pages, "consent_manage.html", before.language, context)
        recorded = withdraw_by_link(
            container.uow(),
            container.clock,
            container.organisation_key,
            container.links,
            container.receipts,
            t or "",
            chosen,
            who=WHO,
        )
        dispatch_erasure(request, recorded.erasure)
        after = before.now(recorded.state)
        names = dict(before.categories)
        due = recorded.erasure
        erased = [] if due is None else sorted({*due.plan.categories, *_in_systems(due)})
        kept = [] if due is None else [(names.get(k, k), v) for k, v in due.plan.kept.items()]
        context = _context(request, after, t) | {
            "recorded": recorded.event is not None,
            "receipt": recorded.receipt,
            "erased": [names.get(k, k) for k in erased],
            "kept": [(name, KEPT_BECAUSE[why]) for name, why in kept],
            "request_reference": None
            if due is None or due.request is None
            else due.request.reference,
        }
        return link_page(pages, "consent_managed.html", after.language, context)
    except SkyddError as exc:
        return _error(request, pages, exc)


def _managed(container: ContainerDep, token: str | None) -> ManagedConsent:
    if not token:
        msg = "the link has no token"
        raise InvalidLink(msg)
    return managed_consent(
        container.uow(),
        container.clock,
        container.organisation_key,
        container.links,
        token,
        who=WHO,
    )


def _in_systems(due: ErasureDue) -> set[str]:
    return {c for categories in due.plan.systems.values() for c in categories}


def _context(request: Request, view: ManagedConsent, token: str | None) -> dict[str, Any]:
    return {
        "root": str(request.scope.get("root_path", "")),
        "view": view,
        "org_name": view.organisation,
        "action": action_of(request, MANAGE_PATH, token, view.language),
    }


def _error(request: Request, pages: PagesDep, exc: SkyddError) -> Response:
    return link_error(request, pages, exc, explanation_of(exc, LINK_EXPIRED))
