"""Which language a page is shown in: ``?lang=``, else ``Accept-Language``, else the default.

An explicit ``?lang=`` is a request for that language and nothing else, so an unknown
one is refused (with the languages that exist) rather than silently replaced. The
``Accept-Language`` header is a preference list: it is parsed by quality (RFC 9110
§12.5.4), a regional tag matches its language (``en-GB`` → ``en``), and when nothing
matches the organisation's default language is used.
"""

from __future__ import annotations

from collections.abc import Sequence

from skydd.domain.errors import UnknownLanguageError


def choose_language(
    requested: str | None, accept_language: str | None, available: Sequence[str], default: str
) -> str:
    """The language to show: the requested one, the best accepted one, or ``default``.

    Raises:
        UnknownLanguageError: ``requested`` is not among ``available``.
    """
    if requested is not None:
        if requested in available:
            return requested
        offered = ", ".join(available)
        # The requested value is not echoed: error pages never repeat what a client sent.
        msg = f"that language is not published; choose one of: {offered}"
        raise UnknownLanguageError(msg)
    return negotiate_language(accept_language, available) or default


def negotiate_language(accept_language: str | None, available: Sequence[str]) -> str | None:
    """The most preferred of ``available`` according to an ``Accept-Language`` header."""
    by_tag = {lang.lower(): lang for lang in available}
    for tag in accepted_tags(accept_language or ""):
        for candidate in (tag, tag.split("-", 1)[0]):
            if candidate in by_tag:
                return by_tag[candidate]
    return None


def accepted_tags(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most preferred first.

    Tags with ``q=0``, a malformed quality or the ``*`` wildcard are left out; equal
    qualities keep the order they were written in.
    """
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = header_quality(params)
        if not tag or tag == "*" or quality is None or quality <= 0:
            continue
        weighted.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(weighted)]


def header_quality(params: list[str]) -> float | None:
    """The ``q`` weight among an Accept-* item's parameters: 1 when absent, None if invalid."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0
