"""``/px/{token}.gif``: the e-mail open pixel (P9), one answer for every request.

Whatever the token (unknown, malformed, its recipient consenting or not) and whatever
happens while recording (a database error included), the answer is the same 43-byte
transparent GIF with the same headers: no cookie, no ETag, never stored by a cache.
The open is recorded, when consent allows, after the answer is sent, so neither its
content nor its timing says what happened. Not part of the API's OpenAPI document: a
mail client is its only caller.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Response

from skydd.api.deps import ContainerDep
from skydd.bootstrap import Container
from skydd.services.pixels import record_open

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff"  # GIF89a, 1×1, a two-colour table
    "21f9040100000000"  # graphic control: colour 0 is transparent
    "2c00000000010001000002024401003b"  # the image: one pixel of colour 0; trailer
)
"""A 1×1 GIF89a whose one pixel is transparent (43 bytes)."""
HEADERS = {"Cache-Control": "no-store, private"}


@router.get("/px/{token}.gif")
def pixel(token: str, container: ContainerDep, background: BackgroundTasks) -> Response:
    """The transparent pixel; an open is recorded afterwards only under consent."""
    background.add_task(_record, container, token)
    return Response(content=GIF, media_type="image/gif", headers=HEADERS)


def _record(container: Container, token: str) -> None:
    """Record the open if allowed; a failure is logged (without the token), never answered."""
    try:
        record_open(container.uow(), container.clock, token)
    except Exception:
        logger.exception("recording an e-mail open failed")
