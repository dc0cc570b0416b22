"""The consent ledger: append-only events, and the current state folded from them (P5–P7, P11).

Every change of a person's consent is an event, never an update: given, withdrawn
(wholly, or for some categories while the purpose stays), or refused. The state a
mailing tool or a form asks about is a projection of the events, folded in ledger
order by :func:`fold`; rebuilding it from the ledger gives the same state, which is
what makes the ledger the record and the state a cache.

Fields follow the consent record of ISO/IEC TS 27560:2023 where it names one (as
the DPV's implementation guide spells them): the record id, the PII principal (a
pseudonymous subject id, linked to identifiers only through the blind index), the
purpose and PII categories, the consent status, the notice shown and the policy
version in force, the language, the time, how the consent was collected and by what.
Nothing in an event is personal data beyond the pseudonym, so the ledger is stored
in the clear and each event can be handed to the person as a signed receipt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

from skydd.domain.errors import InvalidInput
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.subjects import SubjectId

ConsentEventId = NewType("ConsentEventId", uuid.UUID)

RECEIPT_SCHEMA = "skydd-consent-receipt/1"
"""The version of the receipt's claims, so a verifier knows what it reads."""
MAX_TEXT = 200


class ConsentStatus(StrEnum):
    """What the person did (ISO/IEC TS 27560 consent status)."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


class CollectionMethod(StrEnum):
    """How the consent was collected or changed."""

    FORM = "form"
    BANNER = "banner"
    API = "api"
    IMPORT = "import"
    EMAIL_LINK = "email_link"
    PRIVACY_CENTER = "privacy_center"


@dataclass(frozen=True)
class ConsentChange:
    """A change the person asks for, before it is an event of the ledger."""

    purpose: str
    status: ConsentStatus
    categories: tuple[str, ...] = ()
    """Given: the categories consented to (none named: all of the purpose's).
    Withdrawn: the categories withdrawn while the purpose stays (none: the whole purpose)."""
    method: CollectionMethod = CollectionMethod.FORM
    notice_id: str = ""
    """The exact notice text the person was shown (its version id)."""
    language: str = "en"
    source: str = ""
    """What collected it: a form, a site, a staff member's actor id."""


@dataclass(frozen=True)
class ConsentEvent:
    """One entry of the ledger."""

    record_id: ConsentEventId
    subject_id: SubjectId
    purpose: str
    status: ConsentStatus
    categories: tuple[str, ...]
    method: CollectionMethod
    notice_id: str
    policy_version: int | None
    language: str
    event_time: dt.datetime
    source: str
    terms: str = ""
    """The digest of the purpose's substance when consent was given (:func:`terms_of`)."""

    def claims(self, organisation: str) -> dict[str, object]:
        """The receipt's claims: this event, named as the consent record names it."""
        return {
            "schema": RECEIPT_SCHEMA,
            "controller": organisation,
            "record_id": str(self.record_id),
            "pii_principal_id": str(self.subject_id),
            "purpose": self.purpose,
            "pii_categories": list(self.categories),
            "consent_status": self.status.value,
            "collection_method": self.method.value,
            "notice_id": self.notice_id,
            "policy_version": self.policy_version,
            "language": self.language,
            "event_time": self.event_time.isoformat(),
            "source": self.source,
            "terms": self.terms,
        }


@dataclass(frozen=True)
class ConsentState:
    """Where one person's consent to one purpose stands after every event so far."""

    subject_id: SubjectId
    purpose: str
    status: ConsentStatus
    categories: tuple[str, ...]
    """The categories consented to now (sorted); empty unless given."""
    since: dt.datetime
    last_record_id: ConsentEventId
    policy_version: int | None
    notice_id: str
    terms: str = ""
    """The purpose's substance (:func:`terms_of`) the consent in force was given to."""

    @property
    def active(self) -> bool:
        """True while consent is given for at least one category."""
        return self.status is ConsentStatus.GIVEN and bool(self.categories)


def new_event(
    register: Register,
    subject_id: SubjectId,
    change: ConsentChange,
    *,
    at: dt.datetime,
    policy_version: int | None,
) -> ConsentEvent:
    """The ledger entry for ``change``, checked against the register's purposes."""
    purpose = consent_purpose(register, change.purpose, change.categories)
    categories = tuple(sorted(set(change.categories)))
    if change.status is ConsentStatus.GIVEN and not categories:
        categories = tuple(sorted(purpose.data_categories))
    if change.status is ConsentStatus.REFUSED and categories:
        msg = "a refusal is of the whole purpose: name no categories"
        raise InvalidInput(msg)
    return ConsentEvent(
        record_id=ConsentEventId(uuid.uuid4()),
        subject_id=subject_id,
        purpose=purpose.key,
        status=change.status,
        categories=categories,
        method=change.method,
        notice_id=_text("notice_id", change.notice_id),
        policy_version=policy_version,
        language=_text("language", change.language) or register.organisation.default_language,
        event_time=at,
        source=_text("source", change.source),
        terms=terms_of(register, purpose),
    )


def terms_of(register: Register, purpose: Purpose) -> str:
    """A digest of what a person consents to when consenting to ``purpose`` (P20).

    Its substance: the description, data categories, legal bases, data use, automated
    decisions and sources, and who receives the data for it (systems and recipients).
    A new policy that changes any of it changes the digest, and consents given to the
    old one need renewing; a reworded title or a new translation of the name does not.
    Worked out once per register object and purpose: every consent event names it.
    """
    held = _TERMS.get(id(register))
    if held is None or held[0]() is not register:
        key = id(register)
        held = _TERMS[key] = (weakref.ref(register, lambda _: _TERMS.pop(key, None)), {})
    digests = held[1]
    digest = digests.get(purpose.key)
    if digest is None:
        digest = digests[purpose.key] = _terms_digest(register, purpose)
    return digest


_TERMS: dict[int, tuple[weakref.ref[Register], dict[str, str]]] = {}
"""Each live register's purpose digests, by the register's identity (a register is
never changed once validated; a new version is a new object)."""


def _terms_digest(register: Register, purpose: Purpose) -> str:
    substance = {
        "description": purpose.description,
        "categories": sorted(purpose.data_categories),
        "bases": sorted((c.basis.value, sorted(c.applies_to.items())) for c in purpose.legal_bases),
        "data_use": purpose.data_use,
        "automated_decisions": purpose.automated_decisions,
        "sources": [s.model_dump(mode="json") for s in purpose.sources],
        "systems": sorted(s.key for s in register.systems_for(purpose.key)),
        "recipients": sorted(r.key for r in register.recipients if purpose.key in r.purposes),
    }
    canonical = json.dumps(substance, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def is_stale(state: ConsentState, register: Register) -> bool:
    """True for a consent in force given to a purpose whose substance has since changed."""
    purpose = register.purpose(state.purpose)
    if not state.active:
        return False
    return purpose is None or state.terms != terms_of(register, purpose)


def consent_purpose(register: Register, key: str, categories: Iterable[str] = ()) -> Purpose:
    """The purpose ``key`` if it rests on consent and processes ``categories``; else why not."""
    purpose = register.purpose(key)
    if purpose is None:
        known = ", ".join(p.key for p in register.purposes if p.rests_on(LegalBasis.CONSENT))
        msg = f"unknown purpose; those resting on consent: {known}"
        raise InvalidInput(msg)
    if not purpose.rests_on(LegalBasis.CONSENT):
        msg = f"{purpose.key!r} does not rest on consent"
        raise InvalidInput(msg)
    unknown = sorted(set(categories) - set(purpose.data_categories))
    if unknown:
        msg = f"{purpose.key!r} processes no category {unknown[0][:MAX_TEXT]!r}"
        raise InvalidInput(msg)
    return purpose


def fold(state: ConsentState | None, event: ConsentEvent) -> ConsentState:
    """The state after ``event``: the one rule every projection of the ledger follows.

    Giving adds categories to a consent in force (a new consent after a withdrawal or
    refusal starts afresh); withdrawing categories keeps the purpose while any remain;
    withdrawing without categories, or refusing, ends it.
    """
    held = set(state.categories) if state is not None and state.active else set()
    if event.status is ConsentStatus.GIVEN:
        categories, status = held | set(event.categories), ConsentStatus.GIVEN
    elif event.status is ConsentStatus.WITHDRAWN and event.categories:
        categories = held - set(event.categories)
        status = ConsentStatus.GIVEN if categories else ConsentStatus.WITHDRAWN
    else:
        categories, status = set(), event.status
    return ConsentState(
        subject_id=event.subject_id,
        purpose=event.purpose,
        status=status,
        categories=tuple(sorted(categories)),
        since=event.event_time,
        last_record_id=event.record_id,
        policy_version=event.policy_version,
        notice_id=event.notice_id,
        terms=event.terms if event.status is ConsentStatus.GIVEN else _terms(state),
    )


def _terms(state: ConsentState | None) -> str:
    """The terms a consent still in force keeps after a partial withdrawal."""
    return state.terms if state is not None else ""


def project(events: Iterable[ConsentEvent]) -> dict[tuple[SubjectId, str], ConsentState]:
    """Every person's state per purpose, from the ledger in order."""
    states: dict[tuple[SubjectId, str], ConsentState] = {}
    for event in events:
        key = (event.subject_id, event.purpose)
        states[key] = fold(states.get(key), event)
    return states


def withdrawn_categories(before: ConsentState | None, after: ConsentState) -> tuple[str, ...]:
    """The categories an event took out of consent: what erasure may now be due for."""
    held = set(before.categories) if before is not None and before.active else set()
    return tuple(sorted(held - set(after.categories)))


def state_lines(states: Mapping[tuple[SubjectId, str], ConsentState]) -> list[str]:
    """The projection as canonical text lines, sorted: equal states give equal bytes."""
    return sorted(
        "\t".join(
            (
                str(s.subject_id),
                s.purpose,
                s.status.value,
                ",".join(s.categories),
                s.since.isoformat(),
                str(s.last_record_id),
                "" if s.policy_version is None else str(s.policy_version),
                s.notice_id,
                s.terms,
            )
        )
        for s in states.values()
    )


def _text(name: str, value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > MAX_TEXT:
        msg = f"{name} is at most {MAX_TEXT} characters"
        raise InvalidInput(msg)
    return cleaned
