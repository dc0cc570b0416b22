"""HTTP status of a skydd error on a web page, and its title in the page's language.

The API maps the same error tree to problem+json in ``skydd.api.problems``; web and
api are sibling adapters and may not import each other, so the status table is
repeated here, most specific type first, and a test pins the two together.
"""

from __future__ import annotations

import logging

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
from skydd.web.translations import gettext_noop

logger = logging.getLogger(__name__)

ERROR_STATUSES: list[tuple[type[SkyddError], int]] = [
    (InternalError, 500),
    (AuthenticationFailed, 401),
    (NotFoundError, 404),
    (ConflictError, 409),
    (AccessDenied, 403),
    (TooManyAttempts, 429),
    (InvalidInput, 400),
    (SkyddError, 400),
]
"""Most specific first: the first matching type decides the status."""

ERROR_TITLES: dict[int, str] = {
    400: gettext_noop("The request cannot be answered"),
    401: gettext_noop("Sign-in required"),
    403: gettext_noop("Access denied"),
    404: gettext_noop("Page not found"),
    409: gettext_noop("Conflict"),
    429: gettext_noop("Too many attempts"),
    500: gettext_noop("Something went wrong on our side"),
}
"""English msgids, translated where the page is rendered."""


def http_status_for(exc: SkyddError) -> int:
    """The HTTP status an error page answers ``exc`` with."""
    return next(status for error_type, status in ERROR_STATUSES if isinstance(exc, error_type))


def shown_message(exc: SkyddError) -> str | None:
    """The error's message for the page, or ``None`` for a fault of ours (5xx).

    A 5xx says nothing about the request, and its message may name internals (a key
    id, a file): it goes to the log, never to the page.
    """
    if http_status_for(exc) >= 500:
        logger.error("internal error on a web page: %s", exc.code)
        return None
    return exc.message


def error_title(status: int) -> str:
    """The (untranslated) title of an error page with ``status``."""
    return ERROR_TITLES.get(status, ERROR_TITLES[400])
