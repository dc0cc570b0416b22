"""``POST /api/v1/consent/banner``: a cookie banner's choice into the consent ledger (P9).

Public: the banner runs on the organisation's sites for visitors nobody knows, so no
token is asked for, and the app-wide rate limit per client address applies. The
browser calls it from another origin, so the route answers the CORS preflight and
every answer, errors included, carries ``Access-Control-Allow-Origin`` for an origin in
``SKYDD_EMBED__ALLOWED_ORIGINS`` (or skydd's own); others get no CORS headers, and their
browsers do not send the JSON body at all. No cookie is read or set (ADR 0022).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.banner import BannerChoiceIn, BannerConsentOut, BannerRecordedOut
from skydd.bootstrap import Container
from skydd.documents.localisation import localisation
from skydd.domain.consent import MAX_TEXT
from skydd.domain.errors import SkyddError
from skydd.services.banner import record_banner_choice

PATH = "/api/v1/consent/banner"
PLAIN_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
"""An origin as browsers send it; anything else is not recorded as the source."""
PREFLIGHT_MAX_AGE = "600"


def allowed_origins(container: Container) -> frozenset[str]:
    """The sites a banner may record from: the embed setting's, and skydd's own."""
    public = urlsplit(container.settings.server.public_url)
    own = f"{public.scheme}://{public.netloc}"
    return frozenset({*container.settings.embed.allowed_origins, own})


def _cors(request: Request, response: Response) -> None:
    """Let the browser read ``response`` when the request came from an allowed origin."""
    response.headers["Vary"] = "Origin"
    origin = request.headers.get("origin")
    container: Container = request.app.state.container
    if origin is not None and origin in allowed_origins(container):
        response.headers["Access-Control-Allow-Origin"] = origin


class CorsRoute(APIRoute):
    """A route whose every answer, a refusal included, carries the CORS headers.

    FastAPI answers validation and skydd errors outside the route, where a response
    header set by the route is lost; here they are answered by the app's own handlers
    (the one problem+json mapping) and then given the headers.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped."""
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except (SkyddError, RequestValidationError, HTTPException) as exc:
                response = await _problem(request, exc)
            _cors(request, response)
            return response

        return with_cors


async def _problem(request: Request, exc: Exception) -> Response:
    """``exc`` answered by the app's handler for its type (``skydd.api.problems``)."""
    for kind in type(exc).__mro__:
        handler = request.app.exception_handlers.get(kind)
        if handler is not None:
            answer = handler(request, exc)
            response: Response = await answer if inspect.isawaitable(answer) else answer
            return response
    raise exc  # pragma: no cover - install_problem_handlers handles every one of these


router = APIRouter(tags=["consent"], route_class=CorsRoute)

ERRORS = problem_responses(
    {
        400: "A purpose the banner does not offer, or one it offers left unanswered.",
        404: "No register is stored.",
        409: "The banner has changed since it was shown: load it again and ask again.",
        422: INVALID_REQUEST,
    }
)


@router.post(PATH, responses=ERRORS)
def record_choice(
    body: BannerChoiceIn, container: ContainerDep, http: Request
) -> BannerRecordedOut:
    """Record a cookie banner choice: one ledger event per purpose, none for an unchanged one.

    Public (no token). Under Global Privacy Control (``Sec-GPC: 1`` or ``gpc``), every
    purpose is refused unless the visitor chose in the dialog (``explicit``).
    """
    origin = http.headers.get("origin", "")
    choice = body.choice(
        origin=origin if PLAIN_ORIGIN.fullmatch(origin) and len(origin) < MAX_TEXT - 8 else "",
        gpc_header=http.headers.get("sec-gpc", "").strip() == "1",
    )
    recorded = record_banner_choice(
        container.uow(),
        container.clock,
        container.organisation_key,
        choice,
        localisation,
        container.receipts,
    )
    return BannerRecordedOut(
        banner_version=body.banner_version, consents=[BannerConsentOut.of(r) for r in recorded]
    )


@router.options(PATH, include_in_schema=False, status_code=status.HTTP_204_NO_CONTENT)
def preflight(http: Request) -> Response:
    """The CORS preflight: an allowed origin may POST JSON, with the GPC header."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if http.headers.get("access-control-request-method", "").upper() == "POST":
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Sec-GPC"
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
