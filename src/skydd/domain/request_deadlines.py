"""When a data subject request must be answered (GDPR Art. 12(3)), to the day.

The controller answers "without undue delay and in any event within one month of
receipt"; the period "may be extended by two further months where necessary", the
person being told within the first month. Periods in EU law are computed under
Regulation 1182/71:

- Art. 3(1): the day of receipt is not counted;
- Art. 3(2)(c): a period of months ends on the day of the last month with the same
  date as the day of receipt, or on that month's last day where there is no such date
  (received 31 January: due 28 or 29 February);
- Art. 3(4): a period ending on a Saturday, Sunday or public holiday ends on the next
  working day instead (:mod:`skydd.domain.working_days`).

The extension runs three months from receipt (one plus two), by the same rules; the
notice of it is due by the end of the first month. The internal target (default 25
days) is what staff aim for, in calendar days, never later than the legal date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skydd.domain.errors import InvalidInput
from skydd.domain.periods import add_months_clamped
from skydd.domain.working_days import next_working_day

ANSWER_MONTHS = 1
EXTENDED_MONTHS = 3
DEFAULT_TARGET_DAYS = 25


def period_end(received_on: dt.date, months: int, country: str) -> dt.date:
    """The last day of a period of ``months`` months from receipt (Reg. 1182/71 Art. 3)."""
    if months < 1:
        msg = "a period is at least one month"
        raise InvalidInput(msg)
    return next_working_day(add_months_clamped(received_on, months), country)


@dataclass(frozen=True)
class RequestDeadlines:
    """Every date a request's handling is measured against."""

    received_on: dt.date
    due_on: dt.date
    """The legal deadline: one month from receipt, moved to a working day."""
    extended_due_on: dt.date
    """The deadline when extended (three months), moved to a working day."""
    target_on: dt.date
    """The internal target: ``target_days`` after receipt, never after ``due_on``."""

    @property
    def extension_notice_by(self) -> dt.date:
        """An extension must be announced by this day: the end of the first month."""
        return self.due_on

    def due(self, *, extended: bool) -> dt.date:
        """The deadline in force."""
        return self.extended_due_on if extended else self.due_on

    def days_left(self, today: dt.date, *, extended: bool) -> int:
        """Calendar days from ``today`` to the deadline in force (negative: overdue)."""
        return (self.due(extended=extended) - today).days

    def can_extend(self, today: dt.date) -> bool:
        """True while the extension can still be announced in time (Art. 12(3))."""
        return today <= self.extension_notice_by


def deadlines_for(
    received_on: dt.date, country: str, *, target_days: int = DEFAULT_TARGET_DAYS
) -> RequestDeadlines:
    """The deadlines of a request received on ``received_on`` by an organisation in ``country``."""
    if target_days < 1:
        msg = "the internal target is at least one day"
        raise InvalidInput(msg)
    due_on = period_end(received_on, ANSWER_MONTHS, country)
    return RequestDeadlines(
        received_on=received_on,
        due_on=due_on,
        extended_due_on=period_end(received_on, EXTENDED_MONTHS, country),
        target_on=min(received_on + dt.timedelta(days=target_days), due_on),
    )
