"""Events people sign up for, and what a sign-up may record under which consent (P5, P8).

An event is operational data (a key, a name, a date and the register purpose its
sign-ups rest on), not register data: staff add one for each occasion. A sign-up
records the person's name and identifiers, and values of the purpose's other data
categories (company, home town, food preferences …) under two consents:

- consent to the purpose, for the ordinary categories given;
- a **separate explicit consent** (Art. 9(2)(a)) for every category the register
  marks sensitive (Art. 9, Art. 9-adjacent or flagged): a separate, unticked choice.
  A sensitive value sent without it is refused whole, so nothing is stored.

Form fields are named by the register's own category keys, and a name, e-mail
address or phone number is matched to the purpose's category by its fideslang
taxonomy, so no organisation's keys are written here. The event date is what the
register's ``event_date`` retention rules count from (ADR 0024).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NewType

from skydd.domain.consent import consent_purpose
from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.purposes import Purpose
from skydd.domain.register import Register
from skydd.domain.subjects import (
    IDENTIFIER_CATEGORIES,
    NAME_CATEGORY,
    SubjectId,
    checked_name,
    checked_value,
)

EventId = NewType("EventId", uuid.UUID)

EVENT_KEY = r"^[a-z0-9][a-z0-9_-]{0,99}$"
"""An event's key: a lowercase slug (``summit-2026``), unique in the organisation."""
MAX_EVENT_NAME = 200
MAX_DETAILS = 50
"""Category values one sign-up may carry; a purpose has far fewer categories."""

_KEY = re.compile(EVENT_KEY)


@dataclass(frozen=True)
class Event:
    """One occasion people sign up for; its sign-ups rest on consent to ``purpose``."""

    id: EventId
    key: str
    name: str
    starts_on: dt.date
    purpose: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Signup:
    """That a subject signed up for an event, when first, and in which language."""

    event_id: EventId
    subject_id: SubjectId
    signed_up_at: dt.datetime
    language: str


def checked_event_key(key: str) -> str:
    """``key`` if it is an event key; else why not (the key itself is not repeated)."""
    if not _KEY.fullmatch(key):
        msg = "an event key is 1-100 lowercase letters, digits, '-' or '_', starting alnum"
        raise InvalidInput(msg)
    return key


def define_event(
    register: Register, key: str, name: str, starts_on: dt.date, purpose: str, *, now: dt.datetime
) -> Event:
    """A new event, checked against the register.

    Its purpose must rest on consent and record an e-mail address: what a sign-up is
    known by, and what the person's other rights are exercised with.
    """
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_EVENT_NAME or any(ord(c) < 32 for c in cleaned):
        msg = f"an event name is 1-{MAX_EVENT_NAME} printable characters"
        raise InvalidInput(msg)
    found = consent_purpose(register, purpose)
    email = IDENTIFIER_CATEGORIES[IdentifierKind.EMAIL]
    if category_on(register, found.data_categories, email) is None:
        msg = f"{found.key!r} processes no e-mail address, which a sign-up is known by"
        raise InvalidInput(msg)
    return Event(EventId(uuid.uuid4()), checked_event_key(key), cleaned, starts_on, found.key, now)


def category_on(register: Register, categories: Iterable[str], taxonomy: str) -> str | None:
    """The first of ``categories`` on ``taxonomy`` or under it (a name, an e-mail address …)."""
    for key in categories:
        category = register.data_category(key)
        if category is not None and (
            category.taxonomy == taxonomy or category.taxonomy.startswith(taxonomy + ".")
        ):
            return key
    return None


@dataclass(frozen=True)
class SignupForm:
    """What a person sends to sign up; ``details`` are named by the register's category keys."""

    email: str = field(repr=False)
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    details: Mapping[str, str] = field(default_factory=dict, repr=False)
    language: str | None = None
    consent: bool = False
    """Consent to the event's purpose, for the ordinary categories given."""
    explicit_consent: bool = False
    """The separate explicit consent (Art. 9(2)(a)) the sensitive categories need."""
    notice_id: str = ""


@dataclass(frozen=True)
class SignupPlan:
    """A checked sign-up: what to record, under which consent; nothing looked up yet."""

    identifiers: dict[IdentifierKind, str] = field(repr=False)
    identity: dict[IdentifierKind, str]
    """The purpose's category of each identifier given."""
    name: str | None = field(repr=False)
    name_category: str | None
    ordinary: tuple[str, ...]
    """Categories of ``details`` under consent to the purpose."""
    explicit: tuple[str, ...]
    """Sensitive categories of ``details``, under the separate explicit consent."""
    values: tuple[tuple[str, str], ...] = field(repr=False)
    language: str

    def ordinary_categories(self, kept: frozenset[IdentifierKind]) -> tuple[str, ...]:
        """What consent to the purpose covers when the identifiers ``kept`` are recorded."""
        named = [self.identity[k] for k in IdentifierKind if k in kept and k in self.identity]
        if self.name_category is not None:
            named.append(self.name_category)
        return tuple(sorted({*named, *self.ordinary}))


def plan_signup(
    register: Register, event: Event, form: SignupForm, *, today: dt.date
) -> SignupPlan:
    """Check a sign-up against the register before anything is stored; else say why.

    Refused: no consent; no e-mail address; an event already held; a category the
    purpose does not process; a sensitive value without the separate explicit consent.
    """
    if not form.consent:
        msg = f"signing up needs consent to the purpose {event.purpose!r}"
        raise InvalidInput(msg)
    if event.starts_on < today:
        msg = "the event has taken place; sign-ups are closed"
        raise ConflictError(msg)
    purpose = consent_purpose(register, event.purpose)
    given = {IdentifierKind.EMAIL: form.email, IdentifierKind.PHONE: form.phone}
    identifiers = {kind: raw for kind, raw in given.items() if raw is not None and raw.strip()}
    if IdentifierKind.EMAIL not in identifiers:
        msg = "a sign-up needs the person's e-mail address"
        raise InvalidInput(msg)
    identity: dict[IdentifierKind, str] = {}
    for kind in identifiers:
        identity[kind] = _needed(register, purpose, IDENTIFIER_CATEGORIES[kind], kind.value)
    name = checked_name(form.name)
    name_category = None if name is None else _needed(register, purpose, NAME_CATEGORY, "name")
    if len(form.details) > MAX_DETAILS:
        msg = f"at most {MAX_DETAILS} details in one sign-up"
        raise InvalidInput(msg)
    reserved = _identity_keys(register, purpose)
    ordinary: list[str] = []
    explicit: list[str] = []
    for key in sorted(form.details):
        category = register.data_category(key)
        if key not in purpose.data_categories or category is None:
            msg = f"{purpose.key!r} processes no category {key[:100]!r}"
            raise InvalidInput(msg)
        if key in reserved:
            msg = f"{key!r} is given as the name, email or phone field, not as a detail"
            raise InvalidInput(msg)
        (explicit if category.is_sensitive else ordinary).append(key)
    if explicit and not form.explicit_consent:
        msg = (
            f"{', '.join(explicit)} need the separate explicit consent (Art. 9(2)(a));"
            " nothing was stored"
        )
        raise InvalidInput(msg)
    values = tuple((key, checked_value(form.details[key])) for key in sorted(form.details))
    return SignupPlan(
        identifiers=identifiers,
        identity=identity,
        name=name,
        name_category=name_category,
        ordinary=tuple(ordinary),
        explicit=tuple(explicit),
        values=values,
        language=_language(register, form.language),
    )


def _needed(register: Register, purpose: Purpose, taxonomy: str, what: str) -> str:
    found = category_on(register, purpose.data_categories, taxonomy)
    if found is None:
        msg = f"{purpose.key!r} processes no {what}; leave it out"
        raise InvalidInput(msg)
    return found


def _identity_keys(register: Register, purpose: Purpose) -> set[str]:
    taxonomies = (NAME_CATEGORY, *IDENTIFIER_CATEGORIES.values())
    found = (category_on(register, purpose.data_categories, t) for t in taxonomies)
    return {key for key in found if key is not None}


def _language(register: Register, language: str | None) -> str:
    published = register.organisation.languages
    if language is None or not language.strip():
        return register.organisation.default_language
    if language.strip() not in published:
        msg = f"the language is one of {', '.join(published)}"
        raise InvalidInput(msg)
    return language.strip()
