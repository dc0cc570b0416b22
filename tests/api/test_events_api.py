"""Event sign-ups over HTTP: the public form, explicit consent, need-to-know reading (P8, P12)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from skydd.api.hardening import TokenBuckets
from skydd.api.problems import PROBLEM_JSON
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Scope
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.identifiers import IdentifierKind
from skydd.services.accounts import create_token
from skydd.services.events import add_event
from skydd.services.register import store_register
from skydd.services.subjects import Who, record_subject
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.staff import add_staff, dpo_headers

pytestmark = pytest.mark.promise("P5", "P8", "P12")

SIGNUPS = "/api/v1/events/summit-2026/signups"
ANNA = "anna.svensson@example.se"
FOOD = "Vegetarisk, nötallergi"


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    add_event(
        container.uow(), clock, None, "summit-2026", "Summit", dt.date(2026, 12, 10), "events"
    )
    return container


@pytest.fixture
def client(mestro: Container) -> Iterator[TestClient]:
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(mestro, rate_limit=unlimited, intake_limit=unlimited)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def body(email: str = ANNA, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Anna Svensson",
        "email": email,
        "phone": "070-174 06 05",
        "details": {"company": "Exempel AB", "home_town": "Uppsala", "food_preferences": FOOD},
        "language": "sv",
        "consent": True,
        "explicit_consent": True,
    }
    return fields | overrides


def headers_of(container: Container, role: str) -> dict[str, str]:
    add_staff(container, f"{role}-user", (role,))
    secret, _ = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name=f"{role} token",
        scopes=frozenset({Scope.DATA_READ}),
        owner=f"{role}-user",
        actor="test",
        origin="test",
    )
    return {"Authorization": f"Bearer {secret}"}


def audit_events(container: Container) -> list[AuditEvent]:
    with container.uow() as uow:
        return [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]


def test_the_answer_is_the_same_for_someone_known_and_someone_new(
    client: TestClient, mestro: Container
) -> None:
    record_subject(
        mestro.uow(), mestro.clock, None, {IdentifierKind.EMAIL: ANNA}, who=Who("t", "t")
    )
    known = client.post(SIGNUPS, json=body())
    new = client.post(SIGNUPS, json=body("nobody.yet@example.org", phone=None))
    again = client.post(SIGNUPS, json=body())
    assert [r.status_code for r in (known, new, again)] == [202, 202, 202]
    assert (
        known.json()
        == new.json()
        == again.json()
        == {
            "event": "summit-2026",
            "status": "received",
        }
    )
    assert known.headers.keys() == new.headers.keys()
    with mestro.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event_signups").scalar_one() == 2


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"explicit_consent": False}, 400, "food_preferences need the separate explicit consent"),
        ({"consent": False}, 400, "needs consent to the purpose 'events'"),
        ({"details": {"cv": "A CV"}}, 400, "'events' processes no category 'cv'"),
        ({"email": "anna@@example.se"}, 400, "e-mail"),
        ({"language": "fi"}, 400, "the language is one of"),
        ({"consent": None}, 422, None),
        ({"details": {"Food Preferences": "x"}}, 422, None),
        ({"extra": 1}, 422, None),
    ],
)
def test_a_refused_sign_up_says_why_in_a_problem_and_stores_nothing(
    client: TestClient, mestro: Container, overrides: dict[str, Any], status: int, says: str | None
) -> None:
    sent = body(**overrides)
    if overrides.get("consent", True) is None:
        del sent["consent"]
    response = client.post(SIGNUPS, json=sent)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    if says is not None:
        assert says in response.json()["detail"]
    assert ANNA not in response.text and "nötallergi" not in response.text
    with mestro.engine.connect() as conn:
        for table in ("subjects", "consent_events", "subject_attributes", "event_signups"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0  # noqa: S608


def test_an_unknown_event_is_404_and_a_malformed_key_422(client: TestClient) -> None:
    assert client.post("/api/v1/events/no-such/signups", json=body()).status_code == 404
    assert client.post("/api/v1/events/Not%20A%20Key/signups", json=body()).status_code == 422
    dpo = client.get("/api/v1/events/no-such/signups", headers=dpo_headers_for(client))
    assert dpo.status_code == 404


def dpo_headers_for(client: TestClient) -> dict[str, str]:
    container: Container = client.app.state.container  # type: ignore[attr-defined]
    return dpo_headers(container)


def test_a_role_without_sensitive_data_gets_the_sign_ups_without_food_preferences(
    client: TestClient, mestro: Container
) -> None:
    assert client.post(SIGNUPS, json=body()).status_code == 202
    assert client.post(SIGNUPS, json=body("bo@example.org", details={})).status_code == 202
    reader = headers_of(mestro, "marketing")
    before = len(audit_events(mestro))
    marketing = client.get(SIGNUPS, headers=reader)
    assert marketing.status_code == 200, marketing.text
    listed = marketing.json()
    assert listed["purpose"] == "events" and listed["starts_on"] == "2026-12-10"
    assert "food_preferences" not in listed["visible"] and "home_town" in listed["visible"]
    by_email = {
        next(f["value"] for f in s["fields"] if f["category"] == "email"): s
        for s in listed["signups"]
    }
    anna, bo = by_email[ANNA], by_email["bo@example.org"]
    fields = {f["category"]: f for f in anna["fields"]}
    assert fields["food_preferences"] == {
        "category": "food_preferences",
        "value": None,
        "withheld": True,
    }
    assert fields["home_town"]["value"] == "Uppsala" and not fields["home_town"]["withheld"]
    assert fields["email"]["value"] == ANNA and fields["name"]["value"] == "Anna Svensson"
    # Withheld for everyone alike: it does not tell whether Bo gave food preferences.
    assert {f["category"]: f["withheld"] for f in bo["fields"]}["food_preferences"] is True
    assert FOOD not in marketing.text
    # Each person listed is one audited read, by pseudonym, naming what was shown.
    reads = [e for e in audit_events(mestro)[before:] if e.action == AuditAction.PERSONAL_DATA_READ]
    assert sorted(e.subject or "" for e in reads) == sorted(
        f"subject:{s['subject_id']}" for s in listed["signups"]
    )
    assert all(e.details["what"] == "event-signup" for e in reads)
    assert all("food_preferences" not in str(e.details["shown"]) for e in reads)
    assert {e.details["shown"] for e in reads} == {
        "name,email,phone,company,home_town",
        "name,email",  # Bo gave Anna's phone number: left out, not linked to him
    }
    assert ANNA not in repr(reads)
    # The data protection officer's role includes sensitive data.
    dpo = client.get(SIGNUPS, headers=dpo_headers(mestro)).json()
    [dpo_anna] = [s for s in dpo["signups"] if s["subject_id"] == anna["subject_id"]]
    dpo_fields = {f["category"]: f for f in dpo_anna["fields"]}
    assert dpo_fields["food_preferences"] == {
        "category": "food_preferences",
        "value": FOOD,
        "withheld": False,
    }


def test_roles_without_the_purpose_are_refused_and_audited(
    client: TestClient, mestro: Container
) -> None:
    client.post(SIGNUPS, json=body())
    assert client.get(SIGNUPS).status_code == 401
    support = headers_of(mestro, "support")
    before = len(audit_events(mestro))
    refused = client.get(SIGNUPS, headers=support)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM_JSON
    [denial] = audit_events(mestro)[before:]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.details["route"] == "GET /api/v1/events/{event}/signups"


def test_the_public_form_has_the_intake_rate_limit(mestro: Container) -> None:
    now = [0.0]
    app = create_app(
        mestro,
        rate_limit=TokenBuckets(per_minute=math.inf),
        intake_limit=TokenBuckets(per_minute=1, burst=2, monotonic=lambda: now[0]),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        statuses = [
            client.post(SIGNUPS, json=body(f"p{n}@example.org", phone=None)).status_code
            for n in range(3)
        ]
    assert statuses == [202, 202, 429]
