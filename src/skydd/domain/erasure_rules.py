"""What an erasure request does to each field, and what the law makes it keep (Art. 17(3)(b)).

Every personal field is masked with a keyed hash under a key made for that one run and
then forgotten: the value is gone for good (anonymised, not pseudonymised), a text
column that must not be empty or must stay unique still holds a value, and a field
already masked is recognised and left alone, so a second run changes nothing. A
value that is not text (a number, a date) becomes NULL.

Fields of a category the register keeps under a statutory hold are kept until the
hold ends. For the Bookkeeping Act that is the end of the seventh calendar year after
the fiscal year the record belongs to (the organisation's own fiscal year, not
assumed to be the calendar year); another accounting law's hold lasts the rule's
period from that fiscal year's end. The record's date is the first value of its row
that reads as an ISO date; without one the hold runs from today, the latest a record
can date from (it is never cut short).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from skydd.domain.dataset_graph import CollectionAddress
from skydd.domain.masking import (
    ErasurePolicy,
    FieldHold,
    HoldRule,
    KeyedHashMask,
    MaskingPolicy,
    MaskingStrategy,
    StrategyResolver,
)
from skydd.domain.organisation import MonthDay
from skydd.domain.register import Register
from skydd.domain.retention import RetentionRule, StatutoryHold, bookkeeping_hold_ends_on
from skydd.domain.withdrawal import field_names

PERSONAL_DATA_ROOT = "user"


def erasure_policy(
    register: Register, today: dt.date, *, only: Collection[str] | None = None
) -> ErasurePolicy:
    """The policy of one erasure run: a fresh one-way key, and the register's holds.

    ``only`` limits it to fields of those register categories (the erasure a
    withdrawal of consent made due); every other field is left as it is.
    """
    mask = KeyedHashMask(secrets.token_bytes(32))
    holds = [
        _hold_rule(register, rule, today) for rule in register.retention if rule.statutory_hold
    ]
    policy = MaskingPolicy(StrategyResolver({PERSONAL_DATA_ROOT: mask}), holds=tuple(holds))
    if only is None:
        return policy
    return ScopedPolicy(policy, field_names(register, only))


@dataclass(frozen=True)
class ScopedPolicy:
    """An erasure policy that touches only fields carrying one of ``names`` exactly.

    Exactly, not by fideslang's fallback to a parent: a field of a wider or a
    sibling category may hold data another ground still covers.
    """

    policy: ErasurePolicy
    names: frozenset[str]

    def strategy_for(self, categories: Sequence[str]) -> MaskingStrategy | None:
        """The inner policy's strategy for a field in scope; ``None`` leaves the rest."""
        if self.names.isdisjoint(categories):
            return None
        return self.policy.strategy_for(categories)

    def hold_on(
        self,
        collection: CollectionAddress,
        field: str,
        categories: Sequence[str],
        row: Mapping[str, object],
    ) -> FieldHold | None:
        """The inner policy's holds: the law keeps what it keeps, scope or not."""
        return self.policy.hold_on(collection, field, categories, row)


def fiscal_year_end_for(record_on: dt.date, year_end: MonthDay) -> dt.date:
    """The last day of the fiscal year ``record_on`` falls in."""
    end = _valid_day(record_on.year, year_end)
    return end if record_on <= end else _valid_day(record_on.year + 1, year_end)


def record_date(row: Mapping[str, object]) -> dt.date | None:
    """The first value of ``row`` that is a date or reads as an ISO date (or date-time)."""
    for value in row.values():
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


@dataclass(frozen=True)
class _StatutoryHold:
    """A register rule's hold on its categories, answering per field and row."""

    categories: frozenset[str]
    rule: RetentionRule
    year_end: MonthDay
    today: dt.date

    def __call__(
        self,
        collection: CollectionAddress,
        field: str,
        categories: Sequence[str],
        row: Mapping[str, object],
    ) -> FieldHold | None:
        del collection, field
        if not self.categories.intersection(categories):
            return None
        fiscal_end = fiscal_year_end_for(record_date(row) or self.today, self.year_end)
        if self.rule.statutory_hold is StatutoryHold.BOOKKEEPING_ACT or self.rule.period is None:
            until = bookkeeping_hold_ends_on(fiscal_end)
        else:
            until = self.rule.period.added_to(fiscal_end)
        if until < self.today:
            return None
        return FieldHold(until=until, reason=self.rule.key)


def _hold_rule(register: Register, rule: RetentionRule, today: dt.date) -> HoldRule:
    """A hold on the rule's categories, named by their register keys and fideslang keys."""
    names: set[str] = set()
    for key in rule.data_categories:
        names.add(key)
        category = register.data_category(key)
        if category is not None:
            names.add(f"{category.taxonomy}.{category.key}")
    year_end = register.organisation.fiscal_year_end
    return _StatutoryHold(frozenset(names), rule, year_end, today)


def _valid_day(year: int, day: MonthDay) -> dt.date:
    """``day`` in ``year``; 29 February in a common year is the 28th."""
    try:
        return dt.date(year, day.month, day.day)
    except ValueError:
        return dt.date(year, day.month, 28)
