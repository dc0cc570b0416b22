"""A worker killed with SIGKILL in the middle of an erasure: restarted, it finishes the
request with nothing lost and nothing done twice.

Three systems, each its own SQLite database with many rows for the person, are erased
by a real ``skydd worker`` process. It is killed once the first system's step is
recorded, then started again; the second worker takes the request up from its stored
steps. Each system is erased exactly once (one audit event each), every one of the
person's values is masked, and another person's rows are untouched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from fideslang import models as fl
from sqlalchemy import create_engine, text

from skydd.bootstrap import Container
from skydd.config import Settings
from skydd.domain.audit import AuditAction, UnreadableEvent
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.domain.request_work import StepStatus
from skydd.domain.requests import RequestStatus, RequestType
from skydd.jobs.queue import work_queue
from skydd.services.register import store_register
from skydd.services.requests import StaffDecision, Submission, receive_request, verify_manually
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, ROOT
from tests.connectors.conftest import run_sql
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P18")

SKYDD = Path(sys.executable).parent / "skydd"
FLOW = ROOT / "tests" / "data" / "datasets" / "dsr_flow"
SYSTEMS = ("shop_one", "shop_two", "shop_three")
ANNA = "anna.svensson@example.se"
ORDERS = 30_000
STAFF = Who("user:dpo", "test")


def datasets() -> list[fl.Dataset]:
    """The flow shop's dataset once per system, each under its own key."""
    text_ = (FLOW / "dataset.yml").read_text(encoding="utf-8")
    return [
        fl.Dataset.model_validate(yaml.safe_load(text_.replace("flow_shop", key))["dataset"][0])
        for key in SYSTEMS
    ]


def three_shops(register: Register) -> Register:
    platform = next(s for s in register.systems if s.key == "mestro_platform")
    systems = [
        platform.model_copy(update={"key": key, "name": key, "datasets": [key]}) for key in SYSTEMS
    ]
    return register.model_copy(update={"systems": systems, "datasets": datasets()})


def seed(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    run_sql(engine, FLOW / "seed.sql")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO orders VALUES (:id, 1, '2026-01-01', :note)"),
            [{"id": 1000 + n, "note": f"note {n}"} for n in range(ORDERS)],
        )
    engine.dispose()


def count(path: Path, sql: str) -> int:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        found = int(conn.execute(text(sql)).scalar_one())
    engine.dispose()
    return found


def test_a_killed_worker_resumes_the_erasure_and_does_nothing_twice(
    container: Container, settings: Settings, clock: FakeClock, tmp_path: Path, keyring_text: str
) -> None:
    targets = {key: tmp_path / f"{key}.db" for key in SYSTEMS}
    for path in targets.values():
        seed(path)
    store_register(container.uow(), clock, three_shops(load_register(MESTRO)), "three shops")
    request, _ = receive_request(
        container.uow(),
        clock,
        None,
        Submission(RequestType.ERASURE, {IdentifierKind.EMAIL: ANNA}),
        who=STAFF,
    )
    verify_manually(
        container.uow(), clock, None, StaffDecision(request.reference, "ID seen.", STAFF)
    )
    work_queue(container).dispatch(request.id)

    env = {
        **os.environ,
        "SKYDD_DATABASE__URL": settings.database.url,
        "SKYDD_KEYS__KEYRING": keyring_text,
        "SKYDD_QUEUE__PATH": str(settings.queue.path),
        "SKYDD_QUEUE__RESUME_AFTER_SECONDS": "0",
        "SKYDD_MAIL__PORT": str(settings.mail.port),
        "SKYDD_CONNECTIONS": json.dumps({k: f"sqlite:///{p}" for k, p in targets.items()}),
    }

    def steps_done() -> int:
        with container.uow() as uow:
            return sum(s.status is StepStatus.DONE for s in uow.work.steps(request.id))

    with subprocess.Popen([str(SKYDD), "worker"], env=env, stderr=subprocess.PIPE) as first:
        deadline = time.monotonic() + 60
        while steps_done() == 0:
            assert time.monotonic() < deadline, "the first worker never finished a step"
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            time.sleep(0.005)
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    done_at_kill = steps_done()
    with container.uow() as uow:
        org = uow.organisations.id_for("mestro")
        assert org is not None
        killed = uow.requests.get(org, request.id)
    assert killed is not None and killed.status is RequestStatus.IN_PROGRESS
    assert 1 <= done_at_kill < len(SYSTEMS)

    with subprocess.Popen([str(SKYDD), "worker"], env=env, stderr=subprocess.PIPE) as second:
        try:
            deadline = time.monotonic() + 120
            while True:
                with container.uow() as uow:
                    current = uow.requests.get(org, request.id)
                assert current is not None
                if current.status is RequestStatus.COMPLETED:
                    break
                assert time.monotonic() < deadline, "the request was not resumed"
                assert second.poll() is None, second.stderr.read() if second.stderr else ""
                time.sleep(0.02)
        finally:
            second.send_signal(signal.SIGINT)
            second.communicate(timeout=30)

    for path in targets.values():
        assert (
            count(path, "SELECT count(*) FROM customers WHERE email = 'anna.svensson@example.se'")
            == 0
        )
        assert (
            count(path, "SELECT count(*) FROM orders WHERE customer_id = 1 AND note LIKE 'note%'")
            == 0
        )
        assert count(path, "SELECT count(*) FROM customers WHERE email = 'bo.berg@example.se'") == 1
        assert count(path, "SELECT count(*) FROM orders WHERE note = 'Call first'") == 1
    with container.uow() as uow:
        events = [e for e in uow.audit.page(0, 100_000) if not isinstance(e, UnreadableEvent)]
    erased = [e.details["system"] for e in events if e.action == AuditAction.PERSONAL_DATA_ERASED]
    assert sorted(erased) == sorted(SYSTEMS)  # each system once: nothing done twice
