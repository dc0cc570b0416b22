"""Request deadlines to the day: Reg. 1182/71 over month ends, leap years, Easter, year ends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.errors import InvalidInput
from skydd.domain.request_deadlines import deadlines_for, period_end
from skydd.domain.working_days import is_working_day, next_working_day, non_working_reason

pytestmark = pytest.mark.promise("P17")

D = dt.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (D(2026, 11, 25), D(2026, 12, 25 + 3), "25 Dec is juldagen, 26 Sat, 27 Sun: Monday 28"),
        (D(2026, 11, 24), D(2026, 12, 28), "24 Dec julafton counts as a holiday in Sweden"),
        (D(2026, 12, 1), D(2027, 1, 4), "31 Dec nyårsafton, 1 Jan nyårsdagen, then a weekend"),
        (D(2027, 1, 15), D(2027, 2, 15), "the same date next month, a Monday"),
        (D(2027, 1, 31), D(2027, 3, 1), "no 31 Feb: the 28th, a Sunday, so Monday 1 March"),
        (D(2028, 1, 31), D(2028, 2, 29), "leap year: 29 February, a Tuesday"),
        (D(2027, 2, 26), D(2027, 3, 30), "26 Mar långfredag, Easter weekend, 29 annandag påsk"),
        (D(2027, 5, 25), D(2027, 6, 28), "25 Jun midsommarafton, 26 midsommardagen, Sunday"),
        (D(2026, 5, 6), D(2026, 6, 8), "6 Jun national day, a Saturday; 7 Sunday"),
        (D(2027, 3, 31), D(2027, 4, 30), "no 31 April: the 30th, a Friday"),
    ],
)
def test_swedish_due_dates(received: dt.date, due: dt.date, why: str) -> None:
    assert period_end(received, 1, "SE") == due, why


def test_other_countries_use_their_own_calendar() -> None:
    # 17 March 2027 is St Patrick's Day in Ireland, an ordinary Wednesday in Sweden.
    assert period_end(D(2027, 2, 17), 1, "IE") == D(2027, 3, 18)
    assert period_end(D(2027, 2, 17), 1, "SE") == D(2027, 3, 17)
    # Christmas Eve is a working day in Ireland (a Friday in 2027).
    assert period_end(D(2027, 11, 24), 1, "IE") == D(2027, 12, 24)


def test_extension_runs_three_months_from_receipt_and_is_announced_in_the_first() -> None:
    deadlines = deadlines_for(D(2026, 11, 30), "SE")
    assert deadlines.due_on == D(2026, 12, 30)
    assert deadlines.extended_due_on == D(2027, 3, 1)  # 28 Feb 2027 is a Sunday
    assert deadlines.extension_notice_by == deadlines.due_on
    assert deadlines.can_extend(D(2026, 12, 30)) and not deadlines.can_extend(D(2026, 12, 31))
    assert deadlines.target_on == D(2026, 12, 25)
    assert deadlines.days_left(D(2027, 1, 2), extended=False) == -3
    assert deadlines.days_left(D(2027, 1, 2), extended=True) == 58


def test_the_internal_target_never_passes_the_legal_date() -> None:
    # Received 1 Feb 2027: due 1 March; a 40-day target would be 13 March.
    assert deadlines_for(D(2027, 2, 1), "SE", target_days=40).target_on == D(2027, 3, 1)


def test_bad_input_is_refused_without_a_traceback_of_its_own() -> None:
    with pytest.raises(InvalidInput, match="no holiday calendar"):
        period_end(D(2027, 1, 1), 1, "XX")
    with pytest.raises(InvalidInput):
        period_end(D(2027, 1, 1), 0, "SE")
    with pytest.raises(InvalidInput):
        deadlines_for(D(2027, 1, 1), "SE", target_days=0)


def test_non_working_days_say_why() -> None:
    assert non_working_reason(D(2027, 6, 25), "SE") == "Midsummer Eve"
    assert non_working_reason(D(2027, 6, 24), "SE") is None
    assert not is_working_day(D(2027, 12, 31), "SE")
    assert next_working_day(D(2027, 12, 31), "SE") == D(2028, 1, 3)


DAYS = st.dates(min_value=D(2020, 1, 1), max_value=D(2040, 12, 31))
COUNTRIES = st.sampled_from(["SE", "IE", "DE", "FI"])


def one_month_on(received: dt.date) -> dt.date:
    """Art. 3(2)(c) written out independently: the same date next month, else its last day."""
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    day = received.day
    while True:
        try:
            return D(year, month, day)
        except ValueError:
            day -= 1


@given(received=DAYS, country=COUNTRIES)
def test_the_due_date_is_the_first_working_day_from_a_month_on(
    received: dt.date, country: str
) -> None:
    due = period_end(received, 1, country)
    nominal = one_month_on(received)
    assert due >= nominal
    assert is_working_day(due, country)
    skipped = [nominal + dt.timedelta(days=n) for n in range((due - nominal).days)]
    assert all(not is_working_day(day, country) for day in skipped)
    assert len(skipped) <= 6  # the longest run of non-working days in these calendars


@given(received=DAYS, country=COUNTRIES)
def test_the_extension_is_later_and_also_a_working_day(received: dt.date, country: str) -> None:
    deadlines = deadlines_for(received, country)
    assert deadlines.received_on < deadlines.target_on <= deadlines.due_on
    assert deadlines.due_on < deadlines.extended_due_on
    assert is_working_day(deadlines.extended_due_on, country)
    assert 89 <= (deadlines.extended_due_on - received).days <= 92 + 6


@given(received=DAYS)
def test_receipt_later_never_makes_the_deadline_earlier(received: dt.date) -> None:
    next_day = received + dt.timedelta(days=1)
    assert period_end(next_day, 1, "SE") >= period_end(received, 1, "SE")
