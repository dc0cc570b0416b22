"""Retention rules per purpose and data category, and the Bookkeeping Act hold (P10, P11)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer

from skydd.domain.periods import Period
from skydd.domain.schema import Key, LocalizedText, RegisterModel


def _period_from_text(value: object) -> object:
    return Period.parse(value) if isinstance(value, str) else value


PeriodField = Annotated[
    Period, BeforeValidator(_period_from_text), PlainSerializer(lambda p: p.iso(), return_type=str)
]
"""A period written in the register as ISO 8601 (``P7Y``)."""


class RetentionTrigger(StrEnum):
    """The event from which a retention period counts."""

    COLLECTED = "collected"
    LAST_ACTIVITY = "last_activity"
    CONTRACT_END = "contract_end"
    APPLICATION_CLOSED = "application_closed"
    EVENT_DATE = "event_date"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    UNSUBSCRIBED = "unsubscribed"
    FISCAL_YEAR_END = "fiscal_year_end"
    REQUEST_CLOSED = "request_closed"


class RetentionAction(StrEnum):
    """What happens to a record when its period has run."""

    ERASE = "erase"
    ANONYMISE = "anonymise"
    ARCHIVE_THEN_ERASE = "archive_then_erase"


class StatutoryHold(StrEnum):
    """A law that requires keeping records, overriding erasure (Art. 17(3)(b))."""

    BOOKKEEPING_ACT = "bookkeeping_act"
    ACCOUNTING_RECORDS = "accounting_records"
    """Another country's accounting or tax-records law, named in the rule's legal ground;
    the hold lasts the rule's own period from its trigger."""


class RetentionRule(RegisterModel):
    """How long one purpose keeps some data categories, from what event, and why."""

    key: Key
    purpose: Key
    data_categories: list[Key] = Field(min_length=1)
    period: PeriodField | None = None
    trigger: RetentionTrigger | None = None
    action: RetentionAction = RetentionAction.ERASE
    legal_ground: LocalizedText = Field(default_factory=dict)
    statutory_hold: StatutoryHold | None = None
    review_note: str | None = None

    @property
    def is_concrete(self) -> bool:
        """A concrete rule names both a period and the event it counts from (P10)."""
        return self.period is not None and self.trigger is not None


def bookkeeping_hold_ends_on(fiscal_year_ended_on: dt.date) -> dt.date:
    """The last day bookkeeping records of a fiscal year must be kept.

    Bokföringslagen 7 kap. 2 §: until the end of the seventh calendar year after the
    calendar year in which the fiscal year ended.
    """
    return dt.date(fiscal_year_ended_on.year + 7, 12, 31)
