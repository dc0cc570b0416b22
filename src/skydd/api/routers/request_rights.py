"""Rectification and restriction for staff: corrections old → new, limits, lifting a restriction."""

from __future__ import annotations

from fastapi import APIRouter

from skydd.api.auth import PROTECTED_RESPONSES, ManagesRequests, ReadsRequests
from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.requests import CorrectionsOut, LimitOut, ReasonIn
from skydd.services.processing_limits import lift_restriction, request_limits
from skydd.services.request_corrections import request_corrections
from skydd.services.requests import StaffDecision
from skydd.services.subjects import Who

router = APIRouter(prefix="/api/v1/requests/{reference}", tags=["requests"])

ERRORS = {
    **PROTECTED_RESPONSES,
    **problem_responses(
        {
            404: "No register, or no request with that reference.",
            409: "Not a rectification (corrections), or no restriction to lift.",
            422: INVALID_REQUEST,
            502: "The notice to the person could not be sent; nothing was lifted.",
        }
    ),
}


@router.get("/corrections", responses=ERRORS)
def corrections(reference: str, container: ContainerDep, actor: ReadsRequests) -> CorrectionsOut:
    """A rectification's corrections asked for, and old → new per field (the read is audited)."""
    found = request_corrections(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        who=Who(actor.id, "api"),
    )
    return CorrectionsOut.from_domain(found)


@router.get("/limits", responses=ERRORS)
def limits(reference: str, container: ContainerDep, _actor: ReadsRequests) -> list[LimitOut]:
    """The restriction, objection or suppression the request set, lifted or not."""
    found = request_limits(container.uow(), container.organisation_key, reference)
    return [LimitOut.from_domain(limit) for limit in found]


@router.post("/restriction-lifting", responses=ERRORS)
def lift(
    reference: str, body: ReasonIn, container: ContainerDep, actor: ManagesRequests
) -> LimitOut:
    """Lift a restriction: the person is told why first (Art. 18(3)), then the flags clear."""
    lifted = lift_restriction(
        container.uow(),
        container.clock,
        container.organisation_key,
        StaffDecision(reference, body.reason, Who(actor.id, "api")),
        container.postman(),
        container.systems,
    )
    return LimitOut.from_domain(lifted)
