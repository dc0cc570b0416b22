"""Lengths of time as the published policy states them: "6 months", "30 minutes".

A retention rule keeps a calendar :class:`~skydd.domain.periods.Period`; a cookie's
lifetime is written as an ISO 8601 duration that may count hours and minutes. The
policy shows both the same way, so both become a :data:`Span` of units and counts,
and the renderer spells each unit out in the reader's language.
"""

from __future__ import annotations

import re

from skydd.domain.periods import Period

Span = tuple[tuple[str, int], ...]
"""A length of time as ``(unit, count)`` pairs, largest unit first: ``(("month", 6),)``.

Units are ``year``, ``month``, ``week``, ``day``, ``hour``, ``minute``, ``second``;
the empty span is zero.
"""

_ISO_DURATION = re.compile(
    r"^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)
_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


def period_span(period: Period) -> Span:
    """A retention period as a span (weeks are already days in a Period)."""
    counts = (("year", period.years), ("month", period.months), ("day", period.days))
    return tuple((unit, n) for unit, n in counts if n)


def duration_span(text: str) -> Span | None:
    """An ISO 8601 duration with an optional time part (``P6M``, ``PT30M``), else None."""
    match = _ISO_DURATION.match(text.strip())
    if match is None:
        return None
    counts = zip(_DURATION_UNITS, match.groups(), strict=True)
    return tuple((unit, int(n)) for unit, n in counts if n and int(n))
