"""The breach register under /api/v1/breaches (breach.manage; Art. 33(5))."""

from __future__ import annotations

from fastapi import APIRouter

from skydd.api.auth import protected
from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.breaches import BreachOut
from skydd.domain.access_vocabulary import Action
from skydd.domain.errors import NotFoundError
from skydd.services.breaches import get_breach, list_breaches

router = APIRouter(
    prefix="/api/v1/breaches",
    tags=["breaches"],
    **protected(Action.BREACH_MANAGE),
)


@router.get("", responses=problem_responses({404: "No register is stored."}))
def get_breaches(container: ContainerDep) -> list[BreachOut]:
    """Every documented breach, oldest first."""
    return [BreachOut.from_domain(b) for b in list_breaches(container.uow())]


@router.get(
    "/{reference}",
    responses=problem_responses(
        {404: "No register is stored, or no breach with that reference.", 422: INVALID_REQUEST}
    ),
)
def get_one_breach(reference: str, container: ContainerDep) -> BreachOut:
    """One breach by its reference, e.g. ``BR-2026-001``."""
    try:
        breach = get_breach(container.uow(), reference)
    except NotFoundError as exc:
        # Error bodies never repeat what a client sent (STYLE §8.9).
        msg = "no breach with that reference"
        raise NotFoundError(msg) from exc
    return BreachOut.from_domain(breach)
