"""Each right end to end: submit, read the code from the real SMTP server, verify, a real
worker runs it against the organisation's database, the answer arrives.

The organisation's database is SQLite, PostgreSQL or MariaDB (``engine``), skydd's own
SQLite or PostgreSQL (``container``). The worker is Huey's consumer in this process,
on a SQLite queue: the same code ``skydd worker`` runs.
"""

from __future__ import annotations

import io
import json
import math
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.register import Register
from skydd.domain.request_work import MAX_UPLOAD_BYTES
from skydd.services.processing_limits import is_suppressed, may_process
from skydd.services.register import store_register
from skydd.services.subjects import parse_identifier
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT
from tests.connectors.conftest import read_datasets, run_sql
from tests.fakes import FakeClock
from tests.smtp import Mailbox, text_of
from tests.staff import dpo_headers

pytestmark = pytest.mark.promise("P17", "P18", "P19")

FLOW = ROOT / "tests" / "data" / "datasets" / "dsr_flow"
ANNA = "anna.svensson@example.se"
SYSTEM = "mestro_platform"
CODE_MAIL = re.compile(r"\b\d{6}\b")


def with_flow_shop(register: Register) -> Register:
    """The register with its own platform's database described, and only that system."""
    platform = next(s for s in register.systems if s.key == SYSTEM)
    flagged = {"datasets": ["flow_shop"], "restriction_flag": "flow_shop.customers.restricted"}
    return register.model_copy(
        update={
            "systems": [platform.model_copy(update=flagged)],
            "datasets": read_datasets(FLOW / "dataset.yml"),
        }
    )


@dataclass
class Flow:
    container: Container
    client: TestClient
    mailbox: Mailbox
    target: Engine

    def submit(self, right: str, email: str = ANNA, **extra: object) -> str:
        body = {"type": right, "email": email, **extra}
        response = self.client.post("/api/v1/requests", json=body)
        assert response.status_code == 202, response.text
        code = self.mailbox.last_code(email)
        reference: str = response.json()["reference"]
        verified = self.client.post(
            f"/api/v1/requests/{reference}/verification", json={"code": code}
        )
        assert verified.status_code == 200, verified.text
        return reference

    def wait_until_done(self, reference: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.container.uow() as uow:
                org = uow.organisations.id_for("mestro")
                assert org is not None
                request = uow.requests.by_reference(org, reference)
            assert request is not None
            if request.is_final:
                return
            time.sleep(0.01)
        raise AssertionError(f"request {reference} not done in {timeout} s")

    def notice(self, timeout: float = 10.0) -> str:
        """The completion notice's text: the newest mail to Anna that is not a code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = [text_of(m) for m in self.mailbox.to(ANNA)]
            done = [t for t in texts if not CODE_MAIL.search(t)]
            if done:
                return done[-1]
            time.sleep(0.01)
        raise AssertionError("no completion notice arrived")

    def rows(self, sql: str) -> list[dict[str, object]]:
        with self.target.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]


@pytest.fixture
def flow(settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine) -> Iterator[Flow]:
    with running(settings, clock, mailbox, engine, with_flow_shop(load_register(MESTRO))) as built:
        yield built


@pytest.fixture
def flow_with_a_task(
    settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine
) -> Iterator[Flow]:
    """The flow shop, and a processor skydd cannot reach: a manual task for staff."""
    mestro = load_register(MESTRO)
    register = with_flow_shop(mestro)
    hubspot = next(s for s in mestro.systems if s.key == "hubspot")
    register = register.model_copy(update={"systems": [*register.systems, hubspot]})
    with running(settings, clock, mailbox, engine, register) as built:
        yield built


@contextmanager
def running(
    settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine, register: Register
) -> Iterator[Flow]:
    """skydd serving ``register`` with one worker, the shop seeded in ``engine``."""
    run_sql(engine, FLOW / "seed.sql")
    url = engine.url.render_as_string(hide_password=False)
    configured = settings.model_copy(update={"connections": {SYSTEM: SecretStr(url)}})
    container = build_container(configured, clock=clock)
    store_register(container.uow(), clock, register, "flow")
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    consumer = app.state.work_queue.consumer(poll_seconds=0.005)
    consumer.start()
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Flow(container, client, mailbox, engine)
    finally:
        consumer.stop(graceful=True)
        container.close()


def _download(flow: Flow) -> tuple[str, bytes]:
    body = flow.notice()
    url = next(word for word in body.split() if "/api/v1/requests/answers/" in word)
    path = url[url.index("/api/v1/") :].rstrip(".,)")
    response = flow.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return path, response.content


def test_access_answers_exactly_the_persons_rows(flow: Flow) -> None:
    reference = flow.submit("access")
    flow.wait_until_done(reference)
    path, content = _download(flow)
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("data.json"))
    system = data["systems"][SYSTEM]
    expected = {
        "customers": flow.rows("SELECT * FROM customers WHERE id = 1"),
        "orders": flow.rows("SELECT * FROM orders WHERE customer_id = 1 ORDER BY id"),
        "invoices": flow.rows(
            "SELECT i.* FROM invoices i JOIN orders o ON o.id = i.order_id"
            " WHERE o.customer_id = 1 ORDER BY i.id"
        ),
    }
    for name, rows in expected.items():
        found = sorted(system[name], key=lambda r: r["id"])
        assert [{k: str(v) for k, v in r.items()} for r in found] == [
            {k: str(v) for k, v in r.items()} for r in rows
        ], name
    assert "bo.berg" not in json.dumps(data) and "Lund" not in json.dumps(data)
    assert "report.html" in archive.namelist()
    assert f"{SYSTEM}/customers.csv" in archive.namelist()
    # The link allows three downloads, then answers as if it never existed.
    assert flow.client.get(path).status_code == 200
    assert flow.client.get(path).status_code == 200
    spent = flow.client.get(path)
    assert spent.status_code == 404 and "used up" in spent.json()["detail"]


def test_erasure_masks_keeps_the_invoices_and_a_second_run_changes_nothing(
    flow: Flow, clock: FakeClock
) -> None:
    before_bo = flow.rows("SELECT * FROM customers WHERE id = 2")
    reference = flow.submit("erasure")
    flow.wait_until_done(reference)
    [anna] = flow.rows("SELECT * FROM customers WHERE id = 1")
    assert str(anna["email"]).startswith("hmac:") and str(anna["name"]).startswith("hmac:")
    # Masked, and the number is gone (a 4-digit piece of it turns up in a hash's hex
    # about once in a thousand runs, so the whole number is what must be absent).
    phone = str(anna["phone"])
    assert phone.startswith("hmac:") and "701740605" not in phone
    notes = flow.rows("SELECT note FROM orders WHERE customer_id = 1 ORDER BY id")
    assert str(notes[0]["note"]).startswith("hmac:") and notes[1]["note"] is None
    [invoice] = flow.rows("SELECT billing_name, billing_email FROM invoices WHERE id = 100")
    assert invoice == {"billing_name": "Anna Svensson", "billing_email": ANNA}
    assert flow.rows("SELECT * FROM customers WHERE id = 2") == before_bo
    notice = flow.notice()
    assert "31 December 2031" in notice or "31 december 2031" in notice

    # The same erasure again, by a second request: nothing left to change.
    tables = {t: f"SELECT * FROM {t} ORDER BY id" for t in ("customers", "orders")}  # noqa: S608
    snapshot = {t: flow.rows(sql) for t, sql in tables.items()}
    clock.advance(days=1)
    again = flow.submit("erasure", email=ANNA)
    flow.wait_until_done(again)
    assert {t: flow.rows(sql) for t, sql in tables.items()} == snapshot


def test_portability_holds_only_what_the_person_provided(flow: Flow) -> None:
    reference = flow.submit("portability")
    flow.wait_until_done(reference)
    _, content = _download(flow)
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
    fields = {
        field for rows in data["systems"].get(SYSTEM, {}).values() for row in rows for field in row
    }
    assert "email" in fields
    assert "placed_on" not in fields and "amount" not in fields


def test_a_manual_task_is_done_by_staff_and_its_file_joins_the_answer(
    flow_with_a_task: Flow, clock: FakeClock
) -> None:
    flow = flow_with_a_task
    reference = flow.submit("access")
    headers = dpo_headers(flow.container)
    deadline = time.monotonic() + 30
    while True:
        tasks = flow.client.get(f"/api/v1/requests/{reference}/tasks", headers=headers).json()
        if any(t["kind"] == "connector" and t["status"] == "done" for t in tasks):
            break
        assert time.monotonic() < deadline, tasks
        time.sleep(0.01)
    manual = next(t for t in tasks if t["kind"] == "manual")
    assert manual["system"] == "hubspot" and manual["status"] == "pending"
    assert "HubSpot" in manual["instructions"] and manual["due_on"] == "2026-12-20"
    status = flow.client.get(f"/api/v1/requests/{reference}", headers=headers).json()["status"]
    assert status == "in_progress"  # waits for staff
    assigned = flow.client.post(
        f"/api/v1/requests/{reference}/tasks/hubspot/assignment",
        headers=headers,
        json={"assignee": "dpo-user"},
    )
    assert assigned.json()["assignee"] == "dpo-user"
    refused = flow.client.post(
        f"/api/v1/requests/{reference}/tasks/{SYSTEM}/completion", headers=headers
    )
    assert refused.status_code == 409  # skydd runs that one itself
    done = flow.client.post(
        f"/api/v1/requests/{reference}/tasks/hubspot/completion",
        headers=headers,
        data={"note": "Exported the contact record."},
        files={"file": ("contact.csv", b"email,lifecycle\nanna.svensson@example.se,lead\n")},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    _, content = _download(flow)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read("uploads/hubspot/contact.csv").startswith(b"email,lifecycle")
    assert "customers" in json.loads(archive.read("data.json"))["systems"][SYSTEM]


def _limits(flow: Flow, reference: str) -> list[dict[str, object]]:
    response = flow.client.get(
        f"/api/v1/requests/{reference}/limits", headers=dpo_headers(flow.container)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()
    return found


def _anna(flow: Flow) -> list[Identifier]:
    register = load_register(MESTRO)
    return [parse_identifier(IdentifierKind.EMAIL, ANNA, register, flow.container.clock)]


def test_rectification_writes_every_field_of_the_category_and_shows_old_to_new_to_staff_only(
    flow: Flow,
) -> None:
    corrections = {"name": "Anna Berg", "user.contact.address.city": "Sundsvall"}
    reference = flow.submit("rectification", corrections=corrections, language="en")
    flow.wait_until_done(reference)
    [anna] = flow.rows("SELECT name, city FROM customers WHERE id = 1")
    assert anna == {"name": "Anna Berg", "city": "Sundsvall"}
    assert flow.rows("SELECT name, city FROM customers WHERE id = 2") == [
        {"name": "Bo Berg", "city": "Lund"}
    ]
    # The invoice's billing name is bookkeeping data, another category: left as issued.
    [invoice] = flow.rows("SELECT billing_name FROM invoices WHERE id = 100")
    assert invoice == {"billing_name": "Anna Svensson"}
    notice = flow.notice()
    assert "rectified" in notice
    assert "Anna Berg" not in notice and "Anna Svensson" not in notice and "Sundsvall" not in notice

    headers = dpo_headers(flow.container)
    shown = flow.client.get(f"/api/v1/requests/{reference}/corrections", headers=headers)
    assert shown.status_code == 200, shown.text
    made = {
        (m["collection"], m["field"]): (m["old"], m["new"], m["rows"]) for m in shown.json()["made"]
    }
    assert made == {
        ("flow_shop:customers", "name"): (["Anna Svensson"], "Anna Berg", 1),
        ("flow_shop:customers", "city"): (["Uppsala"], "Sundsvall", 1),
    }
    assert {a["category"] for a in shown.json()["asked"]} == {
        "user.name",
        "user.contact.address.city",
    }
    with flow.container.uow() as uow:
        events = [
            e
            for e in uow.audit.page(0, 10_000)
            if isinstance(e, AuditEvent) and e.target == f"request:{reference}"
        ]
    actions = [e.action for e in events]
    assert (
        AuditAction.PERSONAL_DATA_CHANGED in actions and AuditAction.PERSONAL_DATA_READ in actions
    )
    assert "Anna" not in json.dumps([e.details for e in events])


def test_restriction_flags_the_person_stops_skydds_processing_and_is_lifted_with_notice_first(
    flow: Flow,
) -> None:
    reference = flow.submit("restriction", language="en")
    flow.wait_until_done(reference)
    flags = {
        r["id"]: bool(r["restricted"]) for r in flow.rows("SELECT id, restricted FROM customers")
    }
    assert flags == {1: True, 2: False}
    assert "restricted the processing" in flow.notice()
    [limit] = _limits(flow, reference)
    assert limit["kind"] == "restricted" and limit["active"] is True
    anna = _anna(flow)
    for purpose in ("customer_relations", "marketing", "analytics"):
        assert not may_process(flow.container.uow(), "mestro", anna, purpose)

    headers = dpo_headers(flow.container)
    lifted = flow.client.post(
        f"/api/v1/requests/{reference}/restriction-lifting",
        headers=headers,
        json={"reason": "The accuracy of your address has been verified."},
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["active"] is False
    notices = [text_of(m) for m in flow.mailbox.to(ANNA)]
    assert any("accuracy of your address has been verified" in t for t in notices)
    assert {
        r["id"]: bool(r["restricted"]) for r in flow.rows("SELECT id, restricted FROM customers")
    } == {1: False, 2: False}
    assert may_process(flow.container.uow(), "mestro", anna, "customer_relations")
    again = flow.client.post(
        f"/api/v1/requests/{reference}/restriction-lifting", headers=headers, json={"reason": "x"}
    )
    assert again.status_code == 409


def test_objection_to_direct_marketing_suppresses_every_marketing_purpose_for_good(
    flow_with_a_task: Flow,
) -> None:
    flow = flow_with_a_task
    reference = flow.submit("objection", purpose="marketing")
    headers = dpo_headers(flow.container)
    deadline = time.monotonic() + 30
    while not (
        tasks := flow.client.get(f"/api/v1/requests/{reference}/tasks", headers=headers).json()
    ):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # Only the system serving marketing (HubSpot) gets a task; the platform does not.
    [task] = tasks
    assert task["system"] == "hubspot" and task["kind"] == "manual"
    assert "'marketing'" in task["instructions"] and "marketing list" in task["instructions"]
    kinds = {limit["kind"] for limit in _limits(flow, reference)}
    assert kinds == {"objected", "suppressed"}
    anna = _anna(flow)
    assert is_suppressed(flow.container.uow(), "mestro", anna)
    assert not may_process(flow.container.uow(), "mestro", anna, "newsletter")  # marketing too
    assert may_process(flow.container.uow(), "mestro", anna, "customer_relations")

    # Staff reject it (they should not, for marketing): the suppression list still stands.
    rejected = flow.client.post(
        f"/api/v1/requests/{reference}/rejection", headers=headers, json={"reason": "Testing."}
    )
    assert rejected.status_code == 200, rejected.text
    kinds_active = {limit["kind"] for limit in _limits(flow, reference) if limit["active"]}
    assert kinds_active == {"suppressed"}
    assert is_suppressed(flow.container.uow(), "mestro", anna)


def test_objection_to_a_legitimate_interest_stops_that_purpose_and_completes_with_staff(
    flow_with_a_task: Flow,
) -> None:
    flow = flow_with_a_task
    reference = flow.submit("objection", purpose="analytics", language="en")
    headers = dpo_headers(flow.container)
    deadline = time.monotonic() + 30
    while (
        len(tasks := flow.client.get(f"/api/v1/requests/{reference}/tasks", headers=headers).json())
        < 2
    ):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert {t["system"] for t in tasks} == {SYSTEM, "hubspot"}  # both serve analytics
    assert all(t["kind"] == "manual" for t in tasks)
    anna = _anna(flow)
    assert not may_process(flow.container.uow(), "mestro", anna, "analytics")
    assert may_process(flow.container.uow(), "mestro", anna, "marketing")
    for system in (SYSTEM, "hubspot"):
        done = flow.client.post(
            f"/api/v1/requests/{reference}/tasks/{system}/completion",
            headers=headers,
            data={"note": "Excluded from analytics."},
        )
        assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert "stopped processing" in flow.notice()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"type": "objection", "purpose": "customer_relations"}, "no right to object"),
        ({"type": "objection"}, "names the purpose"),
        ({"type": "objection", "purpose": "no_such"}, "unknown purpose"),
        ({"type": "rectification"}, "at least one correction"),
        ({"type": "rectification", "corrections": {"shoe_size": "42"}}, "unknown data category"),
        ({"type": "rectification", "corrections": {"name": " "}}, "1-1000 characters"),
        ({"type": "access", "corrections": {"name": "Anna"}}, "rectification request only"),
        ({"type": "access", "purpose": "marketing"}, "objection only"),
    ],
)
def test_a_right_given_what_it_cannot_take_is_refused_saying_why(
    flow: Flow, body: dict[str, object], says: str
) -> None:
    response = flow.client.post("/api/v1/requests", json={"email": ANNA, **body})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.json()["detail"]
    assert "Anna" not in response.json()["detail"]


def test_a_binary_export_of_several_mebibytes_joins_the_answer(
    flow_with_a_task: Flow,
) -> None:
    """Staff upload what a vendor exported: any bytes (NULs too), up to 20 MiB."""
    flow = flow_with_a_task
    reference = flow.submit("access", language="en")
    headers = dpo_headers(flow.container)
    url = f"/api/v1/requests/{reference}/tasks/hubspot/completion"
    deadline = time.monotonic() + 30
    while not flow.client.get(f"/api/v1/requests/{reference}/tasks", headers=headers).json():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * (3 * 4096)  # 3 MiB, NUL bytes included
    nul_note = flow.client.post(
        url, headers=headers, data={"note": "a\x00b"}, files={"file": ("a.pdf", b"x")}
    )
    assert nul_note.status_code == 400 and "NUL" in nul_note.json()["detail"]
    over = flow.client.post(
        url, headers=headers, files={"file": ("big.pdf", b"x" * (MAX_UPLOAD_BYTES + 1))}
    )
    assert over.status_code == 400 and "at most 20 MiB" in over.json()["detail"]
    far_over = flow.client.post(
        url, headers=headers, files={"file": ("huge.pdf", b"x" * (MAX_UPLOAD_BYTES + 2**20))}
    )
    assert far_over.status_code == 413
    done = flow.client.post(url, headers=headers, files={"file": ("contact.pdf", pdf)})
    assert done.status_code == 200, done.text
    _, content = _download(flow)
    assert zipfile.ZipFile(io.BytesIO(content)).read("uploads/hubspot/contact.pdf") == pdf
