"""Erasing what only a withdrawn consent allowed (P6, P11), in the withdrawal's transaction.

When a person withdraws consent, wholly or for some categories, what the register says
only that consent allowed is erased (``domain/withdrawal.py`` decides exactly what):
skydd's own records of those categories at once, and the organisation's systems through
the request engine, as an erasure request limited to those categories per system,
verified by the ledger event itself and run by the workers like any other (connector
steps where skydd reaches the system, manual tasks elsewhere). It is planned in the
same transaction that records the withdrawal, so a withdrawal is never recorded without
its erasure; the caller dispatches the request after the commit, and the sweep finds it
if that message is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import CollectionMethod, ConsentEvent
from skydd.domain.ids import OrganisationId
from skydd.domain.register import Register
from skydd.domain.request_deadlines import deadlines_for
from skydd.domain.requesters import new_requester
from skydd.domain.requests import (
    Channel,
    DataSubjectRequest,
    RequestType,
    Verification,
    new_request,
    verify,
)
from skydd.domain.subjects import Subject
from skydd.domain.verification import VerificationMethod
from skydd.domain.withdrawal import WithdrawalErasure, withdrawal_erasure
from skydd.services.requests import audit_request, store_received
from skydd.services.subjects import Who, audit_subject
from skydd.services.unit_of_work import UnitOfWork

CHANNELS = {
    CollectionMethod.EMAIL_LINK: Channel.EMAIL,
    CollectionMethod.FORM: Channel.WEB,
    CollectionMethod.BANNER: Channel.WEB,
    CollectionMethod.PRIVACY_CENTER: Channel.WEB,
}
"""The request channel of a withdrawal by how it came; the API and imports by default."""


@dataclass(frozen=True)
class ErasureDue:
    """What a withdrawal erased in skydd and which request erases the rest."""

    plan: WithdrawalErasure
    attributes_erased: int
    request: DataSubjectRequest | None
    """Verified and stored; the caller dispatches it once the transaction commits."""


def erase_withdrawn(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    subject: Subject,
    event: ConsentEvent,
    withdrawn: tuple[str, ...],
    *,
    erase: tuple[str, ...] | None,
    who: Who,
) -> ErasureDue:
    """Erase what only the consent ``event`` withdrew allowed; inside an open ``uow``.

    ``erase`` is the person's choice among ``withdrawn`` (``None``: all of them).
    """
    plan = withdrawal_erasure(
        register,
        event.purpose,
        withdrawn,
        erase=erase,
        still_given=uow.consents.states_of(subject.id),
    )
    erased = uow.subjects.remove_attributes(subject.id, plan.categories)
    if erased:
        audit_subject(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_ERASED,
            subject,
            register,
            reason="consent-withdrawn",
            purpose=event.purpose,
            categories=",".join(plan.categories),
            fields=str(erased),
        )
    request = None
    if plan.systems and subject.identifiers:
        request = _erasure_request(uow, clock, org_id, register, subject, event, plan, who)
    return ErasureDue(plan, erased, request)


def _erasure_request(
    uow: UnitOfWork,
    clock: Clock,
    org_id: OrganisationId,
    register: Register,
    subject: Subject,
    event: ConsentEvent,
    plan: WithdrawalErasure,
    who: Who,
) -> DataSubjectRequest:
    """A verified erasure request limited to the plan's categories per system."""
    requester = new_requester(subject.identifiers, name=subject.name)
    received = new_request(
        RequestType.ERASURE,
        CHANNELS.get(event.method, Channel.API),
        deadlines_for(clock.today(), register.organisation.country),
        language=event.language,
        registered_by=who.actor,
        erasure_scope=plan.scope(str(event.record_id)),
    )
    why = f"consent withdrawn: ledger event {event.record_id}"
    request = verify(
        received, Verification(VerificationMethod.CONSENT_RECORD, clock.now(), who.actor, why)
    )
    store_received(uow, clock, org_id, register, request, requester, who=who, purpose=event.purpose)
    audit_request(
        uow,
        clock,
        who,
        AuditAction.REQUEST_VERIFIED,
        request,
        register,
        method=VerificationMethod.CONSENT_RECORD.value,
    )
    return request
