"""A cookie banner's choice over HTTP: into the ledger once, refused when wrong, CORS (P9)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.config import EmbedSettings, Settings
from skydd.documents.localisation import localisation
from skydd.domain.banner import banner_of, banner_version
from skydd.domain.consent import CollectionMethod, ConsentEvent, ConsentStatus
from skydd.services.consent import verify_receipt
from skydd.services.register import current_register, store_register
from skydd.storage.register_files import load_register
from skydd.storage.tables import Base
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P9")

SITE = "https://www.example.com"
OTHER = "https://elsewhere.example.org"
URL = "/api/v1/consent/banner"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with one site allowed to embed skydd."""
    return settings.model_copy(update={"embed": EmbedSettings(allowed_origins=[SITE])})


def serve(container: Container, clock: FakeClock, folder: Path) -> Iterator[TestClient]:
    store_register(container.uow(), clock, load_register(folder), str(folder))
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(container: Container, clock: FakeClock) -> Iterator[TestClient]:
    yield from serve(container, clock, MESTRO)


@pytest.fixture
def second(container: Container, clock: FakeClock) -> Iterator[TestClient]:
    yield from serve(container, clock, SECOND_ORG)


def version_of(folder: Path) -> str:
    return banner_version(banner_of(load_register(folder)), localisation)


def choice(visitor: uuid.UUID, choices: dict[str, Any], /, **extra: Any) -> dict[str, Any]:
    body = {
        "visitor": str(visitor),
        "banner_version": version_of(MESTRO),
        "language": "sv",
        "choices": choices,
    }
    return body | extra


def ledger(container: Container) -> list[ConsentEvent]:
    uow = container.uow()
    with uow:
        org_id = current_register(uow, None).organisation_id
        return list(uow.consents.events(org_id))


def subjects(container: Container) -> int:
    uow = container.uow()
    with uow:
        return uow.subjects.count(current_register(uow, None).organisation_id)


def test_a_choice_is_one_banner_event_per_purpose_and_a_repeat_appends_nothing(
    client: TestClient, container: Container
) -> None:
    visitor = uuid.uuid4()
    given = client.post(URL, json=choice(visitor, {"analytics": True}), headers={"Origin": SITE})
    assert given.status_code == 200, given.text
    version = version_of(MESTRO)
    answer = given.json()
    assert answer["banner_version"] == version
    [consent] = answer["consents"]
    assert (consent["purpose"], consent["status"], consent["recorded"]) == (
        "analytics",
        "given",
        True,
    )
    [event] = ledger(container)
    assert event.purpose == "analytics"
    assert event.status is ConsentStatus.GIVEN
    assert event.method is CollectionMethod.BANNER
    assert event.notice_id == f"banner:{version}"
    assert (event.source, event.language) == (SITE, "sv")
    claims = verify_receipt(container.uow(), None, container.receipts, consent["receipt"])
    assert claims["collection_method"] == "banner"
    assert claims["record_id"] == str(event.record_id)

    again = client.post(URL, json=choice(visitor, {"analytics": True}), headers={"Origin": SITE})
    assert again.status_code == 200
    assert again.json()["consents"][0]["recorded"] is False
    assert again.json()["consents"][0]["receipt"] == consent["receipt"]
    assert len(ledger(container)) == 1

    rejected = client.post(URL, json=choice(visitor, {"analytics": False}))
    assert rejected.json()["consents"][0]["status"] == "withdrawn"
    rejected_again = client.post(URL, json=choice(visitor, {"analytics": False}))
    assert rejected_again.json()["consents"][0]["recorded"] is False
    events = ledger(container)
    assert [e.status for e in events] == [ConsentStatus.GIVEN, ConsentStatus.WITHDRAWN]
    assert events[0].subject_id == events[1].subject_id
    assert subjects(container) == 1


def test_a_first_no_is_a_refusal_and_each_visitor_is_their_own_subject(
    client: TestClient, container: Container
) -> None:
    for _ in range(2):
        answer = client.post(URL, json=choice(uuid.uuid4(), {"analytics": False}))
        assert answer.json()["consents"][0]["status"] == "refused"
    events = ledger(container)
    assert [e.status for e in events] == [ConsentStatus.REFUSED, ConsentStatus.REFUSED]
    assert events[0].subject_id != events[1].subject_id
    assert subjects(container) == 2


def test_the_second_organisation_records_each_of_its_purposes(
    second: TestClient, container: Container
) -> None:
    body = {
        "visitor": str(uuid.uuid4()),
        "banner_version": version_of(SECOND_ORG),
        "language": "en",
        "choices": {"site_statistics": True, "newsletter": False},
    }
    answer = second.post(URL, json=body, headers={"Origin": SITE})
    assert answer.status_code == 200, answer.text
    assert [(c["purpose"], c["status"]) for c in answer.json()["consents"]] == [
        ("newsletter", "refused"),
        ("site_statistics", "given"),
    ]
    events = ledger(container)
    assert [(e.purpose, e.status, e.language) for e in events] == [
        ("newsletter", ConsentStatus.REFUSED, "en"),
        ("site_statistics", ConsentStatus.GIVEN, "en"),
    ]


def test_a_choice_on_a_changed_banner_is_a_conflict_and_records_nothing(
    client: TestClient, container: Container
) -> None:
    stale = choice(uuid.uuid4(), {"analytics": True}, banner_version="0123456789ab")
    answer = client.post(URL, json=stale, headers={"Origin": SITE})
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/banner-changed")
    assert answer.headers["access-control-allow-origin"] == SITE
    assert ledger(container) == []
    assert subjects(container) == 0


@pytest.mark.parametrize(
    ("choices", "extra", "status", "says"),
    [
        ({"analytics": True, "anna.svensson@example.com": True}, {}, 400, "unknown purpose"),
        ({"analytics": True, "newsletter": True}, {}, 400, "does not offer 'newsletter'"),
        ({"analytics": True, "customer_relations": True}, {}, 400, "does not rest on consent"),
        ({}, {}, 400, "missing: analytics"),
        ({"anna.svensson@example.com": "yes"}, {}, 422, "true or false"),
        ({"analytics": True}, {"language": "de"}, 422, "body.language"),
        ({"analytics": True}, {"visitor": "anna.svensson@example.com"}, 422, "body.visitor"),
        ({"analytics": True}, {"cookie": "x"}, 422, "(unknown field)"),
    ],
)
def test_bad_choices_are_refused_without_echoing_them(
    client: TestClient,
    container: Container,
    choices: dict[str, Any],
    extra: dict[str, Any],
    status: int,
    says: str,
) -> None:
    answer = client.post(URL, json=choice(uuid.uuid4(), choices, **extra))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"]
    assert "anna.svensson" not in answer.text
    assert ledger(container) == []
    assert subjects(container) == 0


def test_global_privacy_control_refuses_unless_the_visitor_chose_in_the_dialog(
    client: TestClient, container: Container
) -> None:
    gpc = {"Origin": SITE, "Sec-GPC": "1"}
    signalled = client.post(URL, json=choice(uuid.uuid4(), {"analytics": True}), headers=gpc)
    assert signalled.json()["consents"][0]["status"] == "refused"
    by_body = client.post(URL, json=choice(uuid.uuid4(), {"analytics": True}, gpc=True))
    assert by_body.json()["consents"][0]["status"] == "refused"
    chosen = client.post(
        URL, json=choice(uuid.uuid4(), {"analytics": True}, explicit=True), headers=gpc
    )
    assert chosen.json()["consents"][0]["status"] == "given"
    events = ledger(container)
    assert [(e.status, e.source) for e in events] == [
        (ConsentStatus.REFUSED, f"gpc:{SITE}"),
        (ConsentStatus.REFUSED, "gpc:"),
        (ConsentStatus.GIVEN, SITE),
    ]


def test_the_preflight_lets_only_allowed_sites_post(client: TestClient) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = client.options(URL, headers={"Origin": SITE, **asked})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == SITE
    assert allowed.headers["access-control-allow-methods"] == "POST"
    assert allowed.headers["access-control-allow-headers"] == "Content-Type, Sec-GPC"
    assert allowed.headers["vary"] == "Origin"
    refused = client.options(URL, headers={"Origin": OTHER, **asked})
    assert refused.status_code == 204
    assert "access-control-allow-origin" not in refused.headers
    posted = client.post(
        URL, json=choice(uuid.uuid4(), {"analytics": True}), headers={"Origin": OTHER}
    )
    assert "access-control-allow-origin" not in posted.headers
    own = client.options(URL, headers={"Origin": "http://127.0.0.1:8000", **asked})
    assert own.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"


def test_a_body_a_browser_could_send_without_a_preflight_is_refused(
    client: TestClient, container: Container
) -> None:
    body = json.dumps(choice(uuid.uuid4(), {"analytics": True}))
    headers = {"Origin": OTHER, "Content-Type": "text/plain"}
    answer = client.post(URL, content=body, headers=headers)
    assert answer.status_code == 422
    assert "access-control-allow-origin" not in answer.headers
    assert ledger(container) == []


def tables_holding(container: Container, value: uuid.UUID) -> set[str]:
    """The tables with a cell holding ``value`` in any of the forms a database keeps a UUID."""
    forms = (str(value), value.hex, str(value).upper(), value.hex.upper())
    found = set()
    with container.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for cell in row:
                    text = cell.hex() if isinstance(cell, bytes) else str(cell)
                    raw = isinstance(cell, bytes) and value.bytes in cell
                    if raw or any(form in text for form in forms):
                        found.add(table.name)
    return found


def test_the_visitor_id_is_stored_nowhere(client: TestClient, container: Container) -> None:
    visitor = uuid.uuid4()
    for yes in (True, False, True):
        answer = client.post(
            URL, json=choice(visitor, {"analytics": yes}), headers={"Origin": SITE}
        )
        assert answer.status_code == 200
    events = ledger(container)
    assert len(events) == 3
    assert tables_holding(container, visitor) == set()
    [subject_id] = {e.subject_id for e in events}
    assert {"subjects", "consent_events"} <= tables_holding(container, subject_id)
    uow = container.uow()
    with uow:
        subject = uow.subjects.get(current_register(uow, None).organisation_id, subject_id)
    assert subject is not None
    assert subject.identifiers == ()
    assert subject.name is None
