"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skydd.api.deps import ContainerDep
from skydd.api.problems import problem_response, problem_responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses=problem_responses({503: "The database cannot be reached."}),
)
def readyz(container: ContainerDep) -> dict[str, str] | JSONResponse:
    """The process can reach its database."""
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return problem_response(503, "not-ready", "Not ready", "database unreachable")
    return {"status": "ready"}
