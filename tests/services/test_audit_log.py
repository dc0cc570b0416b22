"""The audit log on SQLite and PostgreSQL: recorded with the change, verified, exported (P16)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from skydd.bootstrap import Container
from skydd.domain.audit import GENESIS, AuditAction, AuditEvent
from skydd.domain.errors import AuditLogUnreadable
from skydd.services.audit import audit_anchor, export_audit, record, verify_audit
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from skydd.storage.repositories.policies import SqlPolicyRepository
from skydd.storage.tables import AuditEventRow
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.threads import errors_in_threads

pytestmark = pytest.mark.promise("P16")

only_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
only_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def load_and_publish(container: Container, clock: FakeClock) -> None:
    store_register(
        container.uow(), clock, load_register(MESTRO), "m", actor="cli:tester", origin="cli"
    )
    clock.advance(minutes=5)
    publish_policy(container.uow(), clock, container.renderer, None, actor="cli:tester")


def audit_rows(container: Container) -> list[tuple[int, str, str]]:
    with container.engine.connect() as conn:
        return [
            (row.sequence, row.action, row.hash)
            for row in conn.execute(
                select(AuditEventRow.sequence, AuditEventRow.action, AuditEventRow.hash).order_by(
                    AuditEventRow.sequence
                )
            )
        ]


def record_reads(container: Container, clock: FakeClock, count: int) -> None:
    for n in range(count):
        with container.uow() as uow:
            record(
                uow,
                clock,
                actor="cli:tester",
                action=AuditAction.REGISTER_READ,
                target=f"register:{n}",
                origin="cli",
            )
            uow.commit()
        clock.advance(days=1)


def export_all(container: Container, clock: FakeClock) -> list[AuditEvent]:
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return list(export_audit(container.uow(), start, start.replace(year=2100), clock=clock))


def test_use_cases_record_events_in_one_chain(container: Container, clock: FakeClock) -> None:
    load_and_publish(container, clock)
    events = list(
        export_audit(
            container.uow(),
            dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC),
            clock=clock,
        )
    )
    loaded = events[0]
    assert [e.action for e in events] == [AuditAction.REGISTER_LOADED]
    assert (loaded.sequence, loaded.actor, loaded.origin) == (1, "cli:tester", "cli")
    assert (loaded.target, loaded.organisation) == ("register:1", "mestro")
    assert loaded.occurred_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    assert loaded.prev_hash == GENESIS
    published = [row for row in audit_rows(container) if row[1] == "policy.published"]
    assert [(seq, action) for seq, action, _ in published] == [(2, "policy.published")]
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 3)  # load, publish, and the export itself


def test_unchanged_load_and_publish_record_nothing_new(
    container: Container, clock: FakeClock
) -> None:
    load_and_publish(container, clock)
    load_and_publish(container, clock)
    assert [action for _, action, _ in audit_rows(container)] == [
        "register.loaded",
        "policy.published",
    ]


def test_export_is_ranged_ordered_and_itself_audited(
    container: Container, clock: FakeClock
) -> None:
    record_reads(container, clock, 3)
    second_day = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    events = list(
        export_audit(
            container.uow(),
            second_day,
            second_day + dt.timedelta(days=1),
            clock=clock,
            actor="cli:auditor",
            origin="cli",
        )
    )
    assert [(e.sequence, e.target) for e in events] == [(2, "register:1")]
    exported = audit_rows(container)[-1]
    assert exported[:2] == (4, "audit.exported")


def test_anchor_is_the_head(container: Container, clock: FakeClock) -> None:
    empty = audit_anchor(container.uow())
    assert (empty.sequence, empty.head_hash, empty.at) == (0, GENESIS, None)
    load_and_publish(container, clock)
    anchor = audit_anchor(container.uow())
    sequence, _, head_hash = audit_rows(container)[-1]
    assert (anchor.sequence, anchor.head_hash) == (sequence, head_hash) == (2, head_hash)
    assert anchor.at == dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)
    assert verify_audit(container.uow(), anchor).ok is True


def test_a_failed_use_case_leaves_no_audit_event(
    container: Container, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")

    original_add = SqlPolicyRepository.add

    def add_then_fail(self: SqlPolicyRepository, *args: object) -> None:
        original_add(self, *args)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlPolicyRepository, "add", add_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        publish_policy(container.uow(), clock, container.renderer, None)
    assert [action for _, action, _ in audit_rows(container)] == ["register.loaded"]


def test_an_event_recorded_without_commit_is_rolled_back(
    container: Container, clock: FakeClock
) -> None:
    with container.uow() as uow:
        record(
            uow,
            clock,
            actor="cli:tester",
            action=AuditAction.ACCESS_DENIED,
            target="register:1",
            origin="cli",
        )
    assert audit_rows(container) == []


def test_concurrent_writers_never_fork_the_chain(container: Container, clock: FakeClock) -> None:

    def write(worker: int) -> None:
        for n in range(5):
            with container.uow() as uow:
                record(
                    uow,
                    clock,
                    actor=f"job:{worker}",
                    action=AuditAction.REGISTER_READ,
                    target=f"register:{n}",
                    origin="local",
                )
                uow.commit()

    assert errors_in_threads(6, write) == []
    report = verify_audit(container.uow())
    assert (report.ok, report.count) == (True, 30)


@only_sqlite
@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "'policy.published'"), ("details", '\'{"content_hash":"00"}\'')],
)
def test_sqlite_names_the_exact_event_altered_in_place(
    container: Container, clock: FakeClock, column: str, value: str
) -> None:
    load_and_publish(container, clock)
    with container.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_events SET {column} = {value} WHERE sequence = 1"))  # noqa: S608
    report = verify_audit(container.uow())
    assert report.ok is False
    assert report.first_broken_sequence == 1
    assert report.reason == "hash does not match the event's content: the event was altered"


@only_sqlite
def test_sqlite_names_unreadable_and_deleted_events(container: Container, clock: FakeClock) -> None:
    record_reads(container, clock, 4)
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET occurred_at = 'yesterday' WHERE sequence = 3"))
    report = verify_audit(container.uow())
    assert report.first_broken_sequence == 3
    assert (report.reason or "").startswith("the stored row cannot be read")

    with container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET details = 'not json' WHERE sequence = 2"))
    assert verify_audit(container.uow()).first_broken_sequence == 2
    with pytest.raises(AuditLogUnreadable, match="audit event 2 cannot be read"):
        export_all(container, clock)

    with container.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE sequence = 1"))
    report = verify_audit(container.uow())
    assert report.first_broken_sequence == 1
    assert report.reason == "event 1 is missing (the next stored event is 2)"


@only_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'policy.published' WHERE sequence = 1",
        "DELETE FROM audit_events WHERE sequence = 1",
        "DELETE FROM audit_events",
    ],
)
def test_postgresql_refuses_update_and_delete(
    container: Container, clock: FakeClock, statement: str
) -> None:
    load_and_publish(container, clock)
    before = audit_rows(container)
    with pytest.raises(DBAPIError) as refused, container.engine.begin() as conn:
        conn.execute(text(statement))
    assert isinstance(refused.value.orig, psycopg.errors.RaiseException)
    assert "audit_events is append-only" in str(refused.value.orig)
    assert audit_rows(container) == before
    assert verify_audit(container.uow()).ok is True


@only_postgresql
def test_postgresql_truncate_still_empties_the_table_for_tests(
    container: Container, clock: FakeClock
) -> None:
    load_and_publish(container, clock)
    with container.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_events"))
        assert conn.scalar(select(func.count()).select_from(AuditEventRow)) == 0
