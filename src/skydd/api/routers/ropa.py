"""The Art. 30 record under /api/v1/ropa: JSON by default, or a CSV, Excel or HTML file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from skydd.api.deps import ContainerDep
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.documents.ropa_export import RopaFormat, export_ropa
from skydd.domain.errors import UnknownLanguageError
from skydd.domain.ropa import ROPA_LANGUAGES, check_ropa_language, default_ropa_language
from skydd.services.register import current_register

router = APIRouter(prefix="/api/v1/ropa", tags=["ropa"])

_ATTACHMENTS = frozenset({RopaFormat.CSV, RopaFormat.XLSX})
"""Formats a browser should save rather than show."""


@router.get(
    "",
    responses={
        200: {
            "description": "The record in the requested format.",
            "content": {f.media_type.split(";")[0]: {} for f in RopaFormat},
        },
        **problem_responses(
            {
                400: "The record has no such language.",
                404: "No register is stored.",
                422: INVALID_REQUEST,
            }
        ),
    },
)
def get_ropa(
    container: ContainerDep,
    fmt: Annotated[RopaFormat, Query(alias="format", description="File format.")] = (
        RopaFormat.JSON
    ),
    lang: Annotated[
        str | None,
        Query(
            description="sv or en; default: the organisation's language.",
            # Documented, not validated here: any other value is the domain's 400 problem.
            json_schema_extra={"enum": list(ROPA_LANGUAGES)},
        ),
    ] = None,
) -> Response:
    """The record of processing activities of the stored register (Art. 30(1))."""
    register = current_register(container.uow(), container.organisation_key).register
    if lang is not None and lang not in ROPA_LANGUAGES:
        # Refused here rather than by the domain check, whose message repeats the value.
        msg = f"the Art. 30 record has no such language; choose one of: {', '.join(ROPA_LANGUAGES)}"
        raise UnknownLanguageError(msg)
    language = check_ropa_language(lang) if lang is not None else default_ropa_language(register)
    document = export_ropa(register, fmt, language)
    disposition = "attachment" if fmt in _ATTACHMENTS else "inline"
    return Response(
        content=document.content,
        media_type=document.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{document.filename}"'},
    )
