"""Event sign-ups under /api/v1/events: a public form, and the list for staff (need-to-know).

Signing up is public like the request intake, and held to the same stricter rate
limit per client address; its answer is the same whether or not the person was
known. Listing needs a token whose roles may read the event's purpose; each field
is then shown or withheld category by category.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from skydd.api.auth import PROTECTED_RESPONSES, ActorDep, NotAuthenticated, route_of
from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.routers.requests import intake_limit
from skydd.api.schemas.events import EventSignupsOut, SignupIn, SignupReceivedOut
from skydd.domain.events import EVENT_KEY
from skydd.services.events import event_signups, sign_up
from skydd.services.subjects import Who

router = APIRouter(prefix="/api/v1/events", tags=["events"])

PARTICIPANT = Who(actor="participant", origin="api")
"""The audit's actor of a public sign-up: the person, unauthenticated."""

EventKey = Annotated[
    str, Path(pattern=EVENT_KEY, max_length=100, description="The event's key (`summit-2026`).")
]

PUBLIC_ERRORS = {
    400: "No consent, a malformed identifier, a category the event's purpose does not"
    " process, or a sensitive one without the separate explicit consent.",
    404: "No register is stored, or no event with that key.",
    409: "The event has taken place.",
    422: INVALID_REQUEST,
    429: "Too many sign-ups from this address; see Retry-After.",
}
STAFF_ERRORS = {
    **PROTECTED_RESPONSES,
    **problem_responses(
        {
            404: "No register is stored, or no event with that key.",
            422: INVALID_REQUEST,
        }
    ),
}


@router.post(
    "/{event}/signups",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(intake_limit)],
    responses=problem_responses(PUBLIC_ERRORS),
)
def sign_up_for(event: EventKey, body: SignupIn, container: ContainerDep) -> SignupReceivedOut:
    """Sign up for an event with consent; food preferences need the explicit consent too.

    Signing up again updates what was given; it never makes a second sign-up.
    """
    sign_up(
        container.uow(),
        container.clock,
        container.organisation_key,
        event,
        body.form(),
        container.receipts,
        who=PARTICIPANT,
    )
    return SignupReceivedOut(event=event)


@router.get("/{event}/signups", responses=STAFF_ERRORS)
def signups(
    event: EventKey, container: ContainerDep, http: Request, actor: ActorDep
) -> EventSignupsOut:
    """Who signed up; each field shown only if the caller's roles may read that category.

    A field withheld from the caller is listed as such for everyone signed up, so it
    does not tell whether a value exists. Each person listed is an audited read.
    """
    if actor is None:
        raise NotAuthenticated
    found = event_signups(
        container.uow(),
        container.clock,
        container.role_cache,
        container.organisation_key,
        event,
        actor,
        route=route_of(http),
        origin="api",
    )
    return EventSignupsOut.of(found)
