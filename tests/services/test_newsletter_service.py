"""Newsletters through the service layer on SQLite and PostgreSQL, with the real SMTP server.

Subscribing mails a link and records nothing; confirming records consent by e-mail
link and welcomes once; unsubscribing withdraws and suppresses; the suppression list
of ADR 0020 stops a subscription outright; stale consents get a renewal mail whose
link renews them. Mestro and the second organisation share one database, so nothing
here can lean on Mestro's purpose names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from skydd.bootstrap import Container
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.consent import CollectionMethod, ConsentEvent, ConsentStatus
from skydd.domain.errors import ConflictError, InvalidInput, InvalidLink, LinkExpired
from skydd.domain.identifiers import IdentifierKind, normalise_email
from skydd.domain.requests import RequestType
from skydd.services.consent import stale_consents
from skydd.services.consent_renewal import mail_renewals
from skydd.services.newsletter import (
    CONFIRM_LINK,
    Subscription,
    confirm,
    deliver,
    is_suppressed,
    subscribe,
    unsubscribe,
)
from skydd.services.processing_limits import set_limits
from skydd.services.register import current_register, store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.smtp import Mailbox, text_of

pytestmark = pytest.mark.promise("P5", "P20")

WHO = Who("subscriber", "test")
ANNA = "anna.svensson@example.se"
NORTHWIND = "northwind_health"
LINK = re.compile(r"https?://\S+/newsletter/(?:confirm|unsubscribe)\?t=[A-Za-z0-9_.-]+&lang=\w+")


@pytest.fixture
def two_orgs(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    store_register(container.uow(), clock, load_register(SECOND_ORG), "test")
    return container


def ledger(container: Container, org: str = "mestro") -> list[ConsentEvent]:
    with container.uow() as uow:
        org_id = current_register(uow, org).organisation_id
        return list(uow.consents.events(org_id))


def audit(container: Container) -> list[AuditEvent]:
    with container.uow() as uow:
        return [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]


def sub(container: Container, email: str = ANNA, org: str = "mestro", **kw: Any) -> bool:
    """Subscribe and send the mail as the API does; True when a mail went."""
    purpose = str(kw.pop("purpose", "newsletter"))
    subscription = Subscription(purpose=purpose, email=email, **kw)
    newsletters = container.newsletters()
    outgoing = subscribe(container.uow(), container.clock, org, newsletters, subscription, who=WHO)
    return outgoing is not None and deliver(newsletters, outgoing)


def link_in(mailbox: Mailbox, to: str, page: str = "confirm") -> str:
    """The token of the newest link to ``page`` mailed to ``to``."""
    urls = [u for m in mailbox.to(to) for u in LINK.findall(text_of(m)) if f"/{page}?" in u]
    token: str = parse_qs(urlsplit(urls[-1]).query)["t"][0]
    return token


def test_subscribing_mails_a_link_and_records_nothing_until_it_is_confirmed(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs, language="en", notice_id="nl-form-3")
    [mail] = mailbox.to(ANNA)
    assert mail["Subject"] == "Confirm your subscription to Newsletter from Mestro"
    assert "List-Unsubscribe" not in mail  # not a newsletter: an answer to the person's act
    body = text_of(mail)
    assert "28 November 2026 at 09:00 (UTC)" in body  # 72 hours from 09:00 on the 25th
    assert ledger(two_orgs) == []
    confirmed = confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    [event] = ledger(two_orgs)
    assert event.status is ConsentStatus.GIVEN and event.method is CollectionMethod.EMAIL_LINK
    assert (event.notice_id, event.language, event.source) == (
        "nl-form-3",
        "en",
        "newsletter-confirmation",
    )
    assert event.categories == ("company", "email", "name")
    assert confirmed.welcomed and not confirmed.renewal
    welcome = mailbox.to(ANNA)[-1]
    assert welcome["Subject"] == "Welcome to Newsletter from Mestro"
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(welcome["List-Unsubscribe"]).strip("<>")
    assert unsubscribe_url in text_of(welcome)  # the link in the body is the header's
    again = confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    assert again.recorded.event is None and not again.welcomed
    assert len(ledger(two_orgs)) == 1 and len(mailbox.to(ANNA)) == 2


def test_a_swedish_subscriber_is_written_to_in_swedish(
    two_orgs: Container, mailbox: Mailbox
) -> None:
    assert sub(two_orgs, language="sv")
    mail = mailbox.to(ANNA)[-1]
    assert mail["Subject"] == "Bekräfta din prenumeration på Nyhetsbrev från Mestro"
    assert "kl. 09:00 (UTC)" in text_of(mail) and "28 november 2026" in text_of(mail)


def test_the_second_organisation_subscribes_to_its_own_purpose(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    reader = "reader@example.com"
    assert sub(two_orgs, reader, org=NORTHWIND, categories=("email_address",))
    assert "Northwind Health" in mailbox.to(reader)[-1]["Subject"]
    confirm(
        two_orgs.uow(), clock, NORTHWIND, two_orgs.newsletters(), link_in(mailbox, reader), who=WHO
    )
    [event] = ledger(two_orgs, NORTHWIND)
    assert event.purpose == "newsletter" and event.categories == ("email_address",)
    assert event.language == "en"  # no language given: the organisation's default
    assert ledger(two_orgs) == []
    # A Mestro link is no Northwind link: the subject it names is not Northwind's.
    assert sub(two_orgs, reader)
    with pytest.raises(InvalidLink):
        confirm(
            two_orgs.uow(),
            clock,
            NORTHWIND,
            two_orgs.newsletters(),
            link_in(mailbox, reader),
            who=WHO,
        )


def test_bad_subscriptions_are_refused_before_anything_is_stored(two_orgs: Container) -> None:
    bad: list[tuple[str, dict[str, Any]]] = [
        ("marketing", {}),  # legitimate interests, not consent
        ("no-such-purpose", {}),
        ("newsletter", {"categories": ("health",)}),
        ("newsletter", {"email": "not an address"}),
        ("newsletter", {"name": "x" * 1000}),
    ]
    for purpose, kw in bad:
        with pytest.raises(InvalidInput):
            sub(two_orgs, purpose=purpose, **kw)
    with two_orgs.uow() as uow:
        assert uow.subjects.count(current_register(uow, "mestro").organisation_id) == 0


def test_an_address_already_subscribed_gets_no_mail_until_the_terms_change(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs)
    confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    mailbox.clear()
    assert not sub(two_orgs)
    assert not sub(two_orgs, categories=("email",))  # already covered
    assert mailbox.messages == []


def test_unsubscribing_withdraws_suppresses_and_only_a_new_opt_in_brings_them_back(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs)
    newsletters = two_orgs.newsletters()
    confirm(two_orgs.uow(), clock, "mestro", newsletters, link_in(mailbox, ANNA), who=WHO)
    token = link_in(mailbox, ANNA, "unsubscribe")  # the welcome mail's link
    email = normalise_email(ANNA)
    assert not is_suppressed(two_orgs.uow(), "mestro", "newsletter", email)
    clock.advance(days=400)  # unsubscribe links never expire
    withdrawn = unsubscribe(
        two_orgs.uow(), clock, "mestro", newsletters, token, who=WHO, source="list-unsubscribe"
    )
    assert withdrawn.event is not None and withdrawn.event.status is ConsentStatus.WITHDRAWN
    assert withdrawn.event.method is CollectionMethod.EMAIL_LINK
    assert is_suppressed(two_orgs.uow(), "mestro", "newsletter", email)
    twice = unsubscribe(two_orgs.uow(), clock, "mestro", newsletters, token, who=WHO, source="x")
    assert twice.event is None and len(ledger(two_orgs)) == 2
    # The person's own, confirmed subscription brings them back.
    assert sub(two_orgs)
    confirm(two_orgs.uow(), clock, "mestro", newsletters, link_in(mailbox, ANNA), who=WHO)
    assert [e.status for e in ledger(two_orgs)] == [
        ConsentStatus.GIVEN,
        ConsentStatus.WITHDRAWN,
        ConsentStatus.GIVEN,
    ]
    assert not is_suppressed(two_orgs.uow(), "mestro", "newsletter", email)


def objected(container: Container, clock: FakeClock, email: str) -> None:
    """``email`` objects to Mestro's direct marketing: the suppression list of ADR 0020."""
    request, _ = receive_request(
        container.uow(),
        clock,
        "mestro",
        Submission(RequestType.OBJECTION, {IdentifierKind.EMAIL: email}, purpose="marketing"),
        who=WHO,
    )
    with container.uow() as uow:
        set_limits(uow, clock, WHO, current_register(uow, "mestro"), request)
        uow.commit()


def test_an_objection_to_direct_marketing_stops_subscribing_and_confirming(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs)
    token = link_in(mailbox, ANNA)
    objected(two_orgs, clock, ANNA)
    mailbox.clear()
    assert not sub(two_orgs)
    assert mailbox.messages == []
    assert is_suppressed(two_orgs.uow(), "mestro", "newsletter", normalise_email(ANNA))
    with pytest.raises(ConflictError):
        confirm(two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), token, who=WHO)
    assert ledger(two_orgs) == []
    # Somebody who objected and never subscribed is not even added as a subject.
    objected(two_orgs, clock, "bo@example.se")
    assert not sub(two_orgs, "bo@example.se")
    assert mailbox.to("bo@example.se") == []


def test_an_expired_or_forged_link_records_nothing(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs)
    token = link_in(mailbox, ANNA)
    newsletters = two_orgs.newsletters()
    clock.advance(hours=72)
    with pytest.raises(LinkExpired):
        confirm(two_orgs.uow(), clock, "mestro", newsletters, token, who=WHO)
    with pytest.raises(InvalidLink):
        confirm(two_orgs.uow(), clock, "mestro", newsletters, token[:-3] + "AAA", who=WHO)
    with pytest.raises(InvalidLink):  # a confirmation link does not unsubscribe
        unsubscribe(two_orgs.uow(), clock, "mestro", newsletters, token, who=WHO, source="x")
    assert ledger(two_orgs) == []


def test_subscribing_audits_the_new_person_by_pseudonym_and_never_the_address(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs, name="Anna Svensson")
    confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    events = audit(two_orgs)
    assert [(e.action, e.details.get("what") or e.details.get("change")) for e in events] == [
        (AuditAction.REGISTER_LOADED, None),
        (AuditAction.REGISTER_LOADED, None),
        (AuditAction.PERSONAL_DATA_CHANGED, "recorded"),
        (AuditAction.PERSONAL_DATA_READ, "confirm"),
    ]
    assert all(e.target.startswith(("subject:", "register:")) for e in events)
    assert "anna" not in repr(events).lower() and "svensson" not in repr(events).lower()


def test_stale_consents_are_asked_to_renew_and_the_link_renews_them(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    assert sub(two_orgs, language="sv", categories=("email", "name"))
    confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    register = load_register(MESTRO)
    changed = register.model_copy(
        update={
            "purposes": [
                p.model_copy(update={"data_categories": [*p.data_categories, "phone"]})
                if p.key == "newsletter"
                else p
                for p in register.purposes
            ]
        }
    )
    clock.advance(days=10)
    store_register(two_orgs.uow(), clock, changed, "test")
    stale = stale_consents(two_orgs.uow(), "mestro")
    assert len(stale) == 1
    renewals = mail_renewals(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), stale, who=Who("cli:ops", "cli")
    )
    assert (renewals.sent, renewals.failed, renewals.skipped) == (1, 0, 0)
    mail = mailbox.to(ANNA)[-1]
    assert mail["Subject"] == "Förnya ditt samtycke: Nyhetsbrev från Mestro"
    assert "4 januari 2027" in text_of(mail)  # 30 days from the 5th of December
    confirmed = confirm(
        two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), link_in(mailbox, ANNA), who=WHO
    )
    assert confirmed.renewal and not confirmed.welcomed
    assert confirmed.recorded.event is not None
    assert confirmed.recorded.event.categories == ("email", "name")  # as before, no more
    assert confirmed.recorded.event.source == "consent-renewal"
    assert stale_consents(two_orgs.uow(), "mestro") == []
    summary = [e for e in audit(two_orgs) if e.target == "consent:renewal"]
    assert [dict(e.details) for e in summary] == [
        {"what": "renewal-mail", "sent": 1, "failed": 0, "skipped": 0}
    ]
    reads = [e for e in audit(two_orgs) if e.details.get("what") == "renewal-mail"]
    assert len(reads) == 2 and "anna" not in repr(reads).lower()


def test_a_confirmation_link_naming_only_dropped_categories_no_longer_applies(
    two_orgs: Container, mailbox: Mailbox, clock: FakeClock
) -> None:
    links = two_orgs.links
    with two_orgs.uow() as uow:
        assert uow.subjects.count(current_register(uow, "mestro").organisation_id) == 0
    assert sub(two_orgs, categories=("company",))
    token = link_in(mailbox, ANNA)
    claims = links.verify(CONFIRM_LINK, token, clock.now())
    assert claims["c"] == "company" and "@" not in repr(claims)
    register = load_register(MESTRO)
    narrowed = register.model_copy(
        update={
            "purposes": [
                p.model_copy(update={"data_categories": ["name", "email"]})
                if p.key == "newsletter"
                else p
                for p in register.purposes
            ]
        }
    )
    store_register(two_orgs.uow(), clock, narrowed, "test")
    with pytest.raises(InvalidLink):
        confirm(two_orgs.uow(), clock, "mestro", two_orgs.newsletters(), token, who=WHO)
    assert ledger(two_orgs) == []


def test_the_confirmation_link_lives_as_long_as_configured(
    container: Container, clock: FakeClock, mailbox: Mailbox
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    short = container.settings.model_copy(
        update={"consent": container.settings.consent.model_copy(update={"confirmation_hours": 1})}
    )
    container.settings = short
    assert sub(container)
    token = link_in(mailbox, ANNA)
    clock.advance(minutes=59, seconds=59)
    view = container.links.verify(CONFIRM_LINK, token, clock.now())
    assert view["p"] == "newsletter"
    clock.advance(seconds=1)
    with pytest.raises(LinkExpired):
        container.links.verify(CONFIRM_LINK, token, clock.now())
    assert clock.now() == dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
