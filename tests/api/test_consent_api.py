"""The consent ledger over HTTP: who may record and check, what a check tells, receipts."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import KeySet

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Scope
from skydd.services.accounts import create_token
from skydd.services.consent import verify_receipt
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.staff import add_staff, dpo_headers

pytestmark = pytest.mark.promise("P5", "P6", "P12")

ANNA = "anna.svensson@example.se"


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    return container


@pytest.fixture
def client(mestro: Container) -> Iterator[TestClient]:
    app = create_app(mestro, rate_limit=TokenBuckets(per_minute=math.inf))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def headers_of(container: Container, role: str, scopes: frozenset[Scope]) -> dict[str, str]:
    add_staff(container, f"{role}-user", (role,))
    secret, _ = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name=f"{role} token",
        scopes=scopes,
        owner=f"{role}-user",
        actor="test",
        origin="test",
    )
    return {"Authorization": f"Bearer {secret}"}


def test_marketing_records_a_consent_and_a_mailing_tool_checks_it(
    client: TestClient, mestro: Container
) -> None:
    writer = headers_of(mestro, "marketing", frozenset({Scope.CONSENT_WRITE, Scope.DATA_READ}))
    body = {"email": ANNA, "purpose": "newsletter", "status": "given", "notice_id": "nl-v2"}
    given = client.post("/api/v1/consents", headers=writer, json=body)
    assert given.status_code == 201, given.text
    assert given.json()["categories"] == ["company", "email", "name"]
    claims = verify_receipt(mestro.uow(), None, mestro.receipts, given.json()["receipt"])
    assert claims["collection_method"] == "api"
    again = client.post("/api/v1/consents", headers=writer, json=body)
    assert again.status_code == 200 and again.json()["recorded"] is False
    check = client.get(
        "/api/v1/consent/check", headers=writer, params={"email": ANNA, "purpose": "newsletter"}
    )
    assert check.json() == {
        "purpose": "newsletter",
        "consented": True,
        "categories": ["company", "email", "name"],
    }
    withdrawn = client.post(
        "/api/v1/consents",
        headers=writer,
        json={
            "email": ANNA,
            "purpose": "newsletter",
            "status": "withdrawn",
            "categories": ["company"],
        },
    )
    assert withdrawn.json()["withdrawn"] == ["company"]


def test_a_check_answers_an_unknown_person_as_a_known_one_without_consent(
    client: TestClient, mestro: Container
) -> None:
    reader = dpo_headers(mestro)
    answers = [
        client.get(
            "/api/v1/consent/check",
            headers=reader,
            params={"email": email, "purpose": "newsletter"},
        )
        for email in ("nobody@example.org", ANNA)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert (
        answers[0].json()
        == answers[1].json()
        == {
            "purpose": "newsletter",
            "consented": False,
            "categories": [],
        }
    )


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"purpose": "newsletter", "status": "given"}, 400, "names the person"),
        (
            {
                "email": ANNA,
                "purpose": "newsletter",
                "status": "given",
                "categories": ["food_preferences"],
            },
            400,
            "processes no category 'food_preferences'",
        ),
        (
            {"email": ANNA, "purpose": "customer_relations", "status": "given"},
            400,
            "does not rest on consent",
        ),
        ({"email": "anna@@x", "purpose": "newsletter", "status": "given"}, 400, "e-mail"),
        ({"email": ANNA, "purpose": "newsletter", "status": "maybe"}, 422, None),
        ({"email": ANNA, "purpose": "newsletter", "status": "given", "extra": 1}, 422, None),
    ],
)
def test_bad_consents_are_refused_and_the_ledger_is_unchanged(
    client: TestClient, mestro: Container, body: dict[str, object], status: int, says: str | None
) -> None:
    writer = headers_of(mestro, "marketing", frozenset({Scope.CONSENT_WRITE}))
    response = client.post("/api/v1/consents", headers=writer, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if says is not None:
        assert says in response.json()["detail"]
    assert "anna" not in response.text.lower()
    with mestro.uow() as uow:
        org = uow.organisations.id_for("mestro")
        assert org is not None
        assert list(uow.consents.events(org)) == []


def test_who_may_record_consent_follows_the_roles(client: TestClient, mestro: Container) -> None:
    body = {"email": ANNA, "purpose": "newsletter", "status": "given"}
    assert client.post("/api/v1/consents", json=body).status_code == 401
    support = headers_of(mestro, "support", frozenset({Scope.CONSENT_WRITE}))
    assert client.post("/api/v1/consents", headers=support, json=body).status_code == 403
    no_scope = headers_of(mestro, "marketing", frozenset({Scope.DATA_READ}))
    assert client.post("/api/v1/consents", headers=no_scope, json=body).status_code == 403


def test_a_bulk_check_answers_each_identity_in_order_and_lists_the_unreadable(
    client: TestClient, mestro: Container
) -> None:
    writer = headers_of(mestro, "marketing", frozenset({Scope.CONSENT_WRITE, Scope.DATA_READ}))
    people = ["a@example.org", "b@example.org", "c@example.org"]
    for email in people:
        body = {"email": email, "purpose": "newsletter", "status": "given"}
        assert client.post("/api/v1/consents", headers=writer, json=body).status_code == 201
    gone = {"email": people[1], "purpose": "newsletter", "status": "withdrawn"}
    assert client.post("/api/v1/consents", headers=writer, json=gone).status_code == 201
    record_phone = {
        "email": people[2],
        "phone": "070-174 06 05",
        "purpose": "newsletter",
        "status": "given",
    }
    client.post("/api/v1/consents", headers=writer, json=record_phone)
    identities = [
        {"email": "A@Example.org"},  # normalised as on intake
        {"email": people[1]},  # withdrawn
        {"email": "nobody@example.org"},  # unknown: simply no
        {"email": "not an address"},
        {"phone": "+46 70 174 06 05"},  # the third person, by phone
        {},
        {"email": people[0], "phone": "0701740605"},  # two identifiers: unreadable
    ]
    many = [{"email": f"x{n}@example.org"} for n in range(20_000)]  # over 1 MiB of JSON
    response = client.post(
        "/api/v1/consent/check",
        headers=writer,
        json={"purpose": "newsletter", "identities": identities + many},
    )
    assert response.status_code == 200, response.text[:300]
    answer = response.json()
    assert answer["consented"][:7] == [True, False, False, False, True, False, False]
    assert not any(answer["consented"][7:]) and len(answer["consented"]) == 7 + 20_000
    assert answer["invalid"] == [3, 5, 6]
    too_many = {"purpose": "newsletter", "identities": [{"email": "a@b.se"}] * 100_001}
    refused = client.post("/api/v1/consent/check", headers=writer, json=too_many)
    assert refused.status_code == 422


def test_anyone_checks_a_receipt_with_the_published_keys(
    client: TestClient, mestro: Container
) -> None:
    """A third party needs no skydd code: the JWKS and a JOSE library are enough."""
    writer = headers_of(mestro, "marketing", frozenset({Scope.CONSENT_WRITE}))
    body = {"email": ANNA, "purpose": "newsletter", "status": "given"}
    receipt = client.post("/api/v1/consents", headers=writer, json=body).json()["receipt"]
    keys = client.get("/api/v1/consent/receipt-keys")
    assert keys.status_code == 200 and "d" not in keys.json()["keys"][0]  # public parts only
    key_set = KeySet.import_key_set(keys.json())
    verified = jws.deserialize_compact(receipt, key_set, algorithms=["Ed25519"])
    assert json.loads(verified.payload)["purpose"] == "newsletter"
