"""Use cases of the audit log: record an event, verify the chain, export, anchor (P12, P16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping

from skydd.domain.audit import (
    Anchor,
    AuditAction,
    AuditEntry,
    AuditEvent,
    ChainReport,
    DetailValue,
    UnreadableEvent,
    anchor_of,
    seal,
    utc_timestamp,
    verify_chain,
)
from skydd.domain.clock import Clock
from skydd.domain.errors import AuditLogUnreadable
from skydd.services.unit_of_work import UnitOfWork

PAGE_SIZE = 500
"""Events read per transaction: long reads never hold SQLite's write lock for long."""


def record(
    uow: UnitOfWork,
    clock: Clock,
    *,
    actor: str,
    action: AuditAction,
    target: str,
    origin: str,
    organisation: str | None = None,
    subject: str | None = None,
    purpose: str | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's open unit of work.

    It does not commit: the caller's commit stores the event together with the change
    it describes, and a rollback loses both. Call it last, just before ``commit``:
    appending locks the chain's head until the transaction ends. Further events in
    the same transaction cost one insert each: the head is locked and read once.
    """
    entry = AuditEntry(
        occurred_at=clock.now(),
        actor=actor,
        action=action,
        target=target,
        origin=origin,
        organisation=organisation,
        subject=subject,
        purpose=purpose,
        details=dict(details or {}),
    )
    event = seal(entry, uow.audit.lock_head())
    uow.audit.append(event)
    return event


def verify_audit(uow: UnitOfWork, anchor: Anchor | None = None) -> ChainReport:
    """Recompute the whole chain (and check it passes through ``anchor``, if given)."""
    return verify_chain(_stored(uow, lambda after: uow.audit.page(after, PAGE_SIZE)), anchor)


def export_audit(
    uow: UnitOfWork,
    since: dt.datetime,
    until: dt.datetime,
    *,
    clock: Clock,
    actor: str = "system",
    origin: str = "local",
) -> Iterator[AuditEvent]:
    """The events that occurred in [since, until), in sequence order.

    The export is itself recorded (committed before the first event is read), since
    the log holds who did what to whom. Raises :class:`AuditLogUnreadable` on a row
    that no longer decodes; ``verify_audit`` tells more.
    """
    with uow:
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.AUDIT_EXPORTED,
            target="audit",
            origin=origin,
            details={"since": utc_timestamp(since), "until": utc_timestamp(until)},
        )
        uow.commit()
    return _readable(_stored(uow, lambda after: uow.audit.page(after, PAGE_SIZE, since, until)))


def audit_anchor(uow: UnitOfWork) -> Anchor:
    """The head of the chain now: publish it, and later verify against it."""
    with uow:
        head = uow.audit.head()
    if isinstance(head, UnreadableEvent):
        raise AuditLogUnreadable(_unreadable_message(head))
    return anchor_of(head)


def _stored(
    uow: UnitOfWork, fetch: Callable[[int], list[AuditEvent | UnreadableEvent]]
) -> Iterator[AuditEvent | UnreadableEvent]:
    # One short transaction per page: the log only grows at the end, so paging by
    # sequence number across transactions still reads every event once, in order.
    after = 0
    while True:
        with uow:
            page = fetch(after)
        if not page:
            return
        yield from page
        after = page[-1].sequence


def _readable(events: Iterator[AuditEvent | UnreadableEvent]) -> Iterator[AuditEvent]:
    for event in events:
        if isinstance(event, UnreadableEvent):
            raise AuditLogUnreadable(_unreadable_message(event))
        yield event


def _unreadable_message(event: UnreadableEvent) -> str:
    return f"audit event {event.sequence} cannot be read; run `skydd audit verify`"
