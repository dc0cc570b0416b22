"""Use cases of restriction and objection: set the limits, ask them, lift a restriction.

Every processing skydd does itself on a person's data asks :func:`may_process` (or
:func:`is_suppressed` for marketing) first; the worker sets the limits when a verified
restriction or objection request starts (:func:`set_limits`), in the same transaction
that plans its steps, so no run can see the request started without its limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.identifiers import Identifier
from skydd.domain.processing_limits import (
    LimitKind,
    ProcessingLimit,
    lift,
    limits_for_objection,
    restriction,
)
from skydd.domain.processing_limits import may_process as limits_allow
from skydd.domain.register import Register
from skydd.domain.requests import DataSubjectRequest, RequestStatus, RequestType
from skydd.services.notices import Postman
from skydd.services.ports import PersonalDataSystems, StoredRegister
from skydd.services.register import current_register
from skydd.services.requests import StaffDecision, audit_request, find_request
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork


def set_limits(
    uow: UnitOfWork,
    clock: Clock,
    who: Who,
    stored: StoredRegister,
    request: DataSubjectRequest,
) -> list[ProcessingLimit]:
    """The limits a restriction or objection sets, stored and audited (inside ``uow``)."""
    if request.type is RequestType.RESTRICTION:
        limits = [restriction(request.id, clock.now())]
    elif request.type is RequestType.OBJECTION:
        purpose = stored.register.purpose(request.purpose or "")
        if purpose is None:
            msg = "the purpose objected to is no longer in the register"
            raise ConflictError(msg)
        limits = limits_for_objection(request.id, purpose, clock.now())
    else:
        return []
    uow.limits.add(stored.organisation_id, limits)
    for limit in limits:
        _audit(uow, clock, who, AuditAction.PROCESSING_LIMITED, request, stored.register, limit)
    return limits


def request_limits(
    uow: UnitOfWork, organisation_key: str | None, reference: str
) -> list[ProcessingLimit]:
    """The limits one request set (no personal data)."""
    with uow:
        stored = current_register(uow, organisation_key)
        return uow.limits.of_request(find_request(uow, stored.organisation_id, reference).id)


def limits_of(
    uow: UnitOfWork, organisation_key: str | None, identifiers: Sequence[Identifier]
) -> list[ProcessingLimit]:
    """Every limit on the person any of ``identifiers`` names, active and lifted."""
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        return uow.limits.of_person(org_id, identifiers)


def may_process(
    uow: UnitOfWork,
    organisation_key: str | None,
    identifiers: Sequence[Identifier],
    purpose_key: str,
) -> bool:
    """True when skydd may process the person's data for the purpose ``purpose_key``."""
    with uow:
        stored = current_register(uow, organisation_key)
        purpose = stored.register.purpose(purpose_key)
        if purpose is None:
            msg = f"unknown purpose {purpose_key!r}"
            raise InvalidInput(msg)
        return limits_allow(uow.limits.of_person(stored.organisation_id, identifiers), purpose)


def is_suppressed(
    uow: UnitOfWork, organisation_key: str | None, identifiers: Sequence[Identifier]
) -> bool:
    """True when the person is on the suppression list: no direct marketing, ever."""
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        return any(
            limit.active and limit.kind is LimitKind.SUPPRESSED
            for limit in uow.limits.of_person(org_id, identifiers)
        )


def lift_restriction(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    decision: StaffDecision,
    postman: Postman,
    systems: PersonalDataSystems | None = None,
) -> ProcessingLimit:
    """Lift a restriction: tell the person first (Art. 18(3)), clear the flags, record it.

    A notice that cannot be sent stops the lifting; a system that cannot be reached
    stops it too, before anything is recorded, so staff retry the whole.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, decision.reference)
        active = _active_restriction(request, uow.limits.of_request(request.id))
        lifted = lift(active, decision.reason, clock.now())
        requester = uow.requests.requester(request.id)
    if requester.email is not None:
        message = postman.writer.restriction_lifted(stored.register, request, decision.reason)
        postman.send(stored.register, requester.email.value, message, request.reference)
    if systems is not None:
        for key in flagged_systems(stored.register, systems.connected()):
            systems.restrict(stored.register, key, requester.identities, restricted=False)
    with uow:
        uow.limits.save(lifted)
        _audit(
            uow,
            clock,
            decision.who,
            AuditAction.PROCESSING_LIMIT_LIFTED,
            request,
            stored.register,
            lifted,
        )
        uow.commit()
    return lifted


def _active_restriction(
    request: DataSubjectRequest, limits: Iterable[ProcessingLimit]
) -> ProcessingLimit:
    if request.type is not RequestType.RESTRICTION or request.status is RequestStatus.RECEIVED:
        msg = "only a restriction that was set can be lifted"
        raise ConflictError(msg)
    found = next((x for x in limits if x.kind is LimitKind.RESTRICTED and x.active), None)
    if found is None:
        msg = "the restriction is already lifted"
        raise ConflictError(msg)
    return found


def flagged_systems(register: Register, connected: frozenset[str]) -> list[str]:
    """The systems skydd reaches whose datasets hold a restriction flag to set."""
    return [
        s.key
        for s in register.systems
        if s.key in connected and s.datasets and s.restriction_flag is not None
    ]


def _audit(
    uow: UnitOfWork,
    clock: Clock,
    who: Who,
    action: AuditAction,
    request: DataSubjectRequest,
    register: Register,
    limit: ProcessingLimit,
) -> None:
    details = {"limit": limit.kind.value}
    if limit.purpose is not None:
        details["purpose"] = limit.purpose
    audit_request(uow, clock, who, action, request, register, **details)
