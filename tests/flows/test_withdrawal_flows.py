"""Partial withdrawal end to end (P6, P11): the purpose stays, the chosen category goes.

Anna consented to the events purpose with everything it asks for; skydd holds her home
town and food preferences, and so does the organisation's event tool (SQLite,
PostgreSQL or MariaDB). She withdraws consent to her food preferences only. skydd
erases its own record of them in the withdrawal's transaction, and a real worker runs
the erasure request the withdrawal made: the event tool's food column is erased for
her, her home town and everything of Bo's stay, and she still consents to the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from skydd.config import Settings
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.services.consent import consents_of, rebuild_states
from skydd.services.consent_links import link_for
from skydd.services.subjects import Who, find_subject, read_subject, set_attribute
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT
from tests.connectors.conftest import read_datasets, run_sql
from tests.fakes import FakeClock
from tests.flows.test_request_flows import ANNA, SYSTEM, Flow, running
from tests.smtp import Mailbox
from tests.staff import dpo_headers

pytestmark = pytest.mark.promise("P6", "P11")

TOOL = ROOT / "tests" / "data" / "datasets" / "withdrawal"
STAFF = Who("test", "test")
REFERENCE = re.compile(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}")


def with_event_tool(register: Register) -> Register:
    """The register with one connected system: an event tool serving only events."""
    platform = next(s for s in register.systems if s.key == SYSTEM)
    tool = platform.model_copy(
        update={
            "purposes": ["events"],
            "data_categories": ["name", "email", "home_town", "food_preferences"],
            "datasets": ["event_tool"],
            "restriction_flag": None,
        }
    )
    return register.model_copy(
        update={"systems": [tool], "datasets": read_datasets(TOOL / "dataset.yml")}
    )


@pytest.fixture
def flow(settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine) -> Iterator[Flow]:
    run_sql(engine, TOOL / "seed.sql")
    with running(settings, clock, mailbox, engine, with_event_tool(load_register(MESTRO))) as f:
        yield f


def consent(client: TestClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = client.post(
        "/api/v1/consents", headers=headers, json={"email": ANNA, "purpose": "events", **body}
    )
    assert response.status_code in {200, 201}, response.text
    found: dict[str, object] = response.json()
    return found


def test_withdrawing_one_category_erases_it_in_skydd_and_the_connected_database(
    flow: Flow,
) -> None:
    container, headers = flow.container, dpo_headers(flow.container)
    consent(flow.client, headers, status="given")
    anna = find_subject(
        container.uow(), container.clock, None, IdentifierKind.EMAIL, ANNA, who=STAFF
    )
    assert anna is not None
    for category, value in (("food_preferences", "Vegetarian"), ("home_town", "Uppsala")):
        set_attribute(container.uow(), container.clock, None, anna.id, category, value, who=STAFF)
    bo_before = flow.rows("SELECT * FROM participants WHERE id = 2")

    answer = consent(flow.client, headers, status="withdrawn", categories=["food_preferences"])

    erasure = answer["erasure"]
    assert isinstance(erasure, dict)
    assert erasure["categories"] == ["food_preferences"]
    assert erasure["systems"] == {SYSTEM: ["food_preferences"]}
    reference = erasure["request"]
    assert isinstance(reference, str)
    flow.wait_until_done(reference)

    [row] = flow.rows("SELECT * FROM participants WHERE id = 1")
    assert row["food"] is None or str(row["food"]).startswith("hmac:")
    assert "Vegetarian" not in str(row["food"])
    assert (row["city"], row["email"], row["name"]) == ("Uppsala", ANNA, "Anna Svensson")
    assert flow.rows("SELECT * FROM participants WHERE id = 2") == bo_before

    kept = read_subject(container.uow(), container.clock, None, anna.id, who=STAFF)
    assert [(a.category, a.value) for a in kept.attributes] == [("home_town", "Uppsala")]
    identity = {IdentifierKind.EMAIL: ANNA}
    [state] = consents_of(container.uow(), container.clock, None, identity, who=STAFF)
    assert state.active and "food_preferences" not in state.categories
    assert "home_town" in state.categories
    assert rebuild_states(container.uow(), None).unchanged

    with container.uow() as uow:
        org = uow.organisations.id_for("mestro")
        assert org is not None
        request = uow.requests.by_reference(org, reference)
        events = [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]
    assert request is not None and request.erasure_scope is not None
    assert request.verification is not None
    assert request.verification.method.value == "consent_record"
    erased = [e for e in events if e.action == AuditAction.PERSONAL_DATA_ERASED]
    assert {e.details.get("system") for e in erased} == {None, SYSTEM}
    assert all("Vegetarian" not in str(e.details) for e in events)


def test_withdrawing_again_changes_nothing_and_requests_nothing(flow: Flow) -> None:
    headers = dpo_headers(flow.container)
    consent(flow.client, headers, status="given")
    first = consent(flow.client, headers, status="withdrawn", categories=["food_preferences"])
    reference = first["erasure"]["request"]  # type: ignore[index]
    flow.wait_until_done(str(reference))
    again = consent(flow.client, headers, status="withdrawn", categories=["food_preferences"])
    assert again["recorded"] is False
    assert again["erasure"] is None


def ledger_size(flow: Flow) -> int:
    with flow.container.uow() as uow:
        org = uow.organisations.id_for("mestro")
        assert org is not None
        return len(list(uow.consents.events(org)))


def test_a_signed_link_erases_the_chosen_category_and_keeps_the_purpose(
    flow: Flow, clock: FakeClock
) -> None:
    container = flow.container
    consent(flow.client, dpo_headers(container), status="given")
    url = link_for(
        container.uow(),
        clock,
        None,
        container.links,
        "http://testserver",
        {IdentifierKind.EMAIL: ANNA},
        "events",
        language="en",
        who=STAFF,
    )
    path = url.removeprefix("http://testserver")
    before = ledger_size(flow)

    page = flow.client.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'value="food_preferences"' in page.text and "Food preferences" in page.text
    nothing = flow.client.post(path, data={"action": "erase"})
    assert nothing.status_code == 200 and "Choose at least one" in nothing.text
    assert ledger_size(flow) == before, "looking, or choosing nothing, records nothing"

    done = flow.client.post(path, data={"action": "erase", "erase": ["food_preferences"]})
    assert done.status_code == 200, done.text
    assert ledger_size(flow) == before + 1
    [reference] = set(REFERENCE.findall(done.text))
    flow.wait_until_done(reference)
    [row] = flow.rows("SELECT * FROM participants WHERE id = 1")
    assert "Vegetarian" not in str(row["food"]) and row["city"] == "Uppsala"
    identity = {IdentifierKind.EMAIL: ANNA}
    [state] = consents_of(container.uow(), clock, None, identity, who=STAFF)
    assert state.active and "food_preferences" not in state.categories

    forged = path.replace("t=", "t=x", 1)
    assert flow.client.get(forged).status_code == 400
    assert flow.client.post(forged, data={"action": "withdraw"}).status_code == 400
    clock.advance(days=31)
    expired = flow.client.post(path, data={"action": "withdraw"})
    assert expired.status_code == 400 and "expired" in expired.text
    assert (
        flow.client.get(path, headers={"Accept": "application/json"})
        .json()["type"]
        .endswith("link-expired")
    )
    assert ledger_size(flow) == before + 1, "a forged or expired link changes nothing"
