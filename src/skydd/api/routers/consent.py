"""The consent ledger over HTTP: record a change, check one person (consent / read).

These routes are a web form's and a mailing tool's hot path. A consent is recorded
with the other writes of the moment in one transaction (group commit, ADR 0027): the
async route hands it over and waits, and the batch checks the purpose, authorises and
records each write as if it were alone. A refusal still commits its audit event
before the 403. The checks read outside any transaction (the newest register version,
the roles cached for it), and on PostgreSQL those reads share one pooled connection.
The container is taken from the request, not declared as a dependency: a sync
dependency costs a thread hop per request (``bench/consent.py``).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from skydd.api.auth import PROTECTED_RESPONSES, ActorDep, NotAuthenticated, route_of
from skydd.api.deps import ContainerDep, get_container
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.consent import (
    BulkCheckIn,
    BulkCheckOut,
    CheckOut,
    CheckQuery,
    ConsentIn,
    ConsentOut,
    ErasureOut,
    IdentityIn,
)
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Action, Actor
from skydd.domain.identifiers import IdentifierKind
from skydd.jobs.queue import WorkQueue
from skydd.services.access import authorise
from skydd.services.consent import (
    ConsentWrite,
    bulk_consent_check,
    check_consent_terms,
    consent_check,
)
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

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
    uow: UnitOfWork,
    http: Request,
    actor: Actor,
    action: Action,
    purpose: str,
    categories: tuple[str, ...] = (),
) -> Actor:
    """The actor, allowed ``action`` on the purpose's categories; else 403 (audited)."""
    authorise(
        uow,
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
async def record(body: ConsentIn, http: Request, actor: ActorDep, response: Response) -> ConsentOut:
    """Record a consent given, withdrawn or refused; answer with its receipt.

    The same change sent again records nothing (200, the same receipt).
    """
    if actor is None:
        raise NotAuthenticated
    container = get_container(http)
    write = ConsentWrite(
        identifiers=body.identifiers(),
        change=body.change(),
        actor=actor,
        route=route_of(http),
        origin="api",
        erase=None if body.erase is None else tuple(body.erase),
    )
    # Recorded with the other writes of the moment, in one transaction (ADR 0027).
    applied = await container.consent_writes.record(write)
    recorded = applied.signed(container.receipts)
    if recorded.erasure is not None and recorded.erasure.request is not None:
        queue: WorkQueue = http.app.state.work_queue
        await run_in_threadpool(queue.dispatch, recorded.erasure.request.id)
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
        erasure=ErasureOut.of(recorded.erasure),
    )


@router.post("/api/v1/consent/check", responses=ERRORS)
def bulk_check(body: BulkCheckIn, http: Request, actor: ActorDep) -> BulkCheckOut:
    """Whether each of up to 100,000 people consents to a purpose now (a mailing list's filter).

    Unknown people are simply "no"; an identity that cannot be read is "no" and listed.
    """
    if actor is None:
        raise NotAuthenticated
    container = get_container(http)
    uow = container.uow()
    with uow:
        cache = container.role_cache
        check_consent_terms(uow, container.organisation_key, body.purpose, cache=cache)
        who = _allowed(container, uow, http, actor, Action.READ, body.purpose)
        result = bulk_consent_check(
            uow,
            container.clock,
            container.organisation_key,
            body.purpose,
            [_one(identity) for identity in body.identities],
            who=Who(who.id, "api"),
        )
    return BulkCheckOut(purpose=body.purpose, consented=result.consented, invalid=result.invalid)


_KINDS = {kind.value: kind for kind in IdentifierKind}
_UNREADABLE = re.compile(r"[\x00-\x1f\x7f\\]")
"""What no identifier holds (``schemas.people.PLAIN`` refuses it elsewhere)."""


def _one(identity: IdentityIn) -> dict[IdentifierKind, str]:
    """The one identifier of an identity; none, several or an unreadable one: unreadable."""
    if len(identity) == 1:  # nearly always: a check reads 100,000 of these
        [(key, value)] = identity.items()
    else:
        given = [(key, value) for key, value in identity.items() if value is not None]
        if len(given) != 1:
            return {}
        [(key, value)] = given
    if not isinstance(value, str) or _UNREADABLE.search(value):
        return {}
    return {_KINDS[key]: value}


@router.get("/api/v1/consent/check", responses=ERRORS)
def check(http: Request, actor: ActorDep, query: Annotated[CheckQuery, Query()]) -> CheckOut:
    """Whether one person consents to a purpose now; an unknown person is simply "no"."""
    purpose = query.purpose
    if actor is None:
        raise NotAuthenticated
    container = get_container(http)
    uow = container.uow()
    with uow:
        cache = container.role_cache
        check_consent_terms(uow, container.organisation_key, purpose, missing=True, cache=cache)
        who = _allowed(container, uow, http, actor, Action.READ, purpose)
        state = consent_check(
            uow,
            container.clock,
            container.organisation_key,
            query.identifiers(),
            purpose,
            who=Who(who.id, "api"),
        )
    return CheckOut.of(purpose, state)
