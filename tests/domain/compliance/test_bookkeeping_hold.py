"""SKY032 against the Bookkeeping Act: the hold counted from the organisation's fiscal year end."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skydd.domain.compliance import lint_register
from skydd.domain.compliance.retention import meets_bookkeeping_hold, minimum_bookkeeping_period
from skydd.domain.organisation import MonthDay
from skydd.domain.periods import Period
from skydd.domain.register import Register
from skydd.domain.retention import RetentionTrigger, bookkeeping_hold_ends_on
from tests.factories import make_register, make_retention, replace_item, replace_organisation

pytestmark = pytest.mark.promise("P10")


def with_invoice_rule(fiscal_year_end: MonthDay, period: str, **changes: object) -> Register:
    register = replace_organisation(make_register(), fiscal_year_end=fiscal_year_end)
    return replace_item(
        register, "retention", "invoices", statutory_hold=None, period=period, **changes
    )


def sky032(register: Register) -> list[str]:
    return [f.message for f in lint_register(register) if f.rule_id == "SKY032"]


@pytest.mark.parametrize(
    ("month", "day", "minimum"),
    [
        (12, 31, "P7Y"),
        (6, 30, "P7Y6M1D"),
        (8, 31, "P7Y4M"),
        (2, 28, "P7Y10M3D"),
        (2, 29, "P7Y10M2D"),
        (1, 1, "P7Y11M30D"),
    ],
)
def test_minimum_is_seven_years_plus_the_rest_of_the_calendar_year(
    month: int, day: int, minimum: str
) -> None:
    assert minimum_bookkeeping_period(MonthDay(month=month, day=day)).iso() == minimum


@pytest.mark.parametrize(
    ("month", "day", "period", "fires"),
    [
        (12, 31, "P7Y", False),
        (12, 31, "P6Y11M30D", True),
        (6, 30, "P7Y", True),
        (6, 30, "P7Y6M", True),
        (6, 30, "P7Y6M1D", False),
        (2, 28, "P7Y10M2D", True),
        (2, 28, "P7Y10M3D", False),
        (2, 29, "P7Y10M2D", False),
        (12, 31, "P10Y", False),
    ],
)
def test_a_period_from_the_fiscal_year_end_must_reach_the_end_of_year_seven(
    month: int, day: int, period: str, fires: bool
) -> None:
    register = with_invoice_rule(MonthDay(month=month, day=day), period)
    assert len(sky032(register)) == int(fires)


def test_the_finding_names_the_minimum_for_the_organisations_fiscal_year() -> None:
    register = with_invoice_rule(MonthDay(month=6, day=30), "P7Y")
    assert sky032(register) == [
        "retention rule 'invoices' erases bookkeeping record 'invoice' before the Bookkeeping "
        "Act hold ends (needs P7Y6M1D from the fiscal year end, or statutory_hold bookkeeping_act)"
    ]
    finding = next(f for f in lint_register(register) if f.rule_id == "SKY032")
    assert finding.path == ("retention", 1, "period")


def test_a_period_from_another_event_cannot_prove_the_hold() -> None:
    register = with_invoice_rule(
        MonthDay(month=12, day=31), "P10Y", trigger=RetentionTrigger.CONTRACT_END
    )
    assert len(sky032(register)) == 1


def test_a_hold_in_a_second_rule_for_the_same_data_satisfies_the_act() -> None:
    base = make_register()
    register = base.model_copy(
        update={
            "retention": [
                *base.retention,
                make_retention(
                    "invoice_copies",
                    "customer_relations",
                    ["invoice"],
                    "P1Y",
                    trigger=RetentionTrigger.CONTRACT_END,
                ),
            ]
        }
    )
    assert sky032(register) == []


def test_the_swedish_act_is_not_applied_to_an_organisation_elsewhere() -> None:
    register = with_invoice_rule(MonthDay(month=6, day=30), "P6Y")
    assert len(sky032(register)) == 1
    abroad = replace_organisation(register, country="IE")
    assert sky032(abroad) == []


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_the_minimum_period_ends_exactly_when_the_hold_ends(ended_on: dt.date) -> None:
    fiscal_year_end = MonthDay(month=ended_on.month, day=ended_on.day)
    minimum = minimum_bookkeeping_period(fiscal_year_end)
    assert minimum.added_to(ended_on) == bookkeeping_hold_ends_on(ended_on)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2000, 12, 31)))
def test_the_minimum_always_passes_and_one_day_less_never_does(ended_on: dt.date) -> None:
    fiscal_year_end = MonthDay(month=ended_on.month, day=ended_on.day)
    minimum = minimum_bookkeeping_period(fiscal_year_end)
    rule = make_retention(
        "r", "p", ["invoice"], minimum.iso(), trigger=RetentionTrigger.FISCAL_YEAR_END
    )
    assert meets_bookkeeping_hold(rule, fiscal_year_end)
    if minimum.days:
        shorter = Period(minimum.years, minimum.months, minimum.days - 1)
        short_rule = rule.model_copy(update={"period": shorter})
        assert not meets_bookkeeping_hold(short_rule, fiscal_year_end)
