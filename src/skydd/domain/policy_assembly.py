"""From a register to its published policy: what the policy says, in one language (P1–P20).

:func:`build_policy_document` decides *what* the policy of a register says in one
language; the renderer (``skydd.documents``) decides only *how* it looks. The
organisation's own texts are picked in the requested language, falling back to its
default language, and never translated. Fixed terms are English msgids from
:mod:`skydd.domain.policy_terms`, translated where they are rendered.

Vague made concrete: where the original policy said "as long as needed" or "third
parties", the document carries the period and the event it counts from, each
processor with its country and safeguard, straight from the register.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from skydd.domain import policy_terms as terms
from skydd.domain.cookies import Tracker
from skydd.domain.organisation import ContactPoint, ContactRole, Organisation
from skydd.domain.policy_document import (
    SECTIONS,
    Authority,
    BasisLine,
    BookkeepingHold,
    CategoryEntry,
    Contact,
    Controller,
    Dpo,
    PolicyDocument,
    ProcessorRow,
    PurposeEntry,
    RecipientRow,
    RetentionRow,
    Section,
    SourceLine,
    TrackerRow,
    Transfer,
)
from skydd.domain.policy_text import PolicyText
from skydd.domain.processors import System
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.retention import RetentionRule, StatutoryHold
from skydd.domain.schema import LocalizedText, text_in
from skydd.domain.spans import Span, duration_span, period_span


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Split prose on blank lines, each paragraph on one line."""
    blocks = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
    return tuple(block for block in blocks if block)


def build_policy_document(register: Register, language: str) -> PolicyDocument:
    """What the policy of ``register`` says in ``language`` (a language it publishes in)."""
    org = register.organisation
    pick = _Picker(language, org.default_language)
    text = register.policy.get(language) or register.policy.get(org.default_language)
    dpo = _dpo(org, pick)
    processors = register.processors()
    return PolicyDocument(
        language=language,
        title=text.title if text else None,
        updated_on=org.updated_on.isoformat() if org.updated_on else None,
        organisation_name=org.name,
        sections=tuple(Section(a, h) for a, h in SECTIONS if a != "dpo" or dpo is not None),
        prose=_prose(text),
        controller=_controller(org),
        dpo=dpo,
        intake=_contact(intake, pick) if (intake := _intake(org)) else None,
        contacts=tuple(_contact(point, pick) for point in org.contact_points),
        purposes=tuple(_purpose(register, p, pick) for p in register.purposes),
        subjects=tuple(pick(s.name) for s in register.data_subjects),
        categories=_categories(register, pick),
        trackers=tuple(_tracker(register, t, pick) for t in register.cookies),
        retention=_retention(register, pick),
        bookkeeping=_bookkeeping(register, pick),
        any_consent=any(p.rests_on(LegalBasis.CONSENT) for p in register.purposes),
        processors=tuple(_processor(register, s, pick) for s in processors),
        services=tuple(dict.fromkeys(terms.SERVICES[s] for p in processors for s in p.services)),
        agreements_with_all=all(s.dpa is not None for s in processors),
        recipients=tuple(
            RecipientRow(
                name=pick(r.name),
                kind=terms.RECIPIENT_KINDS[r.kind],
                purposes=names_of(register, r.purposes, pick, purposes=True),
                categories=names_of(register, r.data_categories, pick),
            )
            for r in register.recipients
        ),
        transfers=tuple(t for s in register.systems for t in _transfers(s)),
        security_measures=tuple(m for m in (pick(m) for m in org.security_measures) if m),
        automated_purposes=tuple(pick(p.name) for p in register.purposes if p.automated_decisions),
        authority=(
            Authority(pick(org.supervisory_authority.name), org.supervisory_authority.website)
            if org.supervisory_authority
            else None
        ),
    )


Pick = Callable[[LocalizedText], str]
"""Picks a reader's language out of a localized text."""


class _Picker:
    """Picks the requested language of a localized text, else the default language."""

    def __init__(self, language: str, fallback: str) -> None:
        self.language = language
        self.fallback = fallback

    def __call__(self, text: LocalizedText) -> str:
        return " ".join(text_in(text, self.language, self.fallback).split())


def _prose(text: PolicyText | None) -> dict[str, tuple[str, ...]]:
    return {name: paragraphs_of(body) for name, body in text.prose()} if text else {}


def _intake(org: Organisation) -> ContactPoint | None:
    """Where requests go: the intake, else the DPO, else the first contact point."""
    return org.intake() or org.dpo_contact() or next(iter(org.contact_points), None)


def _contact(point: ContactPoint, pick: _Picker) -> Contact:
    roles = tuple(terms.CONTACT_ROLES[role] for role in point.roles)
    return Contact(point.email, point.phone, pick(point.description), roles)


def _controller(org: Organisation) -> Controller:
    general = org.contacts_for(ContactRole.GENERAL) or org.contacts_for(ContactRole.QUESTIONS)
    contact = general[0] if general else _intake(org)
    return Controller(
        name=org.name,
        legal_name=org.legal_name,
        org_number=org.org_number,
        street=org.address.street,
        postal_code=org.address.postal_code,
        city=org.address.city,
        country=org.address.country,
        website=org.website,
        email=contact.email if contact else None,
    )


def _dpo(org: Organisation, pick: _Picker) -> Dpo | None:
    if org.dpo is None:
        return None
    contact = org.dpo_contact()
    return Dpo(org.dpo.name, pick(org.dpo.mandate), _contact(contact, pick) if contact else None)


def names_of(
    register: Register, keys: list[str], pick: Pick, *, purposes: bool = False
) -> tuple[str, ...]:
    """The names of purposes or data categories, skipping keys that point at nothing."""
    items = (register.purpose(k) if purposes else register.data_category(k) for k in keys)
    return tuple(pick(item.name) for item in items if item is not None)


def _purpose(register: Register, purpose: Purpose, pick: _Picker) -> PurposeEntry:
    bases = tuple(
        BasisLine(
            term=terms.BASES[claim.basis],
            legitimate_interests=claim.basis is LegalBasis.LEGITIMATE_INTERESTS,
            applies_to=pick(claim.applies_to),
            law=claim.law,
            balancing_test=claim.balancing_test is not None,
        )
        for claim in purpose.legal_bases
    )
    subjects = (register.data_subject(k) for k in purpose.data_subjects)
    return PurposeEntry(
        anchor="purpose-" + re.sub(r"[._]", "-", purpose.key),
        name=pick(purpose.name),
        description=paragraphs_of(text_in(purpose.description, pick.language, pick.fallback)),
        bases=bases,
        subjects=tuple(pick(s.name) for s in subjects if s is not None),
        categories=names_of(register, purpose.data_categories, pick),
        channels=tuple(terms.CHANNELS[c] for c in purpose.channels),
        withdrawal_channels=tuple(terms.CHANNELS[c] for c in purpose.withdrawal_channels),
        sources=tuple(
            SourceLine(pick(s.description), s.publicly_accessible) for s in purpose.sources
        ),
        art9=terms.ART9_CONDITIONS[purpose.art9_condition] if purpose.art9_condition else None,
        on_consent=purpose.rests_on(LegalBasis.CONSENT),
        direct_marketing=purpose.is_direct_marketing,
        requirement=pick(purpose.statutory_or_contractual_requirement),
        automated_decisions=purpose.automated_decisions,
        processors=tuple(s.name for s in register.systems_for(purpose.key) if s.is_processor),
    )


def _categories(register: Register, pick: _Picker) -> tuple[CategoryEntry, ...]:
    entries = []
    for category in register.data_categories:
        flag = category.art9
        conditions = (
            terms.ART9_CONDITIONS[p.art9_condition]
            for p in register.purposes
            if p.art9_condition and category.key in p.data_categories
        )
        entries.append(
            CategoryEntry(
                name=pick(category.name),
                description=pick(category.description),
                exposure=terms.EXPOSURES[flag.exposure] if flag else None,
                reveals=tuple(terms.SPECIAL_CATEGORIES[s] for s in flag.reveals) if flag else (),
                conditions=tuple(dict.fromkeys(conditions)) if flag else (),
                bookkeeping_record=category.bookkeeping_record,
            )
        )
    return tuple(entries)


def _tracker(register: Register, tracker: Tracker, pick: _Picker) -> TrackerRow:
    purpose = register.purpose(tracker.purpose) if tracker.purpose else None
    described = pick(tracker.description) or (pick(purpose.name) if purpose else "")
    session = tracker.duration.strip().lower() == "session"
    return TrackerRow(
        name=tracker.name,
        kind=terms.TRACKER_KINDS[tracker.kind],
        provider=tracker.provider,
        category=terms.COOKIE_CATEGORIES[tracker.category],
        purpose=described,
        session=session,
        lifetime=None if session else duration_span(tracker.duration),
        lifetime_text=tracker.duration,
        consent_required=tracker.consent_gated,
    )


def _retention(register: Register, pick: _Picker) -> tuple[RetentionRow, ...]:
    """One row per rule, and one per purpose × category no rule covers (kept undecided)."""
    rows = []
    for purpose in register.purposes:
        rules = [r for r in register.retention if r.purpose == purpose.key]
        rows += [retention_row(register, rule, pick(purpose.name), pick) for rule in rules]
        covered = {key for rule in rules for key in rule.data_categories}
        uncovered = [k for k in purpose.data_categories if k not in covered]
        if uncovered:
            rows.append(
                RetentionRow(
                    purpose=pick(purpose.name),
                    categories=names_of(register, uncovered, pick),
                    kept=terms.KEPT_UNDECIDED,
                    period=(),
                    action="",
                    ground="",
                )
            )
    return tuple(rows)


def retention_row(
    register: Register, rule: RetentionRule, purpose: str, pick: Pick
) -> RetentionRow:
    """One retention rule as a row of the policy's (and the access report's) table."""
    span: Span = ()
    if rule.period is None:
        kept = terms.KEPT_UNDECIDED
    elif rule.period.is_zero():
        kept = terms.KEPT_UNTIL[rule.trigger]
    else:
        kept, span = terms.KEPT_AFTER[rule.trigger], period_span(rule.period)
    return RetentionRow(
        purpose=purpose,
        categories=names_of(register, rule.data_categories, pick),
        kept=kept,
        period=span,
        action=terms.RETENTION_ACTIONS[rule.action],
        ground=pick(rule.legal_ground),
    )


def _bookkeeping(register: Register, pick: _Picker) -> BookkeepingHold | None:
    held = [r for r in register.retention if r.statutory_hold is StatutoryHold.BOOKKEEPING_ACT]
    if not held:
        return None
    keys = list(dict.fromkeys(k for rule in held for k in rule.data_categories))
    return BookkeepingHold(names_of(register, keys, pick), register.organisation.fiscal_year_end)


def _processor(register: Register, system: System, pick: _Picker) -> ProcessorRow:
    return ProcessorRow(
        name=system.name,
        entity=system.vendor.legal_name if system.vendor else None,
        description=pick(system.description),
        services=tuple(terms.SERVICES[s] for s in system.services),
        purposes=names_of(register, system.purposes, pick, purposes=True),
        stored_in=system.hosting.country,
        transfers=_transfers(system),
    )


def _transfers(system: System) -> tuple[Transfer, ...]:
    """Every third country of a system with its safeguards; none stated is said so."""
    lines = []
    for country in system.third_countries():
        stated = [t for t in system.transfers if t.country == country]
        safeguards = [terms.SAFEGUARDS[s] for t in stated for s in t.safeguards]
        references = [t.reference for t in stated if t.reference]
        lines.append(
            Transfer(
                system=system.name,
                country=country,
                safeguards=tuple(dict.fromkeys(safeguards)) or (terms.NO_SAFEGUARD,),
                reference="; ".join(references) or None,
            )
        )
    return tuple(lines)
