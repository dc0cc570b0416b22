"""Event sign-ups on both engines: consent, explicit consent, what is stored, retention."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from skydd.bootstrap import Container
from skydd.domain.audit import AuditEvent
from skydd.domain.consent import ConsentStatus
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError
from skydd.domain.events import SignupForm
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.retention import RetentionAction, RetentionTrigger
from skydd.services.consent import verify_receipt
from skydd.services.events import (
    SignedUp,
    add_event,
    find_event,
    last_event_on,
    list_events,
    sign_up,
)
from skydd.services.register import current_register, store_register
from skydd.services.subjects import Who, read_subject, record_subject
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P5", "P8", "P10")

WHO = Who("participant", "test")
ANNA = "anna.svensson@example.se"
PHONE = "070-174 06 05"
FOOD = "Glutenfri kost, nötallergi"
SUMMIT_ON = dt.date(2026, 12, 10)


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    add_event(container.uow(), clock, None, "summit-2026", "Mestro Summit", SUMMIT_ON, "events")
    return container


def form(**overrides: object) -> SignupForm:
    fields: dict[str, object] = {
        "email": ANNA,
        "name": "Anna Svensson",
        "phone": PHONE,
        "details": {
            "company": "Exempel AB",
            "job_title": "Controller",
            "home_town": "Uppsala",
            "food_preferences": FOOD,
        },
        "language": "sv",
        "consent": True,
        "explicit_consent": True,
        "notice_id": "event-form-v1",
    }
    return SignupForm(**(fields | overrides))  # type: ignore[arg-type]


def enrol(container: Container, signup: SignupForm | None = None) -> SignedUp:
    """Sign ``signup`` (Anna's full form by default) up for the summit."""
    return sign_up(
        container.uow(),
        container.clock,
        None,
        "summit-2026",
        signup or form(),
        container.receipts,
        who=WHO,
    )


def count(container: Container, table: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def audit_text(container: Container) -> str:
    with container.uow() as uow:
        events = [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]
    return json.dumps([repr(e) for e in events], ensure_ascii=False)


def test_a_sign_up_records_two_consents_the_values_and_the_sign_up(mestro: Container) -> None:
    done = sign_up(
        mestro.uow(), mestro.clock, None, "summit-2026", form(), mestro.receipts, who=WHO
    )
    assert done.new
    with mestro.uow() as uow:
        events = uow.consents.events_of(done.subject_id)
        state = uow.consents.state(done.subject_id, "events")
        signups = uow.events.signups(done.event.id)
    # Consent to the purpose for exactly the ordinary categories given, then the separate
    # explicit consent for exactly the sensitive one, each its own ledger event.
    assert [(e.status, e.categories, e.source) for e in events] == [
        (
            ConsentStatus.GIVEN,
            ("company", "email", "home_town", "job_title", "name", "phone"),
            "event:summit-2026",
        ),
        (ConsentStatus.GIVEN, ("food_preferences",), "event:summit-2026/explicit-consent"),
    ]
    assert all(e.method.value == "form" and e.language == "sv" for e in events)
    assert state is not None and "food_preferences" in state.categories
    assert len(done.receipts) == 2
    for receipt in done.receipts:
        verify_receipt(mestro.uow(), None, mestro.receipts, receipt)
    assert [(s.subject_id, s.language) for s in signups] == [(done.subject_id, "sv")]
    record = read_subject(mestro.uow(), mestro.clock, None, done.subject_id, who=WHO)
    values = {a.category: (a.value, a.sensitive) for a in record.attributes}
    assert values == {
        "company": ("Exempel AB", False),
        "food_preferences": (FOOD, True),
        "home_town": ("Uppsala", False),
        "job_title": ("Controller", False),
    }
    assert record.subject.name == "Anna Svensson"
    assert record.subject.phone is not None and record.subject.phone.value == "+46701740605"
    logged = audit_text(mestro)
    for secret in (ANNA, "anna.svensson", "Uppsala", "Glutenfri", "701740605", "Controller"):
        assert secret not in logged


def test_food_preferences_without_the_explicit_consent_are_refused_and_nothing_is_stored(
    mestro: Container,
) -> None:
    with pytest.raises(InvalidInput, match=r"food_preferences need the separate explicit consent"):
        sign_up(
            mestro.uow(),
            mestro.clock,
            None,
            "summit-2026",
            form(explicit_consent=False),
            mestro.receipts,
            who=WHO,
        )
    for table in ("subjects", "subject_attributes", "consent_events", "event_signups"):
        assert count(mestro, table) == 0, table


def test_without_food_preferences_no_explicit_consent_is_recorded(mestro: Container) -> None:
    details = {"company": "Exempel AB"}
    done = sign_up(
        mestro.uow(),
        mestro.clock,
        None,
        "summit-2026",
        form(details=details, explicit_consent=True, phone=None, name=None),
        mestro.receipts,
        who=WHO,
    )
    with mestro.uow() as uow:
        [event] = uow.consents.events_of(done.subject_id)
    assert event.categories == ("company", "email")
    assert len(done.receipts) == 1


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        ({"consent": False}, InvalidInput, "needs consent to the purpose 'events'"),
        ({"details": {"cv": "a CV"}}, InvalidInput, "'events' processes no category 'cv'"),
        ({"details": {"nonsense": "x"}}, InvalidInput, "processes no category 'nonsense'"),
        ({"details": {"email": ANNA}}, InvalidInput, "given as the name, email or phone field"),
        ({"details": {"company": "   "}}, InvalidInput, "a value is"),
        ({"language": "de"}, InvalidInput, "the language is one of sv, en"),
        ({"email": "anna@@example.se"}, InvalidInput, "e-mail"),
        ({"email": "  "}, InvalidInput, "needs the person's e-mail address"),
        ({"name": "Anna\x07"}, InvalidInput, "printable"),
    ],
)
def test_a_bad_sign_up_says_why_and_stores_nothing(
    mestro: Container, overrides: dict[str, object], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says) as raised:
        sign_up(
            mestro.uow(),
            mestro.clock,
            None,
            "summit-2026",
            form(**overrides),
            mestro.receipts,
            who=WHO,
        )
    assert ANNA not in str(raised.value) and FOOD not in str(raised.value)
    for table in ("subjects", "subject_attributes", "consent_events", "event_signups"):
        assert count(mestro, table) == 0, table


def test_an_unknown_or_past_event_takes_no_sign_up(mestro: Container, clock: FakeClock) -> None:
    with pytest.raises(NotFoundError):
        sign_up(mestro.uow(), clock, None, "no-such-event", form(), mestro.receipts, who=WHO)
    clock.set(dt.datetime(2026, 12, 11, 8, 0, tzinfo=dt.UTC))
    with pytest.raises(ConflictError, match="has taken place"):
        sign_up(mestro.uow(), clock, None, "summit-2026", form(), mestro.receipts, who=WHO)
    assert count(mestro, "subjects") == 0


def test_signing_up_twice_updates_and_never_duplicates(mestro: Container, clock: FakeClock) -> None:
    first_at = clock.now()
    first = sign_up(mestro.uow(), clock, None, "summit-2026", form(), mestro.receipts, who=WHO)
    clock.advance(hours=1)
    moved = dict(form().details, home_town="Gävle")
    again = sign_up(
        mestro.uow(),
        clock,
        None,
        "summit-2026",
        form(details=moved, language="en"),
        mestro.receipts,
        who=WHO,
    )
    assert not again.new and again.subject_id == first.subject_id
    # Nothing new consented: both answers name the event that last decided the state.
    assert set(again.receipts) == {first.receipts[1]}
    with mestro.uow() as uow:
        [signup] = uow.events.signups(first.event.id)
        ledger = uow.consents.events_of(first.subject_id)
    assert signup.language == "en" and signup.signed_up_at == first_at
    assert len(ledger) == 2
    record = read_subject(mestro.uow(), clock, None, first.subject_id, who=WHO)
    assert {a.category: a.value for a in record.attributes}["home_town"] == "Gävle"
    assert count(mestro, "subjects") == 1


def test_a_public_sign_up_never_links_a_phone_or_name_to_someone_known(
    mestro: Container,
) -> None:
    """The form is unverified: it must not let anyone attach their phone to another person."""
    uow, clock = mestro.uow(), mestro.clock
    other = record_subject(uow, clock, None, {IdentifierKind.PHONE: PHONE}, who=WHO)
    known = record_subject(
        uow, clock, None, {IdentifierKind.EMAIL: ANNA}, name="Anna Berg", who=WHO
    )
    done = sign_up(uow, clock, None, "summit-2026", form(), mestro.receipts, who=WHO)
    assert done.subject_id == known.id  # found by e-mail
    with mestro.uow() as uow:
        org_id = current_register(uow, None).organisation_id
        [ordinary, _] = uow.consents.events_of(done.subject_id)
        anna = uow.subjects.get(org_id, done.subject_id)
        phone_owner = uow.subjects.get(org_id, other.id)
    assert "phone" not in ordinary.categories and "name" in ordinary.categories
    assert anna is not None and anna.phone is None and anna.name == "Anna Berg"
    assert phone_owner == other  # no e-mail joined to the phone's owner
    # Someone new with a phone no one has gets it; a phone already known is left out.
    new = sign_up(
        uow, clock, None, "summit-2026", form(email="bo@example.org"), mestro.receipts, who=WHO
    )
    with mestro.uow() as uow:
        bo = uow.subjects.get(org_id, new.subject_id)
    assert bo is not None and bo.phone is None and bo.name == "Anna Svensson"
    fresh = sign_up(
        uow,
        clock,
        None,
        "summit-2026",
        form(email="cy@example.org", phone="+46 8 123 456 78"),
        mestro.receipts,
        who=WHO,
    )
    with mestro.uow() as uow:
        cy = uow.subjects.get(org_id, fresh.subject_id)
        [cy_ordinary, _] = uow.consents.events_of(fresh.subject_id)
    assert cy is not None and cy.phone is not None and "phone" in cy_ordinary.categories
    assert audit_text(mestro).count("identifier-left-out") == 2


def test_events_are_keyed_per_organisation_and_checked_against_the_register(
    mestro: Container,
) -> None:
    uow, clock = mestro.uow(), mestro.clock
    with pytest.raises(ConflictError, match="exists already"):
        add_event(uow, clock, None, "summit-2026", "Again", SUMMIT_ON, "events")
    with pytest.raises(InvalidInput, match="does not rest on consent"):
        add_event(uow, clock, None, "fika", "Fika", SUMMIT_ON, "customer_relations")
    with pytest.raises(InvalidInput, match="unknown purpose"):
        add_event(uow, clock, None, "fika", "Fika", SUMMIT_ON, "parties")
    with pytest.raises(InvalidInput, match="an event key is"):
        add_event(uow, clock, None, "Fika Party", "Fika", SUMMIT_ON, "events")
    with pytest.raises(InvalidInput, match="an event name is"):
        add_event(uow, clock, None, "fika", " ", SUMMIT_ON, "events")
    assert [(e.key, n) for e, n in list_events(uow, None)] == [("summit-2026", 0)]
    assert find_event(uow, None, "summit-2026").purpose == "events"


def test_the_example_register_erases_food_and_home_town_counting_from_the_event(
    mestro: Container,
) -> None:
    register = load_register(MESTRO)
    for category in ("food_preferences", "home_town"):
        rules = [
            r
            for r in register.retention_for("events", category)
            if r.trigger is RetentionTrigger.EVENT_DATE
        ]
        assert [(r.key, r.action, r.period.iso() if r.period else None) for r in rules] == [
            ("event_sensitive", RetentionAction.ERASE, "P30D")
        ]
    # What such a rule counts from is reachable per subject: the last event signed up for.
    done = sign_up(
        mestro.uow(), mestro.clock, None, "summit-2026", form(), mestro.receipts, who=WHO
    )
    add_event(mestro.uow(), mestro.clock, None, "meetup", "Meetup", dt.date(2027, 2, 3), "events")
    assert last_event_on(mestro.uow(), done.subject_id, "events") == SUMMIT_ON
    sign_up(mestro.uow(), mestro.clock, None, "meetup", form(), mestro.receipts, who=WHO)
    assert last_event_on(mestro.uow(), done.subject_id, "events") == dt.date(2027, 2, 3)
    assert last_event_on(mestro.uow(), done.subject_id, "newsletter") is None


def second_org_with_open_days(tmp_path: Path) -> Path:
    """The second organisation plus an open-day purpose with a sensitive category."""
    folder = tmp_path / "second_org"
    shutil.copytree(SECOND_ORG, folder)
    with (folder / "purposes.yaml").open("a", encoding="utf-8") as purposes:
        purposes.write(
            """  - key: open_days
    name: {en: Open days, sv: Öppet hus}
    description:
      en: Sign-up for our open days with your consent; dietary needs only explicitly.
      sv: Anmälan till öppet hus med ditt samtycke; kostbehov bara uttryckligen.
    legal_bases:
      - basis: consent
    art9_condition: explicit_consent
    data_subjects: [newsletter_readers]
    data_categories: [full_name, email_address, mobile, dietary_needs]
    channels: [web_form]
    withdrawal_channels: [privacy_center]
    data_use: marketing.communications.email
"""
        )
    with (folder / "taxonomy.yaml").open("a", encoding="utf-8") as taxonomy:
        taxonomy.write(
            """  - key: dietary_needs
    name: {en: Dietary needs, sv: Kostbehov}
    taxonomy: user.demographic.profile
    art9:
      exposure: may_reveal
      reveals: [health]
"""
        )
    with (folder / "retention.yaml").open("a", encoding="utf-8") as retention:
        retention.write(
            """  - key: open_day_guests
    purpose: open_days
    data_categories: [full_name, email_address, mobile, dietary_needs]
    period: P14D
    trigger: event_date
    action: erase
    review_note: Two weeks after the open day.
"""
        )
    return folder


def test_a_second_organisation_runs_events_with_its_own_keys(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    store_register(container.uow(), clock, load_register(second_org_with_open_days(tmp_path)), "t")
    event = add_event(container.uow(), clock, None, "open-day", "Open day", SUMMIT_ON, "open_days")
    sam = SignupForm(
        email="sam@example.org",
        name="Sam Example",
        phone="+353 1 555 0199",
        details={"dietary_needs": "Coeliac"},
        language="en",
        consent=True,
        explicit_consent=True,
    )
    done = sign_up(container.uow(), clock, None, "open-day", sam, container.receipts, who=WHO)
    with container.uow() as uow:
        ledger = uow.consents.events_of(done.subject_id)
    assert [e.categories for e in ledger] == [
        ("email_address", "full_name", "mobile"),
        ("dietary_needs",),
    ]
    record = read_subject(container.uow(), clock, None, done.subject_id, who=WHO)
    assert [(a.category, a.sensitive) for a in record.attributes] == [("dietary_needs", True)]
    assert last_event_on(container.uow(), done.subject_id, "open_days") == event.starts_on
    with pytest.raises(InvalidInput, match="dietary_needs need the separate explicit consent"):
        sign_up(
            container.uow(),
            clock,
            None,
            "open-day",
            SignupForm(email="kim@example.org", details={"dietary_needs": "Vegan"}, consent=True),
            container.receipts,
            who=WHO,
        )
    # Its newsletter processes no phone: an event under it takes none.
    add_event(container.uow(), clock, None, "letters", "Letters", SUMMIT_ON, "newsletter")
    with pytest.raises(InvalidInput, match="'newsletter' processes no phone"):
        sign_up(
            container.uow(),
            clock,
            None,
            "letters",
            SignupForm(email="kim@example.org", phone="+353 1 555 0198", consent=True),
            container.receipts,
            who=WHO,
        )
