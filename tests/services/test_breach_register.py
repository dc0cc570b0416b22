"""The breach register on SQLite and PostgreSQL: open → update → close, each audited."""

from __future__ import annotations

import datetime as dt

import pytest

from skydd.bootstrap import Container
from skydd.domain.breaches import BreachChanges, BreachRisk, BreachStatus
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError
from skydd.services.audit import export_audit, verify_audit
from skydd.services.breaches import (
    close_breach,
    draft_breach_notification,
    get_breach,
    list_breaches,
    open_breach,
    update_breach,
)
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock


def open_one(container: Container, clock: FakeClock, risk: BreachRisk = BreachRisk.RISK) -> str:
    breach = open_breach(
        container.uow(),
        clock,
        aware_at=clock.now() - dt.timedelta(hours=2),
        description="Mail sent to the wrong customer list.",
        data_categories=["user.contact.email"],
        approx_subjects=40,
        consequences="Email addresses disclosed to other customers.",
        measures="Recipients asked to delete the mail.",
        risk=risk,
        actor="cli:tester",
        origin="cli",
    )
    return breach.reference


def test_open_update_close_is_stored_and_audited(container: Container, clock: FakeClock) -> None:
    reference = open_one(container, clock)
    assert reference == "BR-2026-001"
    stored = get_breach(container.uow(), reference)
    assert stored.aware_at == dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)
    assert stored.notification_due_at == dt.datetime(2026, 11, 28, 7, 0, tzinfo=dt.UTC)
    assert stored.data_categories == ("user.contact.email",)

    clock.advance(hours=20)
    update_breach(
        container.uow(),
        clock,
        reference,
        BreachChanges(approx_subjects=55, notified_authority_at=clock.now()),
        actor="cli:tester",
    )
    updated = get_breach(container.uow(), reference)
    assert (updated.status, updated.approx_subjects) == (BreachStatus.NOTIFIED, 55)
    assert updated.notified_authority_at == clock.now()
    assert updated.consequences == stored.consequences

    clock.advance(days=3)
    close_breach(container.uow(), clock, reference, actor="cli:tester")
    closed = get_breach(container.uow(), reference)
    assert (closed.status, closed.closed_at) == (BreachStatus.CLOSED, clock.now())

    events = list(
        export_audit(
            container.uow(),
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            clock=clock,
        )
    )
    assert [(e.action, e.target) for e in events] == [
        ("breach.opened", "breach:BR-2026-001"),
        ("breach.updated", "breach:BR-2026-001"),
        ("breach.closed", "breach:BR-2026-001"),
        ("audit.exported", "audit"),
    ]
    assert dict(events[1].details) == {"status": "notified", "risk": "risk", "approx_subjects": 55}
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 4)  # three changes and the export


def test_references_number_the_breaches_of_the_year(container: Container, clock: FakeClock) -> None:
    assert [open_one(container, clock) for _ in range(3)] == [
        "BR-2026-001",
        "BR-2026-002",
        "BR-2026-003",
    ]
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC))
    assert open_one(container, clock) == "BR-2027-001"
    assert [b.reference for b in list_breaches(container.uow())][-1] == "BR-2027-001"


def test_refusals_leave_no_change_and_no_audit_event(
    container: Container, clock: FakeClock
) -> None:
    reference = open_one(container, clock, BreachRisk.HIGH_RISK)
    with pytest.raises(ConflictError, match="must be notified"):
        close_breach(container.uow(), clock, reference)
    with pytest.raises(NotFoundError, match="BR-2026-999"):
        update_breach(container.uow(), clock, "BR-2026-999", BreachChanges(measures="x"))
    with pytest.raises(InvalidInput, match="in the future"):
        update_breach(
            container.uow(),
            clock,
            reference,
            BreachChanges(notified_authority_at=clock.now() + dt.timedelta(hours=1)),
        )
    with pytest.raises(InvalidInput, match="in the future"):
        open_breach(
            container.uow(),
            clock,
            aware_at=clock.now() + dt.timedelta(minutes=1),
            description="x",
            data_categories=[],
            approx_subjects=1,
            consequences="",
            measures="",
            risk=BreachRisk.RISK,
        )
    assert get_breach(container.uow(), reference).status is BreachStatus.OPEN
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 1)


def test_draft_uses_the_stored_register(container: Container, clock: FakeClock) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    reference = open_one(container, clock)
    text = draft_breach_notification(container.uow(), reference, "sv")
    assert "Integritetsskyddsmyndigheten (IMY)" in text
    assert reference in text
