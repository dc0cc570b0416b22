"""One mapping from error type to RFC 9457 problem+json, and the handlers that apply it."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from skydd.domain.errors import (
    AccessDenied,
    ConflictError,
    InvalidInput,
    NotFoundError,
    SkyddError,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://skydd.dev/problems/"

PROBLEMS: list[tuple[type[SkyddError], int, str]] = [
    (NotFoundError, 404, "Not found"),
    (ConflictError, 409, "Conflict"),
    (AccessDenied, 403, "Forbidden"),
    (InvalidInput, 400, "Invalid input"),
    (SkyddError, 400, "Request refused"),
]
"""Most specific first: the first matching type decides status and title."""


def problem_response(
    status: int, code: str, title: str, detail: str, **extra: object
) -> JSONResponse:
    """A problem+json response (RFC 9457)."""
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_of(exc: SkyddError) -> tuple[int, str]:
    """HTTP status and title for a skydd error, from the one mapping."""
    for error_type, status, title in PROBLEMS:
        if isinstance(exc, error_type):
            return status, title
    return 400, "Request refused"  # pragma: no cover - SkyddError is last


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error through the one mapping; unknown errors become a generic 500."""

    @app.exception_handler(SkyddError)
    async def _skydd(_request: Request, exc: SkyddError) -> JSONResponse:
        status, title = status_of(exc)
        return problem_response(status, exc.code, title, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "validation", "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem_response(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        logger.error("unhandled %s (incident %s)", type(exc).__name__, incident, exc_info=exc)
        return problem_response(
            500, "internal", "Internal error", f"incident {incident}", incident=incident
        )
