"""Consents recorded many to a transaction (ADR 0027): each write as if it were alone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Actor, ActorId, ActorKind, Scope
from skydd.domain.audit import AuditAction
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus
from skydd.domain.errors import AccessDenied, ConflictError, InvalidInput
from skydd.domain.identifiers import IdentifierKind
from skydd.services.audit import export_audit
from skydd.services.consent import Applied, ConsentWrite, record_consent_writes
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P5", "P6")

EMAIL, PHONE = IdentifierKind.EMAIL, IdentifierKind.PHONE
MARKETING = Actor(
    ActorId("token:mkt"), ("marketing",), ActorKind.TOKEN, frozenset({Scope.CONSENT_WRITE})
)
HR = Actor(ActorId("token:hr"), ("hr",), ActorKind.TOKEN, frozenset({Scope.CONSENT_WRITE}))


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    return container


def write(
    identifiers: dict[IdentifierKind, str],
    status: ConsentStatus = ConsentStatus.GIVEN,
    *categories: str,
    actor: Actor = MARKETING,
    purpose: str = "newsletter",
) -> ConsentWrite:
    change = ConsentChange(purpose, status, categories, CollectionMethod.API, "nl-v2", "sv", "t")
    return ConsentWrite(identifiers, change, actor, "POST /api/v1/consents", "api")


def batch(container: Container, *writes: ConsentWrite) -> list[Applied | Exception]:
    return record_consent_writes(container.uow, container.clock, None, container.role_cache, writes)


def count(container: Container, table: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def audit_actions(container: Container, clock: FakeClock) -> list[str]:
    day = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        e.action
        for e in export_audit(container.uow(), day, day.replace(year=day.year + 1), clock=clock)
    ]


def test_writes_of_one_batch_meet_as_one_after_the_other_would(
    mestro: Container, clock: FakeClock
) -> None:
    anna, bo = {EMAIL: "anna@example.se"}, {EMAIL: "bo@example.se"}
    results = batch(
        mestro,
        write(anna),
        write(bo),
        write(anna, ConsentStatus.WITHDRAWN, "company"),
        write(anna, ConsentStatus.WITHDRAWN, "company"),  # the same again: nothing new
    )
    assert all(isinstance(r, Applied) for r in results)
    first, second, narrowed, again = (r for r in results if isinstance(r, Applied))
    assert first.event is not None and second.event is not None
    assert narrowed.withdrawn == ("company",) and "company" not in narrowed.state.categories
    assert again.event is None and again.deciding == narrowed.event
    assert narrowed.state.subject_id == first.state.subject_id != second.state.subject_id
    assert count(mestro, "consent_events") == 3
    assert count(mestro, "subjects") == 2
    # The receipt is signed outside the batch, by its caller, and names the event.
    receipt = narrowed.signed(mestro.receipts).receipt
    assert mestro.receipts.verify(receipt)["record_id"] == str(narrowed.event.record_id)


def test_a_refused_or_wrong_write_fails_alone_and_its_refusal_is_audited(
    mestro: Container, clock: FakeClock
) -> None:
    results = batch(
        mestro,
        write({EMAIL: "anna@example.se"}),
        write({EMAIL: "bo@example.se"}, actor=HR),
        write({EMAIL: "cy@example.se"}, purpose="no-such-purpose"),
        write({}),
    )
    assert isinstance(results[0], Applied)
    assert isinstance(results[1], AccessDenied)
    assert isinstance(results[2], InvalidInput) and isinstance(results[3], InvalidInput)
    assert count(mestro, "consent_events") == 1 and count(mestro, "subjects") == 1
    assert audit_actions(mestro, clock).count(AuditAction.ACCESS_DENIED) == 1


def test_a_batch_that_fails_while_writing_is_undone_and_each_write_done_alone(
    mestro: Container, clock: FakeClock
) -> None:
    anna, bo = {EMAIL: "anna@example.se"}, {PHONE: "+46701234567"}
    both = {EMAIL: "anna@example.se", PHONE: "+46701234567"}  # two people: a conflict
    results = batch(mestro, write(anna), write(bo), write(both))
    assert isinstance(results[0], Applied) and isinstance(results[1], Applied)
    assert isinstance(results[2], ConflictError)
    # Nothing of the failed batch was kept, and nothing was made twice.
    assert count(mestro, "consent_events") == 2 and count(mestro, "subjects") == 2
    recorded = [a for a in audit_actions(mestro, clock) if a == AuditAction.PERSONAL_DATA_CHANGED]
    assert len(recorded) == 2
