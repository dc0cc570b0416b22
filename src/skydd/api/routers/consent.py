"""The consent ledger over HTTP: record a change, check one person (consent / read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from skydd.api.auth import PROTECTED_RESPONSES, ActorDep, NotAuthenticated, route_of
from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.consent import (
    BulkCheckIn,
    BulkCheckOut,
    CheckOut,
    CheckQuery,
    ConsentIn,
    ConsentOut,
)
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Action, Actor
from skydd.domain.identifiers import IdentifierKind
from skydd.services.access import authorise
from skydd.services.consent import (
    bulk_consent_check,
    check_consent_terms,
    consent_check,
    record_consent,
)
from skydd.services.subjects import Who

router = APIRouter(tags=["consent"])

ERRORS = {
    **PROTECTED_RESPONSES,
    **problem_responses(
        {
            400: "Unknown purpose or category, no identifier, a malformed one.",
            404: "No register is stored; for a check, no such purpose resting on consent.",
            422: INVALID_REQUEST,
        }
    ),
}


def _allowed(
    container: Container,
    http: Request,
    actor: Actor,
    action: Action,
    purpose: str,
    categories: tuple[str, ...] = (),
) -> Actor:
    """The actor, allowed ``action`` on the purpose's categories; else 403 (audited)."""
    authorise(
        container.uow(),
        container.clock,
        container.role_cache,
        actor,
        action,
        organisation=container.organisation_key,
        route=route_of(http),
        origin="api",
        purpose=purpose,
        data_categories=categories,
    )
    return actor


@router.get("/api/v1/consent/receipt-keys")
def receipt_keys(container: ContainerDep) -> dict[str, object]:
    """The public keys (a JWKS) that sign consent receipts: anyone may check a receipt."""
    return container.receipts.public_keys()


@router.post("/api/v1/consents", responses=ERRORS, status_code=status.HTTP_201_CREATED)
def record(
    body: ConsentIn, container: ContainerDep, http: Request, actor: ActorDep, response: Response
) -> ConsentOut:
    """Record a consent given, withdrawn or refused; answer with its receipt.

    The same change sent again records nothing (200, the same receipt).
    """
    categories = tuple(body.categories)
    if actor is None:
        raise NotAuthenticated
    check_consent_terms(container.uow(), container.organisation_key, body.purpose, categories)
    who = _allowed(container, http, actor, Action.CONSENT, body.purpose, categories)
    recorded = record_consent(
        container.uow(),
        container.clock,
        container.organisation_key,
        body.identifiers(),
        body.change(),
        container.receipts,
        who=Who(who.id, "api"),
    )
    if recorded.event is None:
        response.status_code = status.HTTP_200_OK
    state = recorded.state
    return ConsentOut(
        purpose=state.purpose,
        status=state.status,
        categories=list(state.categories),
        since=state.since,
        policy_version=state.policy_version,
        recorded=recorded.event is not None,
        withdrawn=list(recorded.withdrawn),
        receipt=recorded.receipt,
    )


@router.post("/api/v1/consent/check", responses=ERRORS)
def bulk_check(
    body: BulkCheckIn, container: ContainerDep, http: Request, actor: ActorDep
) -> BulkCheckOut:
    """Whether each of up to 100,000 people consents to a purpose now (a mailing list's filter).

    Unknown people are simply "no"; an identity that cannot be read is "no" and listed.
    """
    if actor is None:
        raise NotAuthenticated
    check_consent_terms(container.uow(), container.organisation_key, body.purpose)
    who = _allowed(container, http, actor, Action.READ, body.purpose)
    result = bulk_consent_check(
        container.uow(),
        container.clock,
        container.organisation_key,
        body.purpose,
        [_one(person.identifiers()) for person in body.identities],
        who=Who(who.id, "api"),
    )
    return BulkCheckOut(purpose=body.purpose, consented=result.consented, invalid=result.invalid)


def _one(identifiers: dict[IdentifierKind, str]) -> dict[IdentifierKind, str]:
    """One identifier of an identity; none or several make it unreadable (listed invalid)."""
    return identifiers if len(identifiers) == 1 else {}


@router.get("/api/v1/consent/check", responses=ERRORS)
def check(
    container: ContainerDep,
    http: Request,
    actor: ActorDep,
    query: Annotated[CheckQuery, Query()],
) -> CheckOut:
    """Whether one person consents to a purpose now; an unknown person is simply "no"."""
    purpose = query.purpose
    if actor is None:
        raise NotAuthenticated
    check_consent_terms(container.uow(), container.organisation_key, purpose, missing=True)
    who = _allowed(container, http, actor, Action.READ, purpose)
    state = consent_check(
        container.uow(),
        container.clock,
        container.organisation_key,
        query.identifiers(),
        purpose,
        who=Who(who.id, "api"),
    )
    return CheckOut.of(purpose, state)
