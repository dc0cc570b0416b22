"""The request API: public intake and verification over real SMTP, the staff path, limits."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from skydd.api.hardening import TokenBuckets
from skydd.api.problems import PROBLEM_JSON
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.identifiers import IdentifierKind
from skydd.services.register import store_register
from skydd.services.subjects import Who, record_subject
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.smtp import Mailbox
from tests.staff import dpo_headers

pytestmark = pytest.mark.promise("P17")

ANNA = "anna.svensson@example.se"


class FakeMonotonic:
    """A monotonic clock for the intake's token buckets."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def client(container: Container, clock: FakeClock, seconds: FakeMonotonic) -> Iterator[TestClient]:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    app = create_app(
        container,
        rate_limit=TokenBuckets(per_minute=math.inf),
        intake_limit=TokenBuckets(per_minute=10 / 60, burst=5, monotonic=seconds),
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_person_submits_reads_the_code_and_verifies(client: TestClient, mailbox: Mailbox) -> None:
    response = client.post("/api/v1/requests", json={"type": "access", "email": ANNA})
    assert response.status_code == 202
    receipt = response.json()
    assert receipt["status"] == "received" and receipt["verification"] == "code_sent"
    assert receipt["received_on"] == "2026-11-25" and receipt["due_on"] == "2026-12-28"
    code = mailbox.last_code(ANNA)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(
        f"/api/v1/requests/{receipt['reference']}/verification", json={"code": wrong}
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert "4 attempts left" in refused.json()["detail"]
    verified = client.post(
        f"/api/v1/requests/{receipt['reference'].lower()}/verification", json={"code": code}
    )
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"


def test_the_answer_is_the_same_whoever_the_person_is(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    record_subject(
        container.uow(), clock, None, {IdentifierKind.EMAIL: ANNA}, who=Who("test", "test")
    )
    known = client.post("/api/v1/requests", json={"type": "erasure", "email": ANNA}).json()
    unknown = client.post(
        "/api/v1/requests", json={"type": "erasure", "email": "nobody@example.se"}
    ).json()
    assert known.keys() == unknown.keys()
    assert known["reference"] != unknown["reference"]
    assert {k: v for k, v in known.items() if k != "reference"} == {
        k: v for k, v in unknown.items() if k != "reference"
    }


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"type": "delete-me", "email": ANNA}, 422, "type"),
        ({"type": "access"}, 400, "needs an e-mail"),
        ({"type": "access", "email": "anna@@example"}, 400, "e-mail"),
        ({"type": "access", "phone": "12"}, 400, "phone"),
        ({"type": "access", "personnummer": "121212-1213"}, 400, "personnummer"),
        ({"type": "access", "email": ANNA, "admin": True}, 422, "unknown field"),
    ],
)
def test_bad_submissions_get_a_problem_that_does_not_repeat_them(
    client: TestClient, body: dict[str, object], status: int, fragment: str
) -> None:
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert fragment in problem["detail"]
    for value in body.values():
        if isinstance(value, str) and value not in {"access", "delete-me"}:
            assert value not in response.text


def test_the_public_intake_is_held_to_its_own_limit(
    client: TestClient, seconds: FakeMonotonic
) -> None:
    statuses = [
        client.post(
            "/api/v1/requests", json={"type": "access", "phone": "070-174 06 05"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [202] * 5 + [429]
    refused = client.post("/api/v1/requests/R-AAAA-BBBB/verification", json={"code": "123456"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert 1 <= int(refused.headers["retry-after"]) <= 360
    seconds.now += 400  # over six minutes: one more allowed at ten an hour
    assert (
        client.post(
            "/api/v1/requests/R-AAAA-BBBB/verification", json={"code": "123456"}
        ).status_code
        == 404
    )


def test_staff_register_a_letter_with_its_receipt_date_and_list_what_is_due(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    headers = dpo_headers(container)
    letter = client.post(
        "/api/v1/requests/received",
        headers=headers,
        json={
            "type": "rectification",
            "personnummer": "121212-1212",
            "details": "My address is wrong.",
            "corrections": {"user.contact.address.street": "Storgatan 1"},
            "channel": "letter",
            "received_on": "2026-10-30",
        },
    )
    assert letter.status_code == 201
    body = letter.json()
    assert body["due_on"] == "2026-11-30" and body["article"] == 16
    assert body["registered_by"].startswith("token:")
    # The details and corrections stay with the requester, encrypted.
    assert "address" not in letter.text and "Storgatan" not in letter.text
    reference = body["reference"]
    late = client.post(
        "/api/v1/requests/received",
        headers=headers,
        json={
            "type": "access",
            "phone": "0701740605",
            "channel": "phone",
            "received_on": "2026-12-01",
        },
    )
    assert late.status_code == 400 and "future" in late.json()["detail"]

    due = client.get("/api/v1/requests?due_within_days=7", headers=headers).json()
    assert [r["reference"] for r in due] == [reference]
    manual = client.post(
        f"/api/v1/requests/{reference}/manual-verification",
        headers=headers,
        json={"reason": "Letter signed, ID copy enclosed."},
    )
    assert manual.json()["status"] == "verified" and manual.json()["verified_by"] == "manual"
    extended = client.post(
        f"/api/v1/requests/{reference}/extension", headers=headers, json={"reason": "Archive."}
    )
    assert extended.json()["due_on"] == "2027-02-01" and extended.json()["extended"]
    again = client.post(
        f"/api/v1/requests/{reference}/extension", headers=headers, json={"reason": "More."}
    )
    assert again.status_code == 409
    rejected = client.post(
        f"/api/v1/requests/{reference}/rejection", headers=headers, json={"reason": "Unfounded."}
    )
    assert rejected.json()["status"] == "rejected"
    assert client.get("/api/v1/requests", headers=headers).json() == []
    assert (
        client.get(f"/api/v1/requests/{reference}", headers=headers).json()["status"] == "rejected"
    )
