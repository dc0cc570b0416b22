"""Read-only register endpoints under /api/v1/register."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.register import RegisterSummaryOut
from skydd.domain.errors import NotFoundError
from skydd.domain.register import KEYED_SECTIONS
from skydd.services.register import current_register

router = APIRouter(
    prefix="/api/v1/register",
    tags=["register"],
    responses=problem_responses({404: "No register is stored, or no such section or entry."}),
)


@router.get("")
def get_register(container: ContainerDep) -> RegisterSummaryOut:
    """The stored register's version and counts per section."""
    stored = current_register(container.uow(), container.organisation_key)
    return RegisterSummaryOut.from_stored(stored)


@router.get("/organisation")
def get_organisation(container: ContainerDep) -> dict[str, Any]:
    """The controller, its DPO and contact points (P1, P2)."""
    register = current_register(container.uow(), container.organisation_key).register
    return register.organisation.model_dump(mode="json", exclude_none=True)


@router.get("/{section}", responses=problem_responses({422: INVALID_REQUEST}))
def list_section(section: str, container: ContainerDep) -> list[dict[str, Any]]:
    """Every entry of one register section (purposes, systems, retention …)."""
    register = current_register(container.uow(), container.organisation_key).register
    if section not in KEYED_SECTIONS:
        # The path is not echoed: error bodies never repeat what a client sent (STYLE §8.9).
        msg = f"no such register section; choose one of: {', '.join(KEYED_SECTIONS)}"
        raise NotFoundError(msg)
    return [item.model_dump(mode="json", exclude_none=True) for item in getattr(register, section)]


@router.get("/{section}/{key}", responses=problem_responses({422: INVALID_REQUEST}))
def get_entry(section: str, key: str, container: ContainerDep) -> dict[str, Any]:
    """One entry of a register section by key."""
    for item in list_section(section, container):
        if item.get("key") == key:
            return item
    msg = f"no {section} entry with that key"
    raise NotFoundError(msg)
