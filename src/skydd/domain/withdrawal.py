"""What a withdrawal of consent erases: exactly what only that consent allowed (P6, P11).

A person withdraws a purpose, or only some of its categories, and may say which of
the withdrawn categories to erase (P6: "which data to keep and which to erase"). What
is then erased is narrowed three times, so nothing another ground still covers is lost:

1. **The register's rule.** A retention rule of the purpose triggered by the withdrawal
   (``consent_withdrawn`` or ``unsubscribed``) names the categories that only consent
   allowed; a purpose that also rests on another basis (analytics on legitimate
   interests and consent) is erased only through such a rule. A purpose resting on
   consent alone needs none: all of it rested on consent. A rule with a period
   defers its categories to retention (``deferred``), which erases them when due.
2. **The person's other consents.** A category the person still consents to under
   another purpose stays everywhere.
3. **Other grounds per system.** In a system that also serves a purpose on another
   basis (a CRM used for contracts too), the categories of that purpose stay there.

A category is matched to dataset fields by its own fideslang key and by its fideslang
parent, but the parent only when no category outside the scope shares it (several
categories of free text may share ``user.content.private``): a field is never erased
for a category it might not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from skydd.domain.consent import ConsentState
from skydd.domain.errors import InvalidInput
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.retention import RetentionTrigger

WITHDRAWAL_TRIGGERS = frozenset({RetentionTrigger.CONSENT_WITHDRAWN, RetentionTrigger.UNSUBSCRIBED})


class KeptBecause(StrEnum):
    """Why a withdrawn category is not erased now."""

    CHOSEN = "chosen_to_keep"
    """The person chose to keep it."""
    CONSENTED_ELSEWHERE = "consented_for_another_purpose"
    """The person still consents to it for another purpose."""
    NO_RULE = "no_withdrawal_rule"
    """The purpose also rests on another basis and the register names no rule erasing it."""


@dataclass(frozen=True)
class ErasureScope:
    """An erasure limited to some categories per system: the erasure a withdrawal is due.

    Carried by the erasure request it becomes, so the worker erases only these.
    """

    purpose: str
    record_id: str
    """The ledger event of the withdrawal that made it due."""
    systems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """System key → the register categories to erase there."""

    def categories_in(self, system: str) -> tuple[str, ...]:
        """The categories to erase in ``system``; none for a system outside the scope."""
        return self.systems.get(system, ())


@dataclass(frozen=True)
class WithdrawalErasure:
    """What a withdrawal erases in skydd and in each system, and what it keeps and why."""

    purpose: str
    categories: tuple[str, ...]
    """Erased from skydd's own records of the person (their attributes)."""
    systems: Mapping[str, tuple[str, ...]]
    """System key → categories erased there (systems with none are left out)."""
    kept: Mapping[str, KeptBecause]
    """Withdrawn category → why it is not erased now."""
    deferred: tuple[str, ...] = ()
    """Categories a register rule erases later, after its period."""

    @property
    def erases_anything(self) -> bool:
        """True when a system or skydd's own records have something to erase."""
        return bool(self.categories or self.systems)

    def scope(self, record_id: str) -> ErasureScope:
        """The systems' part, as the scope of an erasure request."""
        return ErasureScope(self.purpose, record_id, dict(self.systems))


def withdrawal_erasure(
    register: Register,
    purpose_key: str,
    withdrawn: Iterable[str],
    *,
    erase: Iterable[str] | None = None,
    still_given: Iterable[ConsentState] = (),
) -> WithdrawalErasure:
    """What withdrawing ``withdrawn`` categories of ``purpose_key`` erases.

    ``erase`` is the person's choice among the withdrawn categories (``None``: all);
    naming one not withdrawn is refused. ``still_given`` are the person's consents in
    force after the withdrawal (the withdrawn purpose's own included, when it stays).
    """
    purpose = register.purpose(purpose_key)
    if purpose is None:
        msg = "unknown purpose"
        raise InvalidInput(msg)
    taken = set(withdrawn)
    chosen = taken if erase is None else set(erase)
    if chosen - taken:
        msg = f"only withdrawn categories can be erased; not {sorted(chosen - taken)[0]!r}"
        raise InvalidInput(msg)
    kept = dict.fromkeys(sorted(taken - chosen), KeptBecause.CHOSEN)
    due, deferred = _due_by_register(register, purpose, chosen, kept)
    consented = {c for s in still_given if s.active for c in s.categories}
    for category in sorted(due & consented):
        kept[category] = KeptBecause.CONSENTED_ELSEWHERE
    due -= consented
    systems = {}
    for system in register.systems_for(purpose.key):
        shielded = _other_grounds(register, system.purposes, purpose.key, still_given)
        there = (due & set(system.data_categories)) - shielded
        if there:
            systems[system.key] = tuple(sorted(there))
    return WithdrawalErasure(
        purpose=purpose.key,
        categories=tuple(sorted(due - _non_consent_categories(register, purpose.key))),
        systems=systems,
        kept=kept,
        deferred=tuple(sorted(deferred)),
    )


def field_names(register: Register, categories: Iterable[str]) -> frozenset[str]:
    """The fideslang keys dataset fields of ``categories`` carry, never another category's.

    A category's own child key (``user.demographic.profile.food_preferences``) is
    always its own; its parent (``user.demographic.profile``) only when no category
    outside ``categories`` has the same parent.
    """
    chosen = set(categories)
    names: set[str] = set()
    for key in chosen:
        category = register.data_category(key)
        if category is None:
            continue
        names.add(f"{category.taxonomy}.{category.key}")
        sharing = {c.key for c in register.data_categories if c.taxonomy == category.taxonomy}
        if sharing <= chosen:
            names.add(category.taxonomy)
    return frozenset(names)


def _due_by_register(
    register: Register, purpose: Purpose, chosen: set[str], kept: dict[str, KeptBecause]
) -> tuple[set[str], set[str]]:
    """The chosen categories erased now, and those a rule with a period erases later."""
    rules = [
        r
        for r in register.retention
        if r.purpose == purpose.key and r.trigger in WITHDRAWAL_TRIGGERS
    ]
    if not rules and not _beyond_consent(purpose):
        return set(chosen), set()
    now = {c for r in rules if r.period is None or r.period.is_zero() for c in r.data_categories}
    later = {c for r in rules for c in r.data_categories} - now
    for category in sorted(chosen - now - later):
        kept[category] = KeptBecause.NO_RULE
    return chosen & now, chosen & later


def _other_grounds(
    register: Register,
    purposes: Iterable[str],
    withdrawn_purpose: str,
    still_given: Iterable[ConsentState],
) -> set[str]:
    """Categories a system keeps for its other purposes: on another basis, or consented."""
    given = {s.purpose: set(s.categories) for s in still_given if s.active}
    shielded: set[str] = set()
    for key in purposes:
        other = register.purpose(key)
        if other is None or other.key == withdrawn_purpose:
            continue
        if _beyond_consent(other):
            shielded |= set(other.data_categories)
        shielded |= given.get(other.key, set()) & set(other.data_categories)
    return shielded


def _non_consent_categories(register: Register, withdrawn_purpose: str) -> set[str]:
    """Categories some purpose processes on another basis than consent: skydd keeps them."""
    return {
        c
        for p in register.purposes
        if p.key != withdrawn_purpose and _beyond_consent(p)
        for c in p.data_categories
    }


def _beyond_consent(purpose: Purpose) -> bool:
    """True when the purpose rests on some basis besides consent."""
    return any(basis is not LegalBasis.CONSENT for basis in purpose.bases())
