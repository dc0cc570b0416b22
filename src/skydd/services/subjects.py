"""Use cases of data subjects: record a person, find them by an identifier, read, annotate.

Every read and change is an audit event naming the subject by pseudonym
(``subject:<uuid>``) and the identifier *kind* used, never its value. Identifiers are
normalised against the organisation's register (its country reads phone numbers
written without a country code) and the injected clock (a short personnummer's
century), so the same person typed two ways is one subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError
from skydd.domain.identifiers import (
    Identifier,
    IdentifierKind,
    normalise_email,
    normalise_personnummer,
    normalise_phone,
)
from skydd.domain.ids import OrganisationId
from skydd.domain.register import Register
from skydd.domain.subjects import (
    Subject,
    SubjectAttribute,
    SubjectId,
    checked_value,
    merge_into,
    new_subject,
    single_match,
)
from skydd.services.audit import record
from skydd.services.register import current_register
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SubjectRecord:
    """A subject and every category value skydd holds about them."""

    subject: Subject
    attributes: tuple[SubjectAttribute, ...]


@dataclass(frozen=True)
class Who:
    """Who acts, from where: the audit fields every use case here needs."""

    actor: str
    origin: str


def parse_identifier(
    kind: IdentifierKind, raw: str, register: Register, clock: Clock
) -> Identifier:
    """Validate and normalise ``raw`` as an identifier of ``kind`` for this organisation."""
    if kind is IdentifierKind.EMAIL:
        return normalise_email(raw)
    if kind is IdentifierKind.PHONE:
        return normalise_phone(raw, default_region=register.organisation.country)
    return normalise_personnummer(raw, today=clock.today())


def record_subject(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    identifiers: dict[IdentifierKind, str],
    *,
    name: str | None = None,
    who: Who,
) -> Subject:
    """Find the subject these identifiers belong to and add what is new, or create one.

    Identifiers found on two different subjects are a conflict (HTTP 409): skydd never
    merges two people on its own.
    """
    with uow:
        org_id, register = _organisation(uow, organisation_key)
        subject = subject_for(uow, clock, org_id, register, identifiers, name=name, who=who)
        uow.commit()
    return subject


def subjects_named(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    identifiers: dict[IdentifierKind, str],
) -> list[Subject]:
    """Inside ``uow``: the distinct subjects the identifiers find (none, one, or several)."""
    parsed = [parse_identifier(k, v, register, clock) for k, v in identifiers.items()]
    found = {s.id: s for i in parsed for s in uow.subjects.find(org_id, i)}
    return list(found.values())


def subject_for(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    identifiers: dict[IdentifierKind, str],
    *,
    name: str | None = None,
    who: Who,
) -> Subject:
    """Inside ``uow``: the subject of these identifiers, found, completed or created.

    A change is audited; the caller commits, with whatever else it records.
    """
    parsed = [parse_identifier(k, v, register, clock) for k, v in identifiers.items()]
    found = single_match(s for i in parsed for s in uow.subjects.find(org_id, i))
    now = clock.now()
    if found is None:
        subject = new_subject(parsed, name=name, now=now)
        if uow.subjects.add(org_id, subject):
            _audit_recorded(uow, clock, who, subject, register, "recorded")
            return subject
        # Added at the same moment by another transaction, which committed first.
        found = single_match(s for i in parsed for s in uow.subjects.find(org_id, i))
        if found is None:
            msg = "the person was being recorded by another request: try again"
            raise ConflictError(msg)
    subject = merge_into(found, parsed, name=name, now=now)
    if subject != found:
        uow.subjects.save(subject)
        _audit_recorded(uow, clock, who, subject, register, "identifiers")
    return subject


def _audit_recorded(
    uow: UnitOfWork, clock: Clock, who: Who, subject: Subject, register: Register, change: str
) -> None:
    audit_subject(
        uow, clock, who, AuditAction.PERSONAL_DATA_CHANGED, subject, register, change=change
    )


def find_subject(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    kind: IdentifierKind,
    raw: str,
    *,
    who: Who,
) -> Subject | None:
    """The subject with this identifier, or ``None``; a hit is an audited read."""
    with uow:
        org_id, register = _organisation(uow, organisation_key)
        identifier = parse_identifier(kind, raw, register, clock)
        subject = single_match(uow.subjects.find(org_id, identifier))
        if subject is not None:
            audit_subject(
                uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, by=kind
            )
            uow.commit()
    return subject


def read_subject(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    subject_id: SubjectId,
    *,
    who: Who,
) -> SubjectRecord:
    """Everything skydd holds about one subject; audited as a read."""
    with uow:
        org_id, register = _organisation(uow, organisation_key)
        subject = _subject(uow, org_id, subject_id)
        attributes = tuple(uow.subjects.attributes(subject.id))
        audit_subject(uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, by="id")
        uow.commit()
    return SubjectRecord(subject, attributes)


def set_attribute(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    subject_id: SubjectId,
    category: str,
    value: str,
    *,
    who: Who,
) -> SubjectAttribute:
    """Store a value of one of the register's data categories about a subject.

    The register says whether the category is sensitive (Art. 9 and the like); a
    sensitive value is encrypted under the sensitive key family (ADR 0010).
    """
    with uow:
        org_id, register = _organisation(uow, organisation_key)
        found = register.data_category(category)
        if found is None:
            msg = f"the register has no data category {category!r}"
            raise InvalidInput(msg)
        subject = _subject(uow, org_id, subject_id)
        attribute = SubjectAttribute(
            category=category,
            value=checked_value(value),
            sensitive=found.is_sensitive,
            recorded_at=clock.now(),
        )
        uow.subjects.set_attribute(subject.id, attribute)
        audit_subject(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_CHANGED,
            subject,
            register,
            change="attribute",
            category=category,
        )
        uow.commit()
    return attribute


def _organisation(uow: UnitOfWork, key: str | None) -> tuple[OrganisationId, Register]:
    stored = current_register(uow, key)
    return stored.organisation_id, stored.register


def _subject(uow: UnitOfWork, org_id: OrganisationId, subject_id: SubjectId) -> Subject:
    subject = uow.subjects.get(org_id, subject_id)
    if subject is None:
        msg = "no such subject"
        raise NotFoundError(msg)
    return subject


def audit_subject(
    uow: UnitOfWork,
    clock: Clock,
    who: Who,
    action: AuditAction,
    subject: Subject,
    register: Register,
    **details: str,
) -> None:
    """Append an event about a subject, named by pseudonym, never by an identifier."""
    record(
        uow,
        clock,
        actor=who.actor,
        action=action,
        target=subject.pseudonym,
        origin=who.origin,
        organisation=register.organisation.key,
        subject=subject.pseudonym,
        details=details,
    )
