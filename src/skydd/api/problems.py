"""One mapping from error type to RFC 9457 problem+json, and the handlers that apply it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from skydd.api.schemas.problems import ProblemOut
from skydd.domain.errors import (
    AccessDenied,
    AuthenticationFailed,
    ConflictError,
    InternalError,
    InvalidInput,
    NotFoundError,
    SkyddError,
    TooManyAttempts,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://skydd.dev/problems/"

CHALLENGE = 'Bearer realm="skydd"'
"""The ``WWW-Authenticate`` challenge of every 401: the API takes bearer tokens."""

INVALID_REQUEST = "A parameter failed validation; ``errors`` names each one."
"""The description of a documented 422, which the validation handler below answers."""

PROBLEMS: list[tuple[type[SkyddError], int, str]] = [
    (InternalError, 500, "Internal error"),
    (AuthenticationFailed, 401, "Unauthorized"),
    (NotFoundError, 404, "Not found"),
    (ConflictError, 409, "Conflict"),
    (AccessDenied, 403, "Forbidden"),
    (TooManyAttempts, 429, "Too many requests"),
    (InvalidInput, 400, "Invalid input"),
    (SkyddError, 400, "Request refused"),
]
"""Most specific first: the first matching type decides status and title."""


INCIDENT_LETTERS = "abcdefghjkmnpqrstvwxyz"
"""Letters only: an id of digits could read as a phone number to the log filter."""


def new_incident() -> str:
    """A random id (12 letters, about 53 bits) naming one failure in the log and the answer."""
    return "".join(secrets.choice(INCIDENT_LETTERS) for _ in range(12))


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    """A problem+json response (RFC 9457), with any headers the status requires."""
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(described: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries: each status answers with a problem+json document.

    Declaring 422 here also replaces FastAPI's default ``HTTPValidationError`` entry,
    which names a body and media type the validation handler below never sends.
    """
    return {
        status: {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": ProblemOut.model_json_schema()}},
        }
        for status, description in described.items()
    }


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
        if status >= 500:
            return _internal(exc)
        # A 401 names the scheme to authenticate with (RFC 9110 §11.6.1, RFC 6750 §3).
        headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem_response(status, exc.code, title, exc.message, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field_of(e), "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "validation", "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The edge's own refusals (hardening) carry their code; Starlette's do not.
        code = getattr(exc, "code", None) or {
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
        }.get(exc.status_code, "http")
        # Keep the exception's headers: a 405 must name the allowed methods (RFC 9110 §15.5.6).
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem_response(
            exc.status_code, code, str(exc.detail), str(exc.detail), headers=headers or None
        )

    @app.exception_handler(OperationalError)
    async def _database_unavailable(_request: Request, exc: OperationalError) -> JSONResponse:
        # Busy (SQLite's write lock held past the busy timeout) or unreachable: try again
        # shortly. The statement and its parameters are never logged (personal data).
        incident = new_incident()
        logger.warning("database unavailable: %s (incident %s)", type(exc.orig).__name__, incident)
        return problem_response(
            503,
            "database-unavailable",
            "Service unavailable",
            f"the database is busy or unreachable; try again shortly (incident {incident})",
            headers={"Retry-After": "1"},
            incident=incident,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        incident = new_incident()
        logger.error("unhandled %s (incident %s)", type(exc).__name__, incident, exc_info=exc)
        return problem_response(
            500, "internal", "Internal error", f"incident {incident}", incident=incident
        )


def allowed_methods(request: Request) -> str:
    """Every method some route answers at this path.

    Starlette names only the methods of the first route whose path matches; a path
    served by two routes (a public POST and a staff GET) needs them all.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _field_of(error: Mapping[str, Any]) -> str:
    """Where a validation error is; an unknown field is not named.

    Its name came from the client and may be anything, an e-mail address included.
    """
    loc = [str(p) for p in error["loc"]]
    if error.get("type") == "extra_forbidden" and loc:
        loc[-1] = "(unknown field)"
    return ".".join(loc)


def _internal(exc: SkyddError) -> JSONResponse:
    """A generic 500 for skydd's own fault (corrupt data, missing keys, bad set-up).

    The body names the error code and an incident id only: the message may name a
    key id or a file, which is for the operator, so it goes to the log (ids, never
    personal data), where the incident id finds it.
    """
    incident = new_incident()
    logger.error(
        "%s (%s, incident %s): %s",
        type(exc).__name__,
        exc.code,
        incident,
        exc.message,
        exc_info=exc,
    )
    return problem_response(
        500, exc.code, "Internal error", f"internal error, incident {incident}", incident=incident
    )
