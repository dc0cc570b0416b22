"""Use cases of the breach register (Art. 33–34): open, update, close, list, draft."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from skydd.domain.audit import AuditAction
from skydd.domain.breaches import (
    Breach,
    BreachChanges,
    BreachId,
    BreachRisk,
    breach_reference,
    close,
    draft_notification,
    update,
)
from skydd.domain.clock import Clock
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.services.audit import record
from skydd.services.register import current_register
from skydd.services.unit_of_work import UnitOfWork


def open_breach(
    uow: UnitOfWork,
    clock: Clock,
    *,
    aware_at: dt.datetime,
    description: str,
    data_categories: Sequence[str],
    approx_subjects: int,
    consequences: str,
    measures: str,
    risk: BreachRisk,
    occurred_at: dt.datetime | None = None,
    actor: str = "system",
    origin: str = "local",
) -> Breach:
    """Register a new breach with the next reference of the year, e.g. ``BR-2026-001``."""
    now = clock.now()
    if aware_at > now:
        msg = "the controller cannot become aware of a breach in the future"
        raise InvalidInput(msg)
    with uow:
        prefix = f"BR-{now.year:04d}-"
        number = uow.breaches.count_with_prefix(prefix) + 1
        breach = Breach(
            id=BreachId(uuid.uuid4()),
            reference=breach_reference(now.year, number),
            opened_at=now,
            aware_at=aware_at,
            occurred_at=occurred_at,
            description=description,
            data_categories=tuple(data_categories),
            approx_subjects=approx_subjects,
            consequences=consequences,
            measures=measures,
            risk=risk,
        )
        uow.breaches.add(breach)
        _record(uow, clock, AuditAction.BREACH_OPENED, breach, actor, origin)
        uow.commit()
    return breach


def update_breach(
    uow: UnitOfWork,
    clock: Clock,
    reference: str,
    changes: BreachChanges,
    *,
    actor: str = "system",
    origin: str = "local",
) -> Breach:
    """Apply ``changes``; recording when the authority was notified marks it notified."""
    if changes.notified_authority_at is not None and changes.notified_authority_at > clock.now():
        msg = "the authority cannot have been notified in the future"
        raise InvalidInput(msg)
    with uow:
        breach = update(_get(uow, reference), changes)
        uow.breaches.save(breach)
        _record(uow, clock, AuditAction.BREACH_UPDATED, breach, actor, origin)
        uow.commit()
    return breach


def close_breach(
    uow: UnitOfWork,
    clock: Clock,
    reference: str,
    *,
    actor: str = "system",
    origin: str = "local",
) -> Breach:
    """Close a breach once handled; one that had to be notified must have been."""
    with uow:
        breach = close(_get(uow, reference), clock.now())
        uow.breaches.save(breach)
        _record(uow, clock, AuditAction.BREACH_CLOSED, breach, actor, origin)
        uow.commit()
    return breach


def list_breaches(uow: UnitOfWork) -> list[Breach]:
    """Every registered breach, oldest first."""
    with uow:
        return uow.breaches.list_all()


def get_breach(uow: UnitOfWork, reference: str) -> Breach:
    """One breach by reference; :class:`NotFoundError` when there is none."""
    with uow:
        return _get(uow, reference)


def draft_breach_notification(
    uow: UnitOfWork, reference: str, language: str, organisation_key: str | None = None
) -> str:
    """The draft notice to the supervisory authority, from the breach and the register."""
    with uow:
        breach = _get(uow, reference)
        organisation = current_register(uow, organisation_key).register.organisation
    return draft_notification(breach, organisation, language)


def _get(uow: UnitOfWork, reference: str) -> Breach:
    breach = uow.breaches.get(reference)
    if breach is None:
        msg = f"no breach with reference {reference!r}"
        raise NotFoundError(msg)
    return breach


def _record(
    uow: UnitOfWork,
    clock: Clock,
    action: AuditAction,
    breach: Breach,
    actor: str,
    origin: str,
) -> None:
    record(
        uow,
        clock,
        actor=actor,
        action=action,
        target=f"breach:{breach.reference}",
        origin=origin,
        details={
            "status": breach.status.value,
            "risk": breach.risk.value,
            "approx_subjects": breach.approx_subjects,
        },
    )
