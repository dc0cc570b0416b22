"""Use cases of data subject requests: receive, verify, extend, reject, list what is due.

The audit log names a request by its reference (``request:R-7K3F-9QXA``), never by
who it is from. Nothing about the person is looked up before verification, so the
answer to a submission is the same whether or not skydd holds anything about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.processing_limits import ended_by_rejection, objected_purpose
from skydd.domain.rectification import Correction, checked_corrections
from skydd.domain.register import Register
from skydd.domain.request_deadlines import DEFAULT_TARGET_DAYS, deadlines_for
from skydd.domain.requesters import Requester, new_requester
from skydd.domain.requests import (
    Channel,
    DataSubjectRequest,
    RequestStatus,
    RequestType,
    Verification,
    extend,
    new_request,
    reject,
    verify,
)
from skydd.domain.verification import VerificationMethod
from skydd.services.audit import record
from skydd.services.notices import Postman
from skydd.services.ports import MailMessage
from skydd.services.register import current_register
from skydd.services.subjects import Who, parse_identifier
from skydd.services.unit_of_work import UnitOfWork

REQUESTER_ACTOR = "requester"


@dataclass(frozen=True)
class Submission:
    """A request as it arrives: the right, who it names, and how and when it came.

    ``received_on`` is the true day of receipt; only staff registering a request that
    came by mail, letter or phone set it (the deadline counts from it).
    """

    type: RequestType
    identifiers: dict[IdentifierKind, str]
    channel: Channel = Channel.API
    name: str | None = None
    details: str | None = None
    language: str | None = None
    received_on: dt.date | None = None
    corrections: Mapping[str, str] = field(default_factory=dict)
    """For rectification: category (register or fideslang key) → the right value."""
    purpose: str | None = None
    """For an objection: the register purpose objected to."""


def receive_request(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    submission: Submission,
    *,
    who: Who,
    target_days: int = DEFAULT_TARGET_DAYS,
) -> tuple[DataSubjectRequest, Requester]:
    """Store a new request with its deadlines, counted from the true day of receipt."""
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        requester = new_requester(
            (parse_identifier(k, v, register, clock) for k, v in submission.identifiers.items()),
            name=submission.name,
            details=submission.details,
            corrections=_corrections(submission, register),
        )
        received_on = _received_on(submission.received_on, clock)
        request = new_request(
            submission.type,
            submission.channel,
            deadlines_for(received_on, register.organisation.country, target_days=target_days),
            language=_language(submission.language, register),
            registered_by=who.actor,
            purpose=_purpose(submission, register),
        )
        store_received(uow, clock, org_id, register, request, requester, who=who)
        uow.commit()
    return request, requester


def store_received(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    request: DataSubjectRequest,
    requester: Requester,
    *,
    who: Who,
    **details: str,
) -> None:
    """Inside ``uow``: store a new request and audit its receipt (right, channel, day)."""
    uow.requests.add(org_id, request, requester, clock.now())
    audit_request(
        uow,
        clock,
        who,
        AuditAction.REQUEST_RECEIVED,
        request,
        register,
        type=request.type.value,
        channel=request.channel.value,
        received_on=request.deadlines.received_on.isoformat(),
        **details,
    )


@dataclass(frozen=True)
class StaffDecision:
    """A decision staff take on one request, with the reason they give."""

    reference: str
    reason: str
    who: Who


def verify_manually(
    uow: UnitOfWork, clock: Clock, organisation_key: str | None, decision: StaffDecision
) -> DataSubjectRequest:
    """Staff confirm the requester's identity by other means, saying how (recorded)."""

    def manually(request: DataSubjectRequest) -> DataSubjectRequest:
        by = decision.who.actor
        return verify(
            request, Verification(VerificationMethod.MANUAL, clock.now(), by, decision.reason)
        )

    return _decide(uow, clock, organisation_key, decision, manually, AuditAction.REQUEST_VERIFIED)


def extend_request(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    decision: StaffDecision,
    postman: Postman | None = None,
) -> DataSubjectRequest:
    """Extend the deadline to three months from receipt; the person is told why (Art. 12(3)).

    The notice goes out at once, so it reaches the person within the first month (the
    domain refuses an extension once that is no longer possible).
    """

    def extended(request: DataSubjectRequest) -> DataSubjectRequest:
        return extend(request, decision.reason, clock.today(), clock.now())

    changed = _decide(
        uow, clock, organisation_key, decision, extended, AuditAction.REQUEST_EXTENDED
    )
    if postman is not None:
        _notify(uow, organisation_key, changed, postman, postman.writer.extension)
    return changed


def reject_request(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    decision: StaffDecision,
    postman: Postman | None = None,
) -> DataSubjectRequest:
    """Refuse the request; the person is told why and of their remedies (Art. 12(4))."""

    def rejected(request: DataSubjectRequest) -> DataSubjectRequest:
        return reject(request, decision.reason, clock.now())

    changed = _decide(
        uow,
        clock,
        organisation_key,
        decision,
        rejected,
        AuditAction.REQUEST_REJECTED,
        also=_lift_limits,
    )
    if postman is not None:
        _notify(uow, organisation_key, changed, postman, postman.writer.rejection)
    return changed


def _notify(
    uow: UnitOfWork,
    organisation_key: str | None,
    request: DataSubjectRequest,
    postman: Postman,
    write: Callable[[Register, DataSubjectRequest], MailMessage],
) -> bool:
    """Mail the person about ``request`` when it names an address; else staff tell them."""
    with uow:
        register = current_register(uow, organisation_key).register
        email = uow.requests.requester(request.id).email
    if email is None:
        return False
    return postman.send(register, email.value, write(register, request), request.reference)


def _decide(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    decision: StaffDecision,
    change: Callable[[DataSubjectRequest], DataSubjectRequest],
    action: AuditAction,
    also: Callable[[UnitOfWork, Clock, Who, Register, DataSubjectRequest], None] | None = None,
) -> DataSubjectRequest:
    """Apply a staff decision: the changed request stored, its code gone, the act audited.

    The audit event carries the due date in force (what an extension changes) and, for
    a verification, its method; never the reason, which may quote the person.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        changed = change(find_request(uow, stored.organisation_id, decision.reference))
        uow.requests.save(changed)
        if changed.status is not RequestStatus.RECEIVED:
            uow.requests.drop_code(changed.id)
        details = {"due_on": changed.due_on.isoformat()}
        if changed.verification is not None and action is AuditAction.REQUEST_VERIFIED:
            details["method"] = changed.verification.method.value
        audit_request(uow, clock, decision.who, action, changed, stored.register, **details)
        if also is not None:
            also(uow, clock, decision.who, stored.register, changed)
        uow.commit()
    return changed


def _lift_limits(
    uow: UnitOfWork, clock: Clock, who: Who, register: Register, request: DataSubjectRequest
) -> None:
    """A rejected restriction or objection stops limiting; the suppression list stays."""
    for limit in ended_by_rejection(uow.limits.of_request(request.id), clock.now()):
        uow.limits.save(limit)
        audit_request(
            uow,
            clock,
            who,
            AuditAction.PROCESSING_LIMIT_LIFTED,
            request,
            register,
            limit=limit.kind.value,
        )


def open_requests(
    uow: UnitOfWork, clock: Clock, organisation_key: str | None, due_within: dt.timedelta | None
) -> list[DataSubjectRequest]:
    """Open requests, soonest deadline first; with ``due_within``, only those due by then.

    Overdue requests are always among them: their deadline is before today.
    """
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        last_day = None if due_within is None else clock.today() + due_within
        return uow.requests.open_due_by(org_id, last_day)


def get_request(
    uow: UnitOfWork, organisation_key: str | None, reference: str
) -> DataSubjectRequest:
    """One request by its reference (no personal data)."""
    with uow:
        return find_request(uow, current_register(uow, organisation_key).organisation_id, reference)


def find_request(uow: UnitOfWork, org_id: OrganisationId, reference: str) -> DataSubjectRequest:
    """The request with ``reference``; a reference is matched case-insensitively."""
    request = uow.requests.by_reference(org_id, reference.strip().upper())
    if request is None:
        msg = "no request with that reference"
        raise NotFoundError(msg)
    return request


def _corrections(submission: Submission, register: Register) -> tuple[Correction, ...]:
    """What a rectification corrects; other rights take no corrections."""
    if submission.type is RequestType.RECTIFICATION:
        return checked_corrections(register, submission.corrections)
    if submission.corrections:
        msg = "corrections belong to a rectification request only"
        raise InvalidInput(msg)
    return ()


def _purpose(submission: Submission, register: Register) -> str | None:
    """The purpose an objection names, checked against Art. 21; other rights name none."""
    if submission.type is RequestType.OBJECTION:
        return objected_purpose(register, submission.purpose).key
    if submission.purpose is not None:
        msg = "a purpose belongs to an objection only"
        raise InvalidInput(msg)
    return None


def _received_on(given: dt.date | None, clock: Clock) -> dt.date:
    today = clock.today()
    if given is None:
        return today
    if given > today:
        msg = "the day of receipt cannot be in the future"
        raise InvalidInput(msg)
    if given < today - dt.timedelta(days=366):
        msg = "the day of receipt is more than a year ago; check the date"
        raise InvalidInput(msg)
    return given


def _language(asked: str | None, register: Register) -> str:
    """The language asked for when the organisation writes it, else its default."""
    org = register.organisation
    if asked is not None and asked.strip().lower() in org.languages:
        return asked.strip().lower()
    return org.default_language


def audit_request(
    uow: UnitOfWork,
    clock: Clock,
    who: Who,
    action: AuditAction,
    request: DataSubjectRequest,
    register: Register,
    **details: str,
) -> None:
    """Append a request event: named by reference and type, never by its requester."""
    record(
        uow,
        clock,
        actor=who.actor,
        action=action,
        target=f"request:{request.reference}",
        origin=who.origin,
        organisation=register.organisation.key,
        details={"type": request.type.value, **details},
    )
