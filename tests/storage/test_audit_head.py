"""Appending to the audit chain: the head is locked and read once per transaction (P16)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from skydd.bootstrap import Container
from skydd.domain.audit import AuditAction, AuditEntry, ChainHead, seal
from skydd.services.audit import record, verify_audit
from skydd.services.unit_of_work import UnitOfWork
from skydd.storage.repositories.audit import SqlAuditRepository
from tests.fakes import FakeClock
from tests.threads import errors_in_threads

pytestmark = pytest.mark.promise("P16")


def record_read(uow: UnitOfWork, clock: FakeClock, target: str) -> None:
    record(
        uow,
        clock,
        actor="job:tester",
        action=AuditAction.REGISTER_READ,
        target=target,
        origin="local",
    )


def entry(clock: FakeClock, target: str) -> AuditEntry:
    return AuditEntry(
        occurred_at=clock.now(),
        actor="job:tester",
        action=AuditAction.REGISTER_READ,
        target=target,
        origin="local",
    )


@contextmanager
def counted(container: Container) -> Iterator[list[str]]:
    """The SQL statements run on ``container``'s engine meanwhile."""
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)


def test_events_of_one_transaction_lock_and_read_the_head_once(
    container: Container, clock: FakeClock
) -> None:
    with container.uow() as uow:
        record_read(uow, clock, "register:0")  # begins the transaction
        with counted(container) as statements:
            record_read(uow, clock, "register:1")
            record_read(uow, clock, "register:2")
        uow.commit()
    assert [s.split()[0] for s in statements] == ["INSERT", "INSERT"]
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 3)


def test_the_first_event_of_a_transaction_locks_and_reads_the_head(
    container: Container, clock: FakeClock
) -> None:
    with container.uow() as uow:
        record_read(uow, clock, "register:0")
        uow.commit()
    with container.uow() as uow, counted(container) as statements:
        record_read(uow, clock, "register:1")
        uow.commit()
    kinds = [s.split()[0] for s in statements]
    if container.engine.dialect.name == "postgresql":
        assert kinds == ["SELECT", "SELECT", "INSERT"]  # the advisory lock, the head
    else:
        assert kinds == ["BEGIN", "SELECT", "INSERT"]  # BEGIN IMMEDIATE is the lock


def test_a_commit_ends_the_hold_and_the_next_event_reads_the_new_head(
    container: Container, clock: FakeClock
) -> None:
    with container.uow() as uow:
        record_read(uow, clock, "register:0")
        uow.commit()
        # Another writer appends while this unit of work is between transactions.
        with container.uow() as other:
            record_read(other, clock, "register:other")
            other.commit()
        record_read(uow, clock, "register:1")
        uow.commit()
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 3)


def test_a_savepoint_rolled_back_takes_its_events_out_of_the_head(
    container: Container, clock: FakeClock
) -> None:
    with container.session_factory() as session:
        audit = SqlAuditRepository(session)
        kept = seal(entry(clock, "register:0"), audit.lock_head())
        audit.append(kept)
        savepoint = session.begin_nested()
        audit.append(seal(entry(clock, "register:1"), audit.lock_head()))
        savepoint.rollback()
        assert audit.lock_head() == ChainHead(kept.sequence, kept.hash)
        audit.append(seal(entry(clock, "register:2"), audit.lock_head()))
        session.commit()
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 2)


def test_concurrent_transactions_of_several_events_never_fork_the_chain(
    container: Container, clock: FakeClock
) -> None:

    def write(worker: int) -> None:
        for n in range(4):
            with container.uow() as uow:
                for k in range(3):
                    record_read(uow, clock, f"register:{worker}.{n}.{k}")
                uow.commit()

    assert errors_in_threads(5, write) == []
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 60)
