"""Use cases of events: add one, sign a person up under consent, list sign-ups by need-to-know.

A sign-up is checked whole against the register first (``domain.events.plan_signup``),
so a refused one stores nothing. Then, in one unit of work: the person is found or
added by blind index; consent to the event's purpose is recorded for the ordinary
categories given and, as a separate ledger event, the explicit consent for the
sensitive ones (``record_consent``); each value is stored through ``set_attribute``,
encrypted under its own category's key (ADR 0010); and the sign-up itself. The
consent ledger commits as it records, so a failure after it leaves the consent in
place and a retry records nothing twice.

Whether a person was known before never shows in the answer, and the public form
never links a new identifier or name to someone already known (see :func:`_person`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from skydd.domain.access_control import visible_categories
from skydd.domain.access_vocabulary import Action, Actor
from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus
from skydd.domain.errors import ConflictError, NotFoundError
from skydd.domain.events import (
    Event,
    Signup,
    SignupForm,
    SignupPlan,
    category_on,
    checked_event_key,
    define_event,
    plan_signup,
)
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.register import Register
from skydd.domain.subjects import (
    IDENTIFIER_CATEGORIES,
    NAME_CATEGORY,
    Subject,
    SubjectAttribute,
    SubjectId,
    single_match,
)
from skydd.services.access import authorise
from skydd.services.consent import record_consent
from skydd.services.ports import ReceiptSigner
from skydd.services.register import RoleCache, current_register, served_roles
from skydd.services.subjects import (
    Who,
    audit_subject,
    parse_identifier,
    set_attribute,
    subject_for,
)
from skydd.services.unit_of_work import UnitOfWork


def add_event(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    key: str,
    name: str,
    starts_on: dt.date,
    purpose: str,
) -> Event:
    """Add an event whose sign-ups rest on consent to ``purpose``; a key in use is a 409."""
    with uow:
        stored = current_register(uow, organisation_key)
        event = define_event(stored.register, key, name, starts_on, purpose, now=clock.now())
        if uow.events.by_key(stored.organisation_id, event.key) is not None:
            msg = f"an event {event.key!r} exists already"
            raise ConflictError(msg)
        uow.events.add(stored.organisation_id, event)
        uow.commit()
    return event


def list_events(uow: UnitOfWork, organisation_key: str | None) -> list[tuple[Event, int]]:
    """The organisation's events by date, each with how many signed up (no personal data)."""
    with uow:
        return uow.events.all(current_register(uow, organisation_key).organisation_id)


def find_event(uow: UnitOfWork, organisation_key: str | None, key: str) -> Event:
    """The event ``key``; 404 when the organisation has none of that key."""
    with uow:
        stored = current_register(uow, organisation_key)
        return _event(uow, stored.organisation_id, key)


@dataclass(frozen=True)
class SignedUp:
    """What a sign-up came to; the public answer shows none of it (no existence oracle)."""

    event: Event
    subject_id: SubjectId
    new: bool
    """False when the person had signed up for this event before (their values updated)."""
    receipts: tuple[str, ...] = field(repr=False)
    """The consent receipts: the purpose's, and the explicit consent's when given."""


def sign_up(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    event_key: str,
    form: SignupForm,
    signer: ReceiptSigner,
    *,
    who: Who,
) -> SignedUp:
    """Sign a person up for an event under their consent (and explicit consent, P8)."""
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        event = _event(uow, org_id, event_key)
        plan = plan_signup(register, event, form, today=clock.today())
        identifiers, subject = _person(uow, clock, org_id, register, plan, who)
        consents = (
            (plan.ordinary_categories(frozenset(identifiers)), f"event:{event.key}"),
            (plan.explicit, f"event:{event.key}/explicit-consent"),
        )
        receipts = []
        for categories, source in consents:
            if not categories:
                continue
            change = ConsentChange(
                purpose=event.purpose,
                status=ConsentStatus.GIVEN,
                categories=categories,
                method=CollectionMethod.FORM,
                notice_id=form.notice_id,
                language=plan.language,
                source=source,
            )
            recorded = record_consent(
                uow, clock, organisation_key, identifiers, change, signer, who=who
            )
            receipts.append(recorded.receipt)
        for category, value in plan.values:
            set_attribute(uow, clock, organisation_key, subject.id, category, value, who=who)
        new = uow.events.save_signup(Signup(event.id, subject.id, clock.now(), plan.language))
        audit_subject(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_CHANGED,
            subject,
            register,
            change="event-signup" if new else "event-signup-updated",
            event=event.key,
        )
        uow.commit()
    return SignedUp(event, subject.id, new, tuple(receipts))


def _person(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    plan: SignupPlan,
    who: Who,
) -> tuple[dict[IdentifierKind, str], Subject]:
    """The person signing up, found or added by e-mail; the identifiers recorded for them.

    The form is public and unverified, so it never links anything to someone already
    known: a phone number joins only a person new to skydd, and only when no one else
    has it, and a name is set only for a new person. Otherwise anyone could attach
    their own phone to another person's records and exercise that person's rights
    with it. A phone left out is noted in the audit log for staff, never answered.
    """
    email = plan.identifiers[IdentifierKind.EMAIL]
    found = single_match(
        uow.subjects.find(org_id, parse_identifier(IdentifierKind.EMAIL, email, register, clock))
    )
    kept = {IdentifierKind.EMAIL: email}
    raw_phone = plan.identifiers.get(IdentifierKind.PHONE)
    if raw_phone is not None:
        phone = parse_identifier(IdentifierKind.PHONE, raw_phone, register, clock)
        if (found is None and not uow.subjects.find(org_id, phone)) or (
            found is not None and found.phone == phone
        ):
            kept[IdentifierKind.PHONE] = raw_phone
    name = plan.name if found is None else None
    subject = subject_for(uow, clock, org_id, register, kept, name=name, who=who)
    if raw_phone is not None and IdentifierKind.PHONE not in kept:
        audit_subject(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_CHANGED,
            subject,
            register,
            change="identifier-left-out",
            kind=IdentifierKind.PHONE.value,
        )
    return kept, subject


@dataclass(frozen=True)
class SignupField:
    """One category of a sign-up: its value, or withheld from this reader (need-to-know)."""

    category: str
    value: str | None = field(repr=False)
    withheld: bool


@dataclass(frozen=True)
class SignupView:
    """One person's sign-up as a reader may see it."""

    subject_id: SubjectId
    signed_up_at: dt.datetime
    language: str
    fields: tuple[SignupField, ...]


@dataclass(frozen=True)
class EventSignups:
    """An event's sign-ups, each field shown or withheld by the reader's roles."""

    event: Event
    visible: frozenset[str]
    signups: tuple[SignupView, ...]


def event_signups(
    uow: UnitOfWork,
    clock: Clock,
    cache: RoleCache,
    organisation_key: str | None,
    event_key: str,
    actor: Actor,
    *,
    route: str,
    origin: str,
) -> EventSignups:
    """Who signed up and what they gave, field by field as ``actor``'s roles allow (P12).

    The actor must be allowed to read the event's purpose at all (else 403, audited);
    each category is then shown only if ``decide`` allows reading it, so a role
    without sensitive data sees food preferences withheld. Every category the purpose
    has is listed for everyone, so a withheld field does not tell whether a value
    exists. Each person listed is an audited read.
    """
    event = find_event(uow, organisation_key, event_key)
    authorise(
        uow,
        clock,
        cache,
        actor,
        Action.READ,
        organisation=organisation_key,
        route=route,
        origin=origin,
        purpose=event.purpose,
    )
    served = served_roles(uow, cache, organisation_key)
    register = served.register
    visible = visible_categories(actor, event.purpose, served.roles, register)
    purpose = register.purpose(event.purpose)
    categories = tuple(purpose.data_categories) if purpose is not None else ()
    who = Who(actor.id, origin)
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        found = []
        for signup in uow.events.signups(event.id):
            subject = uow.subjects.get(org_id, signup.subject_id)
            if subject is not None:
                found.append((signup, subject, uow.subjects.attributes(subject.id)))
        views = []
        for signup, subject, attributes in found:
            values = _values(register, categories, subject, attributes)
            shown = [c for c in categories if c in visible and c in values]
            views.append(
                SignupView(
                    subject.id,
                    signup.signed_up_at,
                    signup.language,
                    tuple(
                        SignupField(c, values.get(c) if c in visible else None, c not in visible)
                        for c in categories
                    ),
                )
            )
            audit_subject(
                uow,
                clock,
                who,
                AuditAction.PERSONAL_DATA_READ,
                subject,
                register,
                what="event-signup",
                event=event.key,
                shown=",".join(shown),
            )
        uow.commit()
    return EventSignups(event, visible, tuple(views))


def _values(
    register: Register,
    categories: tuple[str, ...],
    subject: Subject,
    attributes: list[SubjectAttribute],
) -> dict[str, str]:
    """The subject's values of the purpose's categories: name and identifiers included."""
    values = {a.category: a.value for a in attributes if a.category in categories}
    identity: list[tuple[str, str | None]] = [(NAME_CATEGORY, subject.name)]
    for kind in (IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.PERSONNUMMER):
        found = subject.identifier(kind)
        identity.append((IDENTIFIER_CATEGORIES[kind], found.value if found else None))
    for taxonomy, value in identity:
        key = category_on(register, categories, taxonomy)
        if key is not None and value is not None:
            values[key] = value
    return values


def last_event_on(uow: UnitOfWork, subject_id: SubjectId, purpose: str) -> dt.date | None:
    """The date of the last event under ``purpose`` the subject signed up for, if any.

    What a retention rule triggered by ``event_date`` counts from (ADR 0024): the
    values a sign-up stored are kept for the rule's period after the person's last
    event of that purpose.
    """
    with uow:
        dates = [e.starts_on for e in uow.events.of_subject(subject_id) if e.purpose == purpose]
    return max(dates, default=None)


def _event(uow: UnitOfWork, org_id: OrganisationId, key: str) -> Event:
    event = uow.events.by_key(org_id, checked_event_key(key))
    if event is None:
        msg = "no such event"
        raise NotFoundError(msg)
    return event
