"""Recording consent on SQLite and PostgreSQL: ledger and state together, receipts, rebuild."""

from __future__ import annotations

import base64
import json
import threading

import pytest
from sqlalchemy import text

from skydd.bootstrap import Container
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus
from skydd.domain.errors import InvalidInput
from skydd.domain.identifiers import IdentifierKind
from skydd.services.consent import (
    Recorded,
    consents_of,
    rebuild_states,
    record_consent,
    verify_receipt,
)
from skydd.services.register import store_register
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.threads import errors_in_threads

pytestmark = pytest.mark.promise("P5", "P6", "P7")

WHO = Who("cli:test", "test")
ANNA = {IdentifierKind.EMAIL: "anna.svensson@example.se"}


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    return container


def change(status: ConsentStatus, *categories: str, purpose: str = "newsletter") -> ConsentChange:
    return ConsentChange(
        purpose, status, categories, CollectionMethod.FORM, "newsletter-form-v2", "sv", "site"
    )


def record(
    container: Container,
    status: ConsentStatus,
    *categories: str,
    who: dict[IdentifierKind, str] = ANNA,
) -> Recorded:
    return record_consent(
        container.uow(),
        container.clock,
        None,
        who,
        change(status, *categories),
        container.receipts,
        who=WHO,
    )


def ledger_size(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM consent_events")).scalar_one())


def test_a_consent_is_an_event_and_a_state_and_a_receipt_the_ledger_vouches_for(
    mestro: Container, clock: FakeClock
) -> None:
    given = record(mestro, ConsentStatus.GIVEN)
    assert given.event is not None and given.state.categories == ("company", "email", "name")
    claims = verify_receipt(mestro.uow(), None, mestro.receipts, given.receipt)
    assert claims["record_id"] == str(given.event.record_id)
    assert claims["consent_status"] == "given" and claims["notice_id"] == "newsletter-form-v2"
    assert "anna" not in given.receipt.lower() and "anna" not in json.dumps(claims)
    # The same form sent again changes nothing: no new event, the same receipt.
    clock.advance(minutes=1)
    again = record(mestro, ConsentStatus.GIVEN)
    assert again.event is None and again.receipt == given.receipt
    assert ledger_size(mestro) == 1


def test_partial_withdrawal_keeps_the_purpose_and_names_what_is_no_longer_consented(
    mestro: Container, clock: FakeClock
) -> None:
    record(mestro, ConsentStatus.GIVEN)
    clock.advance(minutes=1)
    kept = record(mestro, ConsentStatus.WITHDRAWN, "company")
    assert kept.state.status is ConsentStatus.GIVEN and kept.state.categories == ("email", "name")
    assert kept.withdrawn == ("company",)
    [state] = consents_of(mestro.uow(), mestro.clock, None, ANNA, who=WHO)
    assert state == kept.state
    with mestro.uow() as uow:
        events = [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]
    assert events[-1].action == AuditAction.PERSONAL_DATA_READ  # reading consents is audited


def test_a_tampered_or_foreign_receipt_fails_verification(mestro: Container) -> None:
    receipt = record(mestro, ConsentStatus.GIVEN).receipt
    header, payload, signature = receipt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["pii_categories"] = ["company", "email", "name", "phone"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{signature}", receipt[:-4] + "AAAA", "not a receipt"):
        with pytest.raises(InvalidInput):
            verify_receipt(mestro.uow(), None, mestro.receipts, bad)


def test_unknown_purpose_or_category_leaves_the_ledger_unchanged(mestro: Container) -> None:
    for bad in (
        change(ConsentStatus.GIVEN, purpose="customer_relations"),
        change(ConsentStatus.GIVEN, "food_preferences"),
    ):
        with pytest.raises(InvalidInput):
            record_consent(mestro.uow(), mestro.clock, None, ANNA, bad, mestro.receipts, who=WHO)
    assert ledger_size(mestro) == 0


def test_rebuilding_from_the_ledger_gives_the_same_state_and_repairs_a_broken_one(
    mestro: Container, clock: FakeClock
) -> None:
    people = [{IdentifierKind.EMAIL: f"p{n}@example.org"} for n in range(5)]
    for n, person in enumerate(people):
        record(mestro, ConsentStatus.GIVEN, who=person)
        clock.advance(seconds=1)
        if n % 2:
            record(mestro, ConsentStatus.WITHDRAWN, "company", who=person)
        if n == 4:
            record(mestro, ConsentStatus.WITHDRAWN, who=person)
    first = rebuild_states(mestro.uow(), None)
    assert first.unchanged and first.states == 5
    with mestro.engine.begin() as conn:
        conn.execute(text("UPDATE consent_states SET categories = '[\"phone\"]'"))
    repaired = rebuild_states(mestro.uow(), None)
    assert not repaired.unchanged and repaired.after == first.after
    assert rebuild_states(mestro.uow(), None).unchanged


def test_a_second_organisation_records_consent_to_its_own_purposes(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(SECOND_ORG), "test")
    recorded = record_consent(
        container.uow(),
        clock,
        None,
        {IdentifierKind.EMAIL: "sam@example.org"},
        change(ConsentStatus.GIVEN),
        container.receipts,
        who=WHO,
    )
    assert recorded.state.purpose == "newsletter"
    claims = verify_receipt(container.uow(), None, container.receipts, recorded.receipt)
    assert claims["controller"] != "mestro"


def test_first_consents_of_one_new_person_at_once_make_one_subject(mestro: Container) -> None:
    """A double-clicked form: eight first consents of one person race; one person results."""
    barrier = threading.Barrier(8)

    def first_consent(_: int) -> None:
        barrier.wait()
        record(mestro, ConsentStatus.GIVEN, who={IdentifierKind.EMAIL: "race@example.se"})

    assert errors_in_threads(8, first_consent) == []
    with mestro.engine.connect() as conn:
        subjects = conn.execute(text("SELECT count(*) FROM subjects")).scalar_one()
    assert subjects == 1
    assert ledger_size(mestro) == 1, "the same consent again appends nothing"
    later = record(mestro, ConsentStatus.WITHDRAWN, who={IdentifierKind.EMAIL: "race@example.se"})
    assert later.event is not None, "the person is not locked out of later changes"
