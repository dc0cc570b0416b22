"""Newsletter double opt-in and one-click unsubscribe end to end, over HTTP and real SMTP (P5).

The app is skydd's own ASGI app on SQLite and PostgreSQL; mail goes through a real
SMTP server. A subscription from the public form mails a link; the link's page
changes nothing when fetched and records consent when its button is pressed; the
welcome mail carries the RFC 8058 headers, and a POST of ``List-Unsubscribe=One-Click``
to their URL withdraws at once. Each flow runs for Mestro and for the second
organisation: nothing here knows Mestro's purposes.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.audit import AuditEvent
from skydd.domain.consent import CollectionMethod, ConsentEvent, ConsentStatus
from skydd.domain.identifiers import IdentifierKind, normalise_email
from skydd.domain.purposes import LegalBasis
from skydd.domain.requests import RequestType
from skydd.services.consent_import import ImportRow, ImportSource, import_consents
from skydd.services.newsletter import is_suppressed
from skydd.services.processing_limits import set_limits
from skydd.services.register import current_register, store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.smtp import Mailbox, text_of
from tests.staff import dpo_headers

pytestmark = pytest.mark.promise("P5")

READER = "reader@example.com"
URL = re.compile(r"https?://\S+/newsletter/(?:confirm|unsubscribe)\?t=[A-Za-z0-9_.-]+&lang=\w+")


@dataclass
class Newsletter:
    """skydd serving one organisation, with a staff token to ask the consent check."""

    container: Container
    client: TestClient
    mailbox: Mailbox
    clock: FakeClock
    purpose: str
    staff: dict[str, str]

    def subscribe(self, email: str = READER, **extra: object) -> httpx2.Response:
        body = {"email": email, "language": "en", **extra}
        return self.client.post(f"/api/v1/newsletters/{self.purpose}/subscriptions", json=body)

    def consents(self, email: str = READER) -> bool:
        query = {"email": email, "purpose": self.purpose}
        answer = self.client.get("/api/v1/consent/check", params=query, headers=self.staff)
        assert answer.status_code == 200, answer.text
        consented: bool = answer.json()["consented"]
        return consented

    def ledger(self) -> list[ConsentEvent]:
        with self.container.uow() as uow:
            return list(uow.consents.events(current_register(uow, None).organisation_id))

    def audit(self) -> list[AuditEvent]:
        with self.container.uow() as uow:
            return [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]

    def mails(self, email: str = READER) -> list[EmailMessage]:
        return self.mailbox.to(email)


def path_of(url: str) -> str:
    """A mailed URL (on the public URL) as a path and query for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def link(mail: EmailMessage) -> str:
    [url] = URL.findall(text_of(mail))
    return path_of(url)


@pytest.fixture(params=[MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
def newsletter(
    request: pytest.FixtureRequest, container: Container, clock: FakeClock, mailbox: Mailbox
) -> Iterator[Newsletter]:
    folder: Path = request.param
    store_register(container.uow(), clock, load_register(folder), "flow")
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield Newsletter(container, client, mailbox, clock, "newsletter", dpo_headers(container))


def test_double_opt_in_then_one_click_unsubscribe(
    newsletter: Newsletter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = newsletter.subscribe(name="Rea Der", notice_id="form-2026-11")
    assert answer.status_code == 202, answer.text
    [confirmation] = newsletter.mails()
    assert newsletter.ledger() == [] and not newsletter.consents()

    # A mail scanner fetching the link changes nothing: not the ledger, not the audit log.
    page_url = link(confirmation)
    audit_before = len(newsletter.audit())
    page = newsletter.client.get(page_url)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert 'method="post"' in page.text and "Confirm my subscription" in page.text
    assert newsletter.ledger() == [] and len(newsletter.audit()) == audit_before

    # The button POSTs to the same URL: the consent is recorded, the receipt shown.
    confirmed = newsletter.client.post(page_url)
    assert confirmed.status_code == 200, confirmed.text
    assert "You are subscribed" in confirmed.text
    [given] = newsletter.ledger()
    assert given.status is ConsentStatus.GIVEN and given.method is CollectionMethod.EMAIL_LINK
    assert given.notice_id == "form-2026-11" and given.language == "en"
    receipt = re.search(r'<code class="hash receipt">([^<]+)</code>', confirmed.text)
    assert receipt is not None and receipt.group(1).count(".") == 2
    assert newsletter.consents()
    # Pressing again records nothing new and sends no second welcome.
    assert "nothing has changed" in newsletter.client.post(page_url).text
    assert len(newsletter.ledger()) == 1

    # The welcome mail is a newsletter mail: RFC 8058 headers, and the same link in its body.
    [_, welcome] = newsletter.mails()
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(welcome["List-Unsubscribe"])
    assert header.startswith("<") and header.endswith(">") and "\n" not in header
    # As it went over the wire: one line, no RFC 2047 encoded words inside the brackets.
    assert dict(welcome.raw_items())["List-Unsubscribe"] == header
    unsubscribe_url = path_of(header[1:-1])
    assert link(welcome) == unsubscribe_url
    assert unsubscribe_url.startswith("/newsletter/unsubscribe?t=")

    # Its page shows a button and withdraws nothing by being fetched.
    assert newsletter.client.get(unsubscribe_url).status_code == 200
    assert len(newsletter.ledger()) == 1 and newsletter.consents()

    # The mail client's one-click POST: no cookies, no redirect, withdrawn at once.
    newsletter.client.cookies.clear()
    one_click = newsletter.client.post(
        unsubscribe_url, data={"List-Unsubscribe": "One-Click"}, follow_redirects=False
    )
    assert one_click.status_code == 200, one_click.text
    assert "set-cookie" not in one_click.headers
    assert "You are unsubscribed" in one_click.text
    assert not newsletter.consents()
    [_, withdrawn] = newsletter.ledger()
    assert withdrawn.status is ConsentStatus.WITHDRAWN
    assert withdrawn.method is CollectionMethod.EMAIL_LINK
    assert withdrawn.source == "list-unsubscribe"
    container = newsletter.container
    assert is_suppressed(container.uow(), None, newsletter.purpose, normalise_email(READER))

    # A later import of the same address cannot subscribe them again.
    report = import_consents(
        container.uow(),
        container.clock,
        None,
        newsletter.purpose,
        [ImportRow(2, READER.upper())],
        container.receipts,
        ImportSource("old-crm"),
        who=Who("cli:test", "cli"),
    )
    assert (report.imported, report.suppressed) == (0, 1)
    assert not newsletter.consents() and len(newsletter.ledger()) == 2
    # Unsubscribing again (a second click) records nothing.
    assert newsletter.client.post(unsubscribe_url).status_code == 200
    assert len(newsletter.ledger()) == 2
    assert READER not in caplog.text and "Rea Der" not in caplog.text


def test_an_expired_confirmation_link_is_refused_and_records_nothing(
    newsletter: Newsletter,
) -> None:
    assert newsletter.subscribe(language="sv").status_code == 202
    page_url = link(newsletter.mails()[-1])
    newsletter.clock.advance(hours=71, minutes=59)
    assert newsletter.client.get(page_url).status_code == 200
    newsletter.clock.advance(minutes=1)
    for method in ("GET", "POST"):
        refused = newsletter.client.request(method, page_url)
        assert refused.status_code == 400
        assert refused.headers["content-language"] == "sv"  # the link's language
        assert "Länken har slutat gälla" in refused.text
    problem = newsletter.client.post(page_url, headers={"Accept": "application/json"})
    assert problem.status_code == 400
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"].endswith("/link-expired")
    assert newsletter.ledger() == [] and not newsletter.consents()
    # Subscribing again mails a new link that works.
    assert newsletter.subscribe().status_code == 202
    assert newsletter.client.post(link(newsletter.mails()[-1])).status_code == 200
    assert newsletter.consents()


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        lambda token: token.split(".")[0],
        lambda _token: "",
    ],
    ids=["changed-tag", "no-tag", "empty"],
)
def test_a_forged_link_is_refused_and_records_nothing(
    newsletter: Newsletter, forge: object
) -> None:
    assert callable(forge)
    assert newsletter.subscribe().status_code == 202
    token = parse_qs(urlsplit(link(newsletter.mails()[-1])).query)["t"][0]
    for path in ("/newsletter/confirm", "/newsletter/unsubscribe"):
        for method in ("GET", "POST"):
            refused = newsletter.client.request(method, path, params={"t": forge(token)})
            assert refused.status_code == 400, (path, method)
            assert "This link is not valid" in refused.text
            assert READER not in refused.text
    # The genuine confirmation token is no unsubscribe token either.
    wrong_kind = newsletter.client.post("/newsletter/unsubscribe", params={"t": token})
    assert wrong_kind.status_code == 400
    assert newsletter.ledger() == []


def objecting(container: Container, clock: FakeClock, email: str) -> None:
    """``email`` objects to a direct-marketing purpose: the suppression list (ADR 0020)."""
    with container.uow() as uow:
        register = current_register(uow, None).register
    marketing = next(p for p in register.purposes if p.is_direct_marketing)
    request, _ = receive_request(
        container.uow(),
        clock,
        None,
        Submission(RequestType.OBJECTION, {IdentifierKind.EMAIL: email}, purpose=marketing.key),
        who=Who("test", "test"),
    )
    with container.uow() as uow:
        set_limits(uow, clock, Who("test", "test"), current_register(uow, None), request)
        uow.commit()


def test_the_answer_is_the_same_for_new_subscribed_and_suppressed_addresses(
    newsletter: Newsletter,
) -> None:
    subscribed, suppressed, new = "sub@example.com", "sup@example.com", "new@example.com"
    assert newsletter.subscribe(subscribed).status_code == 202
    assert newsletter.client.post(link(newsletter.mails(subscribed)[-1])).status_code == 200
    objecting(newsletter.container, newsletter.clock, suppressed)
    newsletter.mailbox.clear()
    answers = [newsletter.subscribe(email) for email in (new, subscribed, suppressed)]
    first = answers[0]
    for answer in answers:
        assert answer.status_code == 202
        assert answer.content == first.content
        assert dict(answer.headers) == dict(first.headers)
    assert first.json()["status"] == "accepted"
    # Only the new address gets mail; the others learn nothing, and neither does the caller.
    assert [m["To"] for m in newsletter.mailbox.messages] == [new]


def test_bad_subscriptions_are_problems_and_store_nothing(newsletter: Newsletter) -> None:
    cases = [
        ("newsletter", {"email": "not an address"}, 400),
        ("newsletter", {"email": READER, "categories": ["no-such-category"]}, 400),
        ("no-such-purpose", {"email": READER}, 404),
        ("newsletter", {"email": READER, "surprise": 1}, 422),
        ("newsletter", {}, 422),
    ]
    for purpose, body, status in cases:
        answer = newsletter.client.post(f"/api/v1/newsletters/{purpose}/subscriptions", json=body)
        assert answer.status_code == status, (purpose, body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert READER not in answer.text
    with newsletter.container.uow() as uow:
        assert uow.subjects.count(current_register(uow, None).organisation_id) == 0
    assert newsletter.mailbox.messages == []


def test_a_purpose_not_resting_on_consent_cannot_be_subscribed_to(newsletter: Newsletter) -> None:
    with newsletter.container.uow() as uow:
        register = current_register(uow, None).register
    other = next(p for p in register.purposes if not p.rests_on(LegalBasis.CONSENT))
    answer = newsletter.client.post(
        f"/api/v1/newsletters/{other.key}/subscriptions", json={"email": READER}
    )
    assert answer.status_code == 404 and "does not rest on consent" in answer.json()["detail"]
