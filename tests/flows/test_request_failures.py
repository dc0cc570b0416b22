"""A request whose database fails: it waits, says why to staff, writes nothing half-way,
and finishes once the database is back, erasing each system exactly once.

Submitted and verified over HTTP with the code read from the real SMTP server, run by
Huey's consumer in this process (the flow of ``test_request_flows.py``), on skydd's
SQLite and PostgreSQL (``settings``). A database that does not answer is a closed
port or a file in a directory that does not exist; a database that lacks a table, or
refuses a write half-way through an erasure, is each target engine (``engine``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from fideslang import models as fl
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, text

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.domain.audit import AuditAction, UnreadableEvent
from skydd.domain.dataset_graph import build_dataset_graph
from skydd.domain.errors import ConflictError, NotFoundError
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.domain.request_work import MAX_ATTEMPTS, RequestStep, StepKind, StepStatus
from skydd.domain.requests import DataSubjectRequest, RequestStatus, RequestType
from skydd.domain.traversal import plan_traversal
from skydd.jobs.queue import WorkQueue
from skydd.services.register import store_register
from skydd.services.request_answers import download_answer
from skydd.services.request_execution import notify_completion, run_request
from skydd.services.request_sweep import notices_to_send, requests_to_resume
from skydd.services.request_tasks import retry_task
from skydd.services.requests import StaffDecision, Submission, receive_request, verify_manually
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT
from tests.connectors.conftest import run_sql
from tests.fakes import FakeClock
from tests.smtp import Mailbox, text_of
from tests.staff import dpo_headers

pytestmark = pytest.mark.promise("P18")

FLOW = ROOT / "tests" / "data" / "datasets" / "dsr_flow"
ANNA = "anna.svensson@example.se"
BO = "bo.berg@example.se"
CODE_MAIL = re.compile(r"\b\d{6}\b")
WHO_STAFF = Who("user:dpo", "test")
DOWN = "sql-connector-failed: database: the database does not answer (OperationalError)"
NO_INVOICES = "sql-connector-failed: collection flow_shop:invoices: the table does not exist"

UNREACHABLE = [
    pytest.param("postgresql://skydd:s3cret@127.0.0.1:1/nothing", id="postgresql-closed-port"),
    pytest.param("mysql://skydd:s3cret@127.0.0.1:1/nothing", id="mariadb-closed-port"),
    pytest.param("sqlite:////no-such-directory-s3cret/shop.db", id="sqlite-missing-directory"),
]


def shop_dataset(key: str) -> fl.Dataset:
    """The flow shop's dataset under ``key``."""
    text_ = (FLOW / "dataset.yml").read_text(encoding="utf-8").replace("flow_shop", key)
    return fl.Dataset.model_validate(yaml.safe_load(text_)["dataset"][0])


def shops(register: Register, keys: tuple[str, ...]) -> Register:
    """The register with only the shops ``keys``, each Mestro's platform with its own dataset."""
    platform = next(s for s in register.systems if s.key == "mestro_platform")
    systems = [platform.model_copy(update={"key": k, "name": k, "datasets": [k]}) for k in keys]
    return register.model_copy(
        update={"systems": systems, "datasets": [shop_dataset(k) for k in keys]}
    )


def rows(engine: Engine, sql: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql))]


def snapshot(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of the shop's customers and orders, the tables an erasure masks."""
    return {
        "customers": rows(engine, "SELECT * FROM customers ORDER BY id"),
        "orders": rows(engine, "SELECT * FROM orders ORDER BY id"),
    }


@dataclass
class Running:
    """skydd serving a register with one worker in this process."""

    container: Container
    client: TestClient
    mailbox: Mailbox
    queue: WorkQueue

    def submit_erasure(self) -> DataSubjectRequest:
        response = self.client.post("/api/v1/requests", json={"type": "erasure", "email": ANNA})
        assert response.status_code == 202, response.text
        reference = response.json()["reference"]
        code = self.mailbox.last_code(ANNA)
        verified = self.client.post(
            f"/api/v1/requests/{reference}/verification", json={"code": code}
        )
        assert verified.status_code == 200, verified.text
        return request_by_reference(self.container, reference)


@contextmanager
def running(
    settings: Settings,
    clock: FakeClock,
    mailbox: Mailbox,
    connections: dict[str, str],
    register: Register,
) -> Iterator[Running]:
    container = build_container(with_connections(settings, connections), clock=clock)
    store_register(container.uow(), clock, register, "failures")
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    queue: WorkQueue = app.state.work_queue
    consumer = queue.consumer(poll_seconds=0.005)
    consumer.start()
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Running(container, client, mailbox, queue)
    finally:
        consumer.stop(graceful=True)
        container.close()


def with_connections(settings: Settings, connections: dict[str, str]) -> Settings:
    secrets = {key: SecretStr(url) for key, url in connections.items()}
    return settings.model_copy(update={"connections": secrets})


def request_by_reference(container: Container, reference: str) -> DataSubjectRequest:
    with container.uow() as uow:
        org = uow.organisations.id_for("mestro")
        assert org is not None
        request = uow.requests.by_reference(org, reference)
    assert request is not None
    return request


def current(container: Container, request: DataSubjectRequest) -> DataSubjectRequest:
    return request_by_reference(container, request.reference)


def steps(container: Container, request: DataSubjectRequest) -> dict[str, RequestStep]:
    with container.uow() as uow:
        return {s.system: s for s in uow.work.steps(request.id)}


def wait_for(
    container: Container,
    request: DataSubjectRequest,
    done: Callable[[dict[str, RequestStep]], bool],
    timeout: float = 30.0,
) -> dict[str, RequestStep]:
    """The request's steps once ``done`` holds for them."""
    deadline = time.monotonic() + timeout
    while True:
        found = steps(container, request)
        if found and done(found):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.01)


def events(container: Container, action: AuditAction) -> list[dict[str, str]]:
    """The details of every audit event of ``action``."""
    with container.uow() as uow:
        page = uow.audit.page(0, 100_000)
    return [
        {k: str(v) for k, v in e.details.items()}
        for e in page
        if not isinstance(e, UnreadableEvent) and e.action == action
    ]


def erased_systems(container: Container) -> list[str]:
    return sorted(d["system"] for d in events(container, AuditAction.PERSONAL_DATA_ERASED))


def notices_to_anna(mailbox: Mailbox) -> list[str]:
    return [t for t in (text_of(m) for m in mailbox.to(ANNA)) if not CODE_MAIL.search(t)]


def seeded_sqlite(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    run_sql(engine, FLOW / "seed.sql")
    return engine


def assert_anna_erased_and_bo_untouched(engine: Engine) -> None:
    [anna] = rows(engine, "SELECT email, name FROM customers WHERE id = 1")
    assert str(anna["email"]).startswith("hmac:") and str(anna["name"]).startswith("hmac:")
    [bo] = rows(engine, "SELECT email, name FROM customers WHERE id = 2")
    assert bo == {"email": BO, "name": "Bo Berg"}


@pytest.mark.parametrize("down_url", UNREACHABLE)
def test_a_database_down_mid_request_waits_and_finishes_once_it_is_back(
    settings: Settings,
    clock: FakeClock,
    mailbox: Mailbox,
    tmp_path: Path,
    down_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    up, down = seeded_sqlite(tmp_path / "up.db"), seeded_sqlite(tmp_path / "down.db")
    untouched = snapshot(down)
    register = shops(load_register(MESTRO), ("shop_up", "shop_down"))
    broken = {"shop_up": str(up.url), "shop_down": down_url}
    with running(settings, clock, mailbox, broken, register) as skydd:
        request = skydd.submit_erasure()
        found = wait_for(
            skydd.container,
            request,
            lambda s: s["shop_down"].attempts == 1 and s["shop_up"].status is StepStatus.DONE,
        )
        assert found["shop_up"].error is None
        failed = found["shop_down"]
        assert (failed.kind, failed.status, failed.error) == (
            StepKind.CONNECTOR,
            StepStatus.PENDING,
            DOWN,
        )
        assert current(skydd.container, request).status is RequestStatus.IN_PROGRESS
        assert_anna_erased_and_bo_untouched(up)
        erased_up = snapshot(up)

        # Staff see the step waiting and why.
        headers = dpo_headers(skydd.container)
        tasks = skydd.client.get(f"/api/v1/requests/{request.reference}/tasks", headers=headers)
        assert tasks.status_code == 200, tasks.text
        assert {t["system"]: (t["status"], t["attempts"], t["error"]) for t in tasks.json()} == {
            "shop_up": ("done", 0, None),
            "shop_down": ("pending", 1, DOWN),
        }

        # Run again while the database is still down: one more attempt counted, the
        # done system left alone.
        skydd.queue.dispatch(request.id)
        found = wait_for(skydd.container, request, lambda s: s["shop_down"].attempts == 2)
        assert (found["shop_down"].status, found["shop_down"].error) == (StepStatus.PENDING, DOWN)
        assert erased_systems(skydd.container) == ["shop_up"]
        assert current(skydd.container, request).status is RequestStatus.IN_PROGRESS

    assert snapshot(down) == untouched
    assert snapshot(up) == erased_up
    assert notices_to_anna(mailbox) == []  # no answer while work is left
    logged = caplog.text
    assert f"request {request.reference}: system shop_down failed: sql-connector-failed" in logged
    assert ANNA not in logged and "Svensson" not in logged and "s3cret" not in logged

    # The connection mended: the request finishes and each system is erased once.
    mended = {"shop_up": str(up.url), "shop_down": str(down.url)}
    fixed = build_container(with_connections(settings, mended), clock=clock)
    try:
        args = (fixed.uow(), clock, fixed.organisation_key, request.id, fixed.execution())
        assert run_request(*args).status is RequestStatus.COMPLETED
        finished = steps(fixed, request)
        assert {k: (s.status, s.attempts, s.error) for k, s in finished.items()} == {
            "shop_up": (StepStatus.DONE, 0, None),
            "shop_down": (StepStatus.DONE, 2, None),
        }
        assert_anna_erased_and_bo_untouched(down)
        assert snapshot(up) == erased_up
        assert erased_systems(fixed) == ["shop_down", "shop_up"]

        erased_down = snapshot(down)
        assert run_request(*args).status is RequestStatus.COMPLETED  # a stray message
        assert erased_systems(fixed) == ["shop_down", "shop_up"]
        assert (snapshot(up), snapshot(down)) == (erased_up, erased_down)
        assert len(events(fixed, AuditAction.REQUEST_COMPLETED)) == 1
    finally:
        fixed.close()
        up.dispose()
        down.dispose()
    deadline = time.monotonic() + 10
    while not notices_to_anna(mailbox):
        assert time.monotonic() < deadline, "no completion notice"
        time.sleep(0.01)
    assert len(notices_to_anna(mailbox)) == 1


def test_a_step_failing_every_attempt_is_left_failed_with_its_reason(
    settings: Settings, clock: FakeClock, mailbox: Mailbox
) -> None:
    """After ``MAX_ATTEMPTS`` the step stops being retried; staff see why, nothing ran."""
    down_url = "postgresql://skydd:s3cret@127.0.0.1:1/nothing"
    register = shops(load_register(MESTRO), ("shop_down",))
    with running(settings, clock, mailbox, {"shop_down": down_url}, register) as skydd:
        request = skydd.submit_erasure()
        wait_for(skydd.container, request, lambda s: s["shop_down"].attempts == 1)
        execution = skydd.container.execution()
        org = skydd.container.organisation_key
        for _ in range(MAX_ATTEMPTS - 1):
            run_request(skydd.container.uow(), clock, org, request.id, execution)
        [step] = steps(skydd.container, request).values()
        assert (step.status, step.attempts, step.error) == (
            StepStatus.FAILED,
            MAX_ATTEMPTS,
            DOWN,
        )
        assert current(skydd.container, request).status is RequestStatus.IN_PROGRESS
        # A failed step is not a stalled one: the sweep leaves it to staff.
        clock.advance(days=1)
        quiet = dt.timedelta(seconds=settings.queue.resume_after_seconds)
        assert requests_to_resume(skydd.container.uow(), org, clock.now(), quiet) == []
        assert erased_systems(skydd.container) == []
        # Staff fix the cause and retry: the step is pending again with fresh attempts.
        with pytest.raises(NotFoundError):
            retry_task(skydd.container.uow(), clock, org, request.reference, "nope", who=WHO_STAFF)
        retry_task(skydd.container.uow(), clock, org, request.reference, "shop_down", who=WHO_STAFF)
        [again] = steps(skydd.container, request).values()
        assert (again.status, again.attempts) == (StepStatus.PENDING, 0)
        with pytest.raises(ConflictError, match="only a failed step"):
            retry_task(
                skydd.container.uow(), clock, org, request.reference, "shop_down", who=WHO_STAFF
            )


def test_a_missing_table_fails_the_step_and_nothing_is_half_erased(
    settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine
) -> None:
    run_sql(engine, FLOW / "seed.sql")
    invoices = rows(engine, "SELECT * FROM invoices ORDER BY id")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE invoices"))
    before = snapshot(engine)
    url = engine.url.render_as_string(hide_password=False)
    register = shops(load_register(MESTRO), ("flow_shop",))
    with running(settings, clock, mailbox, {"flow_shop": url}, register) as skydd:
        request = skydd.submit_erasure()
        found = wait_for(skydd.container, request, lambda s: s["flow_shop"].attempts == 1)
        step = found["flow_shop"]
        assert (step.status, step.error) == (StepStatus.PENDING, NO_INVOICES)
        assert current(skydd.container, request).status is RequestStatus.IN_PROGRESS
        # The one transaction found the table missing: customers and orders as they were.
        assert snapshot(engine) == before
        assert erased_systems(skydd.container) == []

        # The table restored, the request runs again and completes.
        seed = (FLOW / "seed.sql").read_text(encoding="utf-8")
        create = next(s for s in seed.splitlines() if s.startswith("CREATE TABLE invoices"))
        with engine.begin() as conn:
            conn.execute(text(create.removesuffix(";")))
            for row in invoices:
                columns = ", ".join(row)
                values = ", ".join(f":{c}" for c in row)
                conn.execute(text(f"INSERT INTO invoices ({columns}) VALUES ({values})"), row)  # noqa: S608
        skydd.queue.dispatch(request.id)
        found = wait_for(
            skydd.container, request, lambda s: s["flow_shop"].status is StepStatus.DONE
        )
        assert (found["flow_shop"].attempts, found["flow_shop"].error) == (1, None)
        deadline = time.monotonic() + 10
        while current(skydd.container, request).status is not RequestStatus.COMPLETED:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert_anna_erased_and_bo_untouched(engine)
        assert rows(engine, "SELECT billing_email FROM invoices WHERE id = 100") == [
            {"billing_email": ANNA}  # kept under the Bookkeeping Act
        ]
        assert erased_systems(skydd.container) == ["flow_shop"]


def test_a_write_the_database_refuses_mid_erasure_leaves_every_table_as_it_was(
    settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine, tmp_path: Path
) -> None:
    """Orders are masked before customers; a customers row refusing its hash undoes both."""
    plan = plan_traversal(build_dataset_graph([shop_dataset("flow_shop")]), ["email"])
    order = [a.collection for a in plan.erasure_order]
    assert order.index("orders") < order.index("customers")
    seed = (FLOW / "seed.sql").read_text(encoding="utf-8")
    table = "city VARCHAR(100), restricted BOOLEAN NOT NULL DEFAULT FALSE);"
    assert seed.count(table) == 1
    checked = tmp_path / "seed.sql"
    checked.write_text(
        seed.replace(table, f"{table[:-2]}, CHECK (length(name) < 40));"), encoding="utf-8"
    )
    run_sql(engine, checked)
    before = snapshot(engine)
    url = engine.url.render_as_string(hide_password=False)
    register = shops(load_register(MESTRO), ("flow_shop",))
    with running(settings, clock, mailbox, {"flow_shop": url}, register) as skydd:
        request = skydd.submit_erasure()
        found = wait_for(skydd.container, request, lambda s: s["flow_shop"].attempts == 1)
        step = found["flow_shop"]
        assert step.status is StepStatus.PENDING
        assert step.error is not None
        assert step.error.startswith(
            "sql-connector-failed: collection flow_shop:customers: the query failed ("
        )
        assert ANNA not in step.error and "Svensson" not in step.error
        assert snapshot(engine) == before  # the orders' notes too, masked first, rolled back
        assert erased_systems(skydd.container) == []
        assert current(skydd.container, request).status is RequestStatus.IN_PROGRESS


def test_a_refused_completion_notice_is_sent_again_by_the_sweep_once_with_a_working_link(
    settings: Settings, clock: FakeClock, mailbox: Mailbox, engine: Engine
) -> None:
    """The request completes without the mail server; the notice it owes is not lost."""
    run_sql(engine, FLOW / "seed.sql")
    url = engine.url.render_as_string(hide_password=False)
    register = shops(load_register(MESTRO), ("flow_shop",))
    mail_down = settings.model_copy(
        update={"mail": settings.mail.model_copy(update={"port": 1, "timeout_seconds": 2})}
    )
    refusing = build_container(with_connections(mail_down, {"flow_shop": url}), clock=clock)
    working = build_container(with_connections(settings, {"flow_shop": url}), clock=clock)
    try:
        store_register(refusing.uow(), clock, register, "failures")
        org = refusing.organisation_key
        request, _ = receive_request(
            refusing.uow(),
            clock,
            org,
            Submission(RequestType.ACCESS, {IdentifierKind.EMAIL: ANNA}, language="en"),
            who=WHO_STAFF,
        )
        decision = StaffDecision(request.reference, "Known customer, called back.", WHO_STAFF)
        verify_manually(refusing.uow(), clock, org, decision)
        done = run_request(refusing.uow(), clock, org, request.id, refusing.execution())
        assert done.status is RequestStatus.COMPLETED and done.notified_at is None
        assert notices_to_anna(mailbox) == []
        quiet = dt.timedelta(seconds=settings.queue.resume_after_seconds)
        assert notices_to_send(working.uow(), org, clock.now(), quiet) == []  # not yet quiet
        clock.advance(minutes=10)
        assert notices_to_send(working.uow(), org, clock.now(), quiet) == [request.id]

        told = notify_completion(working.uow(), clock, org, request.id, working.execution())
        assert told and current(working, request).notified_at == clock.now()
        [notice] = notices_to_anna(mailbox)
        link = next(w for w in notice.split() if "/api/v1/requests/answers/" in w)
        secret = link.rstrip(".,)").rsplit("/", 1)[1]
        _, content = download_answer(
            working.uow(), clock, working.token_hasher, org, secret, who=WHO_STAFF
        )
        assert "data.json" in zipfile.ZipFile(io.BytesIO(content)).namelist()
        # Told once: the sweep and a repeated task both leave it alone.
        assert notices_to_send(working.uow(), org, clock.now(), quiet) == []
        assert notify_completion(working.uow(), clock, org, request.id, working.execution())
        assert len(notices_to_anna(mailbox)) == 1
    finally:
        refusing.close()
        working.close()
