"""Data subjects on SQLite and PostgreSQL: one person however typed, found by blind index."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.domain.audit import AuditAction
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.subjects import SubjectId
from skydd.services.audit import export_audit, verify_audit
from skydd.services.register import store_register
from skydd.services.subjects import (
    Who,
    find_subject,
    read_subject,
    record_subject,
    set_attribute,
)
from skydd.storage.keyring import KeyringError
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock

EMAIL = IdentifierKind.EMAIL
PHONE = IdentifierKind.PHONE
PNR = IdentifierKind.PERSONNUMMER
WHO = Who(actor="cli:tester", origin="cli")


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> str:
    register = load_register(MESTRO)
    store_register(container.uow(), clock, register, source="test")
    return register.organisation.key


def test_one_person_however_the_identifiers_are_typed(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    created = record_subject(
        container.uow(),
        clock,
        mestro,
        {EMAIL: "Anna.Svensson@Example.COM", PHONE: "070-174 06 05"},
        name="Anna  Svensson",
        who=WHO,
    )
    assert created.email is not None and created.email.value == "anna.svensson@example.com"
    assert created.phone is not None and created.phone.value == "+46701740605"
    assert created.name == "Anna Svensson"

    by_phone = find_subject(container.uow(), clock, mestro, PHONE, "+46 70 174 06 05", who=WHO)
    by_email = find_subject(
        container.uow(), clock, mestro, EMAIL, " anna.svensson@example.com", who=WHO
    )
    assert by_phone == by_email == created

    # A personnummer given later joins the same subject, in either written form.
    joined = record_subject(
        container.uow(),
        clock,
        mestro,
        {EMAIL: "anna.svensson@example.com", PNR: "121212-1212"},
        who=WHO,
    )
    assert joined.id == created.id
    found = find_subject(container.uow(), clock, mestro, PNR, "201212121212", who=WHO)
    assert found is not None and found.id == created.id
    assert found.personnummer is not None and found.personnummer.value == "201212121212"


def test_identifiers_of_two_people_are_a_conflict_not_a_merge(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    record_subject(container.uow(), clock, mestro, {EMAIL: "a@example.com"}, who=WHO)
    record_subject(container.uow(), clock, mestro, {PHONE: "0701740605"}, who=WHO)
    with pytest.raises(ConflictError):
        record_subject(
            container.uow(), clock, mestro, {EMAIL: "a@example.com", PHONE: "0701740605"}, who=WHO
        )
    # A second number for someone who has one is refused too: it would replace the first.
    first = {EMAIL: "b@example.com", PHONE: "0701740607"}
    record_subject(container.uow(), clock, mestro, first, who=WHO)
    with pytest.raises(ConflictError):
        second = {EMAIL: "b@example.com", PHONE: "0701740606"}
        record_subject(container.uow(), clock, mestro, second, who=WHO)
    assert find_subject(container.uow(), clock, mestro, PHONE, "0701740606", who=WHO) is None


def test_unknown_identifier_is_none_and_bad_input_is_refused_without_echo(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    assert (
        find_subject(container.uow(), clock, mestro, EMAIL, "nobody@example.com", who=WHO) is None
    )
    with pytest.raises(InvalidInput) as caught:
        record_subject(container.uow(), clock, mestro, {PNR: "121212-1213"}, who=WHO)
    assert "1213" not in str(caught.value)
    with pytest.raises(InvalidInput):
        record_subject(container.uow(), clock, mestro, {}, who=WHO)


def test_phone_numbers_read_in_the_organisations_own_country(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    irish = load_register(SECOND_ORG)
    store_register(container.uow(), clock, irish, source="test")
    at_home = record_subject(
        container.uow(), clock, irish.organisation.key, {PHONE: "085 123 4567"}, who=WHO
    )
    assert at_home.phone is not None and at_home.phone.value == "+353851234567"
    # The same digits mean nothing to the Swedish organisation's subjects.
    assert find_subject(container.uow(), clock, mestro, PHONE, "+353851234567", who=WHO) is None


def test_sensitive_category_values_are_marked_by_the_register(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    subject = record_subject(container.uow(), clock, mestro, {EMAIL: "guest@example.com"}, who=WHO)
    food = set_attribute(
        container.uow(),
        clock,
        mestro,
        subject.id,
        "food_preferences",
        "Kosher, nut allergy",
        who=WHO,
    )
    company = set_attribute(
        container.uow(), clock, mestro, subject.id, "company", "Acme AB", who=WHO
    )
    assert food.sensitive and not company.sensitive
    held = read_subject(container.uow(), clock, mestro, subject.id, who=WHO)
    assert {(a.category, a.value) for a in held.attributes} == {
        ("company", "Acme AB"),
        ("food_preferences", "Kosher, nut allergy"),
    }
    with pytest.raises(InvalidInput):
        set_attribute(container.uow(), clock, mestro, subject.id, "shoe_size", "42", who=WHO)
    with pytest.raises(NotFoundError):
        read_subject(container.uow(), clock, mestro, SubjectId(uuid.UUID(int=1)), who=WHO)


def test_every_read_and_change_is_audited_by_pseudonym_only(
    container: Container, clock: FakeClock, mestro: str
) -> None:
    subject = record_subject(
        container.uow(), clock, mestro, {EMAIL: "anna@example.com"}, name="Anna", who=WHO
    )
    find_subject(container.uow(), clock, mestro, EMAIL, "anna@example.com", who=WHO)
    read_subject(container.uow(), clock, mestro, subject.id, who=WHO)
    day = dt.timedelta(days=1)
    exported = export_audit(container.uow(), clock.now() - day, clock.now() + day, clock=clock)
    events = [e for e in exported if e.subject == subject.pseudonym]
    assert [e.action for e in events] == [
        AuditAction.PERSONAL_DATA_CHANGED,
        AuditAction.PERSONAL_DATA_READ,
        AuditAction.PERSONAL_DATA_READ,
    ]
    assert events[1].details == {"by": "email"}
    text = repr(events)
    assert "anna@example.com" not in text and "Anna'" not in text
    assert "anna" not in repr(subject)
    assert verify_audit(container.uow()).ok


def test_personal_data_needs_keys(db_url: str, clock: FakeClock) -> None:
    keyless = build_container(Settings(database=DatabaseSettings(url=db_url)), clock=clock)
    try:
        store_register(keyless.uow(), clock, load_register(MESTRO), source="test")
        with pytest.raises(KeyringError, match="no keys configured"):
            record_subject(keyless.uow(), clock, None, {EMAIL: "a@example.com"}, who=WHO)
    finally:
        keyless.close()
