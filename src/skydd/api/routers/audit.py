"""The audit chain under /api/v1/audit: verify it, read its anchor (audit.read)."""

from __future__ import annotations

from fastapi import APIRouter

from skydd.api.auth import protected
from skydd.api.deps import ContainerDep
from skydd.api.problems import problem_responses
from skydd.api.schemas.audit import AnchorOut, ChainReportOut
from skydd.domain.access_vocabulary import Action
from skydd.services.audit import audit_anchor, verify_audit

router = APIRouter(
    prefix="/api/v1/audit",
    tags=["audit"],
    **protected(Action.AUDIT_READ),
)


@router.get("/verify", responses=problem_responses({404: "No register is stored."}))
def get_verify(container: ContainerDep) -> ChainReportOut:
    """Recompute the whole chain and name the first broken link, if any (P12)."""
    return ChainReportOut.from_domain(verify_audit(container.uow()))


@router.get(
    "/anchor",
    responses=problem_responses(
        {404: "No register is stored.", 409: "The head event no longer decodes."}
    ),
)
def get_anchor(container: ContainerDep) -> AnchorOut:
    """The head of the chain now, to publish and verify a later export against."""
    return AnchorOut.from_domain(audit_anchor(container.uow()))
