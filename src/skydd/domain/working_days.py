"""Working days of a country, as the law counts statutory time there.

Regulation (EEC, Euratom) No 1182/71 Art. 3(4) moves the end of a period that falls on
a Saturday, a Sunday or a public holiday to the next working day. Which days are public
holidays is the country's: the `holidays` package knows them. Some countries count
more days than their public holidays when they compute statutory time; Sweden's Act
(1930:173) on computing statutory time treats midsommarafton, julafton and nyårsafton
like holidays, which `holidays` files under the ``de_facto`` category for SE. That
table lives here, by country, and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from skydd.domain.errors import InvalidInput

STATUTORY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "SE": ("public", "de_facto"),
}
"""Holiday categories that count as non-working days for statutory time, by country;
every other country counts its public holidays only."""

_SATURDAY, _SUNDAY = 5, 6


def is_working_day(day: dt.date, country: str) -> bool:
    """False on Saturdays, Sundays and the country's statutory non-working days."""
    return day.weekday() not in (_SATURDAY, _SUNDAY) and day not in _calendar(
        country.upper(), day.year
    )


def next_working_day(day: dt.date, country: str) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, country):
        day += dt.timedelta(days=1)
    return day


def non_working_reason(day: dt.date, country: str) -> str | None:
    """Why ``day`` is not a working day (the holiday's name, or the weekday), or None."""
    name = _calendar(country.upper(), day.year).get(day)
    if name is not None:
        return str(name)
    return {_SATURDAY: "Saturday", _SUNDAY: "Sunday"}.get(day.weekday())


@lru_cache(maxsize=256)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    categories = STATUTORY_CATEGORIES.get(country, ("public",))
    try:
        return holidays.country_holidays(country, years=year, categories=categories)
    except NotImplementedError:
        msg = f"no holiday calendar is known for the country {country!r}"
        raise InvalidInput(msg) from None
