"""Rules on retention: every purpose × category has a concrete rule, and holds are kept (P10, P11).

"As long as needed" is not a retention period: a rule needs a period and the
event it counts from, or the erasure job has nothing to act on. Bookkeeping
records must outlive the Bookkeeping Act hold, counted from the organisation's
own fiscal year end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity, listed
from skydd.domain.organisation import MonthDay
from skydd.domain.periods import Period
from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register
from skydd.domain.retention import (
    RetentionRule,
    RetentionTrigger,
    StatutoryHold,
    bookkeeping_hold_ends_on,
)

WITHDRAWAL_TRIGGERS = frozenset({RetentionTrigger.CONSENT_WITHDRAWN, RetentionTrigger.UNSUBSCRIBED})
"""Triggers that erase data when the person takes back their consent (P11)."""

IN_USE_TRIGGERS = frozenset(
    {RetentionTrigger.COLLECTED, RetentionTrigger.LAST_ACTIVITY, RetentionTrigger.FISCAL_YEAR_END}
)
"""Triggers at which data is still in use, so a zero period erases it as it arrives."""

BOOKKEEPING_ACT_COUNTRIES = frozenset({"SE"})
"""Where the Swedish Bookkeeping Act binds the controller; other countries' holds are
not modelled yet, so the hold rule stays silent for them rather than apply Swedish law."""

_REFERENCE_YEARS = (2023, 2024)
"""A common and a leap year: a period must meet the hold in both."""


def _indexed_rules(
    register: Register, purpose_key: str, category_key: str
) -> list[tuple[int, RetentionRule]]:
    """The rules covering a purpose × category, with their index in the register."""
    return [
        (i, rule)
        for i, rule in enumerate(register.retention)
        if rule.purpose == purpose_key and category_key in rule.data_categories
    ]


def _missing(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        for j, key in enumerate(purpose.data_categories):
            if not register.retention_for(purpose.key, key):
                yield (
                    ("purposes", i, "data_categories", j),
                    f"purpose '{purpose.key}' keeps '{key}' with no retention rule",
                )


def _not_concrete(register: Register) -> Iterator[Hit]:
    for i, rule in enumerate(register.retention):
        held = rule.statutory_hold is not None and rule.trigger is not None
        if rule.is_concrete or held:
            continue
        missing = "period" if rule.period is None else "trigger"
        yield (
            ("retention", i, missing),
            f"retention rule '{rule.key}' has no {missing}, so it never ends",
        )


def minimum_bookkeeping_period(fiscal_year_end: MonthDay) -> Period:
    """The shortest period from the fiscal year end that reaches the end of year seven.

    Seven years, plus the months and days from the fiscal year end to 31 December.
    """
    return Period(years=7, months=12 - fiscal_year_end.month, days=31 - fiscal_year_end.day)


def meets_bookkeeping_hold(rule: RetentionRule, fiscal_year_end: MonthDay) -> bool:
    """True when ``rule`` keeps records at least until the Bookkeeping Act hold ends."""
    if rule.statutory_hold is StatutoryHold.BOOKKEEPING_ACT:
        return True
    if rule.trigger is not RetentionTrigger.FISCAL_YEAR_END or rule.period is None:
        return False
    period = rule.period
    for year in _REFERENCE_YEARS:
        try:
            ended_on = dt.date(year, fiscal_year_end.month, fiscal_year_end.day)
        except ValueError:
            continue
        if period.added_to(ended_on) < bookkeeping_hold_ends_on(ended_on):
            return False
    return True


def _bookkeeping_too_short(register: Register) -> Iterator[Hit]:
    if register.organisation.country not in BOOKKEEPING_ACT_COUNTRIES:
        return
    fiscal_year_end = register.organisation.fiscal_year_end
    minimum = minimum_bookkeeping_period(fiscal_year_end).iso()
    for purpose in register.purposes:
        for key in purpose.data_categories:
            category = register.data_category(key)
            rules = _indexed_rules(register, purpose.key, key)
            if category is None or not category.bookkeeping_record or not rules:
                continue
            if any(meets_bookkeeping_hold(rule, fiscal_year_end) for _, rule in rules):
                continue
            index, first = rules[0]
            yield (
                ("retention", index, "period"),
                f"retention rule '{first.key}' erases bookkeeping record '{key}' before the "
                f"Bookkeeping Act hold ends (needs {minimum} from the fiscal year end, "
                "or statutory_hold bookkeeping_act)",
            )


def _zero_period(register: Register) -> Iterator[Hit]:
    for i, rule in enumerate(register.retention):
        if rule.period is not None and rule.period.is_zero() and rule.trigger in IN_USE_TRIGGERS:
            yield (
                ("retention", i, "period"),
                f"retention rule '{rule.key}' keeps data for zero time from {rule.trigger}, "
                "while the purpose still uses it",
            )


def _consent_not_on_withdrawal(register: Register) -> Iterator[Hit]:
    for i, purpose in enumerate(register.purposes):
        if not purpose.rests_on(LegalBasis.CONSENT):
            continue
        erased = {
            key
            for rule in register.retention
            if rule.purpose == purpose.key and rule.trigger in WITHDRAWAL_TRIGGERS
            for key in rule.data_categories
        }
        if set(purpose.bases()) == {LegalBasis.CONSENT}:
            kept = [key for key in purpose.data_categories if key not in erased]
        else:
            kept = [] if erased else purpose.data_categories
        if kept:
            yield (
                ("purposes", i, "data_categories"),
                f"purpose '{purpose.key}' rests on consent but no retention rule erases "
                f"{listed(kept)} when consent is withdrawn",
            )


def _outside_purpose(register: Register) -> Iterator[Hit]:
    for i, rule in enumerate(register.retention):
        purpose = register.purpose(rule.purpose)
        if purpose is None:
            continue
        for j, key in enumerate(rule.data_categories):
            if key not in purpose.data_categories:
                yield (
                    ("retention", i, "data_categories", j),
                    f"retention rule '{rule.key}' covers '{key}', "
                    f"which purpose '{purpose.key}' does not use",
                )


RETENTION_MISSING = Rule(
    id="SKY030",
    name="retention-missing",
    title="Purpose keeps a data category with no retention rule",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 5(1)(e), Art. 13(2)(a)",
    description="Each data category a purpose uses needs a retention rule for that purpose, so "
    "the policy can state how long it is kept and the erasure job knows when to act (P10).",
    fix="Add a `retention` rule with this purpose and category, a period and a trigger.",
    check=_missing,
)

RETENTION_NOT_CONCRETE = Rule(
    id="SKY031",
    name="retention-not-concrete",
    title="Retention rule without a period or trigger",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 5(1)(e), Art. 13(2)(a)",
    description="A rule needs both a period and the event it counts from; 'as long as needed' "
    "never ends. A rule with a `statutory_hold` and a trigger may leave the period to the law.",
    fix="Set `period` (ISO 8601, e.g. P2Y) and `trigger` (e.g. last_activity) on the rule.",
    check=_not_concrete,
)

BOOKKEEPING_RETENTION_TOO_SHORT = Rule(
    id="SKY032",
    name="bookkeeping-retention-too-short",
    title="Bookkeeping records erased before the Bookkeeping Act hold ends",
    severity=Severity.ERROR,
    legal_ground="Bokföringslagen (1999:1078) 7 kap. 2 §; GDPR Art. 17(3)(b)",
    description="For an organisation in Sweden, records must be kept until the end of the "
    "seventh calendar year after the year in which the fiscal year ended: seven years plus the "
    "time from the organisation's `fiscal_year_end` to 31 December, counted from trigger "
    "fiscal_year_end. Other countries' holds are not checked yet.",
    fix="Set `statutory_hold: bookkeeping_act` on the rule, or use trigger fiscal_year_end with "
    "a period of at least the minimum the finding names (P7Y for a calendar fiscal year).",
    check=_bookkeeping_too_short,
)

RETENTION_PERIOD_ZERO = Rule(
    id="SKY033",
    name="retention-period-zero",
    title="Zero retention from an event at which the data is in use",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 5(1)(b), Art. 5(1)(e)",
    description="A zero period counted from collection, last activity or the fiscal year end "
    "erases the data as the purpose starts using it; zero is meant for end events such as "
    "consent_withdrawn or unsubscribed.",
    fix="Give the rule the period the purpose really needs, or count it from an end event.",
    check=_zero_period,
)

CONSENT_RETENTION_NOT_ON_WITHDRAWAL = Rule(
    id="SKY034",
    name="consent-retention-not-on-withdrawal",
    title="Consent data not erased on withdrawal",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 7(3), Art. 17(1)(b)",
    description="Data processed on consent is purged when consent is withdrawn (P11). For a "
    "purpose resting on consent alone, every category needs a rule triggered by "
    "consent_withdrawn or unsubscribed; for a purpose that also rests on another basis, which "
    "data only consent allows is a judgement, so at least one such rule must exist.",
    fix="Add a rule for the purpose and category with trigger consent_withdrawn (or "
    "unsubscribed) and the grace period, e.g. P0D.",
    check=_consent_not_on_withdrawal,
)

RETENTION_CATEGORY_OUTSIDE_PURPOSE = Rule(
    id="SKY035",
    name="retention-category-outside-purpose",
    title="Retention rule for a category its purpose does not use",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 5(1)(c), Art. 5(1)(e)",
    description="A rule that covers a category its purpose does not use means either the "
    "purpose's list is incomplete or the rule keeps data without a purpose.",
    fix="Add the category to the purpose's `data_categories`, or remove it from the rule.",
    check=_outside_purpose,
)

RULES: tuple[Rule, ...] = (
    RETENTION_MISSING,
    RETENTION_NOT_CONCRETE,
    BOOKKEEPING_RETENTION_TOO_SHORT,
    RETENTION_PERIOD_ZERO,
    CONSENT_RETENTION_NOT_ON_WITHDRAWAL,
    RETENTION_CATEGORY_OUTSIDE_PURPOSE,
)
