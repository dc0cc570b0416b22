"""Calendar periods (``P2Y``, ``P6M``, ``P30D``) and month arithmetic that clamps.

Retention and deadlines count in calendar months and years, not in days: six
months from 31 August is 28 or 29 February, never 2 March.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_ISO_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def add_months_clamped(start_on: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; a day the target month lacks clamps to its last day."""
    index = start_on.year * 12 + (start_on.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start_on.day, last_day))


@dataclass(frozen=True, order=True)
class Period:
    """A non-negative calendar period of years, months and days."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse an ISO 8601 period without time part (``P7Y``, ``P1Y6M``, ``P2W``)."""
        match = _ISO_PERIOD.match(text.strip())
        if match is None or text.strip() == "P":
            msg = f"{text!r} is not an ISO 8601 period such as P2Y, P6M or P30D"
            raise ValueError(msg)
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        return cls(years=years, months=months, days=weeks * 7 + days)

    def iso(self) -> str:
        """The ISO 8601 form (``P1Y6M``; ``P0D`` for zero)."""
        parts = [(self.years, "Y"), (self.months, "M"), (self.days, "D")]
        body = "".join(f"{n}{unit}" for n, unit in parts if n)
        return f"P{body or '0D'}"

    @property
    def total_months(self) -> int:
        """Years and months as months (days ignored)."""
        return self.years * 12 + self.months

    def added_to(self, start_on: dt.date) -> dt.date:
        """The date this period after ``start_on`` (months clamp, then days add)."""
        return add_months_clamped(start_on, self.total_months) + dt.timedelta(days=self.days)

    def is_zero(self) -> bool:
        """True for a period of no time at all."""
        return not (self.years or self.months or self.days)
