"""Newsletter subscription under /api/v1/newsletters: public, rate-limited, no existence oracle.

The form of any site posts here; the answer is 202 with the same body whether the
address is new, subscribed, suppressed or unknown, and the confirmation mail (when
one is due) goes out after the answer, so how long the mail server takes tells
nothing either. Confirming and unsubscribing are pages (``skydd.web.newsletter_pages``):
people reach them from mail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request, status

from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.routers.requests import intake_limit
from skydd.api.schemas.newsletter import SubscriptionIn, SubscriptionOut
from skydd.api.schemas.people import PLAIN
from skydd.services.consent import check_consent_terms
from skydd.services.newsletter import SUBSCRIBER, deliver, subscribe
from skydd.services.subjects import Who

router = APIRouter(prefix="/api/v1/newsletters", tags=["newsletters"])

PurposeKey = Annotated[
    str, Path(max_length=200, pattern=PLAIN, description="A register purpose resting on consent.")
]


@router.post(
    "/{purpose}/subscriptions",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(intake_limit)],
    responses=problem_responses(
        {
            400: "The address, name, language or a category is malformed or unknown.",
            404: "No register is stored, or no such purpose resting on consent.",
            422: INVALID_REQUEST,
            429: "Too many submissions from this address; see Retry-After.",
        }
    ),
)
def post_subscription(
    purpose: PurposeKey,
    body: SubscriptionIn,
    container: ContainerDep,
    http: Request,
    background: BackgroundTasks,
) -> SubscriptionOut:
    """Subscribe an address: a confirmation link is mailed, and nothing starts until it is used.

    The same answer for every address. An address already subscribed, or on the
    suppression list for direct marketing, gets no mail; one that unsubscribed
    before gets the confirmation, since only its owner can follow the link.
    """
    check_consent_terms(container.uow(), container.organisation_key, purpose, missing=True)
    newsletters = container.newsletters()
    who = Who(SUBSCRIBER, http.client.host if http.client else "api")
    outgoing = subscribe(
        container.uow(),
        container.clock,
        container.organisation_key,
        newsletters,
        body.subscription(purpose),
        who=who,
    )
    if outgoing is not None:
        background.add_task(deliver, newsletters, outgoing)
    return SubscriptionOut()
