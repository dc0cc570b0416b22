"""Key rotation on SQLite and PostgreSQL: every row moves, lookups never miss, kill and resume.

The interruption test runs the real ``skydd keys rotate`` in a subprocess, kills it
with SIGKILL once some (not all) batches have committed, checks the database is
half-rotated and fully readable, runs it again, and then reads everything with a
keyring that holds the new key only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, select

from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, KeySettings, Settings
from skydd.domain.audit import AuditAction
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.request_work import RequestStep, StepId, StepKind
from skydd.domain.requests import RequestType
from skydd.services.accounts import add_user, enroll_totp
from skydd.services.audit import export_audit
from skydd.services.register import store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who, find_subject, read_subject, record_subject, set_attribute
from skydd.storage.field_crypto import FieldCrypto
from skydd.storage.key_rotation import ENCRYPTED_TABLES, rotate_all, rotate_batch, stale_counts
from skydd.storage.keyring import Keyring, parse_keyring
from skydd.storage.register_files import load_register
from skydd.storage.tables import RequestRow, StaffUserRow, SubjectAttributeRow, SubjectRow
from tests.conftest import MESTRO
from tests.fakes import FakeClock

WHO = Who(actor="cli:tester", origin="cli")
PASSWORD = "correct horse battery staple"
SKYDD = Path(sys.executable).parent / "skydd"


def email(n: int) -> str:
    return f"person{n}@example.com"


def seed(container: Container, clock: FakeClock, count: int) -> None:
    """``count`` subjects with an attribute and a request each, and a staff member with TOTP."""
    store_register(container.uow(), clock, load_register(MESTRO), source="test")
    hasher = container.password_hasher
    add_user(container.uow(), clock, hasher, "anna", password=PASSWORD, actor="t", origin="t")
    enroll_totp(container.uow(), clock, "anna", actor="t", origin="t")
    for n in range(count):
        subject = record_subject(
            container.uow(),
            clock,
            None,
            {IdentifierKind.EMAIL: email(n), IdentifierKind.PHONE: f"07017406{n:02d}"},
            name=f"Person {n}",
            who=WHO,
        )
        diet = f"diet {n}"
        set_attribute(container.uow(), clock, None, subject.id, "food_preferences", diet, who=WHO)
        submission = Submission(
            RequestType.ACCESS, {IdentifierKind.EMAIL: email(n)}, details=f"details {n}"
        )
        request, _ = receive_request(container.uow(), clock, None, submission, who=WHO)
        step = RequestStep(StepId(uuid.uuid4()), request.id, "mestro_platform", StepKind.CONNECTOR)
        with container.uow() as uow:
            uow.work.add_steps([step])
            uow.work.save_step(step, f"result {n}")
            uow.work.save_answer(
                request.id,
                f"answer {n}".encode(),
                f"hash {n}",
                at=clock.now(),
                expires_at=clock.now() + dt.timedelta(days=7),
                downloads=3,
            )
            uow.commit()


def container_with(db_url: str, keyring: Keyring, clock: FakeClock) -> Container:
    keys = KeySettings(keyring=SecretStr(keyring.export_json()))
    return build_container(Settings(database=DatabaseSettings(url=db_url), keys=keys), clock=clock)


def keys_in_use(container: Container) -> set[str]:
    with container.session_factory() as session:
        subjects = set(session.scalars(select(SubjectRow.key_id).distinct()))
        attributes = set(session.scalars(select(SubjectAttributeRow.key_id).distinct()))
        staff = {k for k in session.scalars(select(StaffUserRow.totp_key_id)) if k is not None}
        requests = set(session.scalars(select(RequestRow.key_id).distinct()))
    return subjects | attributes | staff | requests


def assert_everyone_readable(container: Container, clock: FakeClock, count: int) -> None:
    uow = container.uow()
    with uow:
        anna = uow.users.by_username("anna")
    assert anna is not None and anna.totp_secret is not None and len(anna.totp_secret) == 32
    for n in range(count):
        found = find_subject(container.uow(), clock, None, IdentifierKind.EMAIL, email(n), who=WHO)
        assert found is not None and found.name == f"Person {n}"
        held = read_subject(container.uow(), clock, None, found.id, who=WHO)
        assert [a.value for a in held.attributes] == [f"diet {n}"]
    with container.uow() as uow:
        mestro = uow.organisations.id_for("mestro")
        assert mestro is not None
        details = sorted(
            uow.requests.requester(r.id).details or ""
            for r in uow.requests.open_due_by(mestro, None)
        )
    assert details == sorted(f"details {n}" for n in range(count))
    with container.uow() as uow:
        for n in range(count):
            taken = uow.work.take_answer(f"hash {n}", clock.now())
            assert taken is not None and taken[1] == f"answer {n}".encode()
            [step] = uow.work.steps(taken[0])
            assert uow.work.result(step.id) == f"result {n}"


def test_rotation_moves_every_row_and_the_old_key_can_go(
    container: Container, clock: FakeClock, db_url: str, keyring_text: str
) -> None:
    seed(container, clock, 12)
    old = parse_keyring(keyring_text)
    both = old.with_fresh_active_key()
    rotating = container_with(db_url, both, clock)
    crypto = rotating.field_crypto()
    assert stale_counts(rotating.session_factory, crypto) == {
        "subjects": 12,
        "requests": 12,
        "request_steps": 12,
        "request_answers": 12,
        "subject_attributes": 12,
        "staff_users": 1,
    }

    moved: list[tuple[str, int]] = []
    report = rotate_all(
        rotating.session_factory,
        crypto,
        batch_size=5,
        progress=lambda table, rows: moved.append((table, rows)),
    )
    assert moved == [
        ("subjects", 5),
        ("subjects", 5),
        ("subjects", 2),
        ("requests", 5),
        ("requests", 5),
        ("requests", 2),
        ("request_steps", 5),
        ("request_steps", 5),
        ("request_steps", 2),
        ("request_answers", 5),
        ("request_answers", 5),
        ("request_answers", 2),
        ("subject_attributes", 5),
        ("subject_attributes", 5),
        ("subject_attributes", 2),
        ("staff_users", 1),
    ]
    assert report.moved == {
        "subjects": 12,
        "requests": 12,
        "request_steps": 12,
        "request_answers": 12,
        "subject_attributes": 12,
        "staff_users": 1,
    }
    assert keys_in_use(rotating) == {both.active}
    assert rotate_all(rotating.session_factory, crypto).total == 0  # nothing left: idempotent

    new_only = only_active(both)
    after = container_with(db_url, new_only, clock)
    try:
        assert_everyone_readable(after, clock, 12)
    finally:
        after.close()
        rotating.close()


def test_lookups_match_rows_under_either_key_during_rotation(
    container: Container, clock: FakeClock, db_url: str, keyring_text: str
) -> None:
    seed(container, clock, 6)
    both = parse_keyring(keyring_text).with_fresh_active_key()
    rotating = container_with(db_url, both, clock)
    try:
        crypto = rotating.field_crypto()
        assert rotate_batch(rotating.session_factory, crypto, ENCRYPTED_TABLES[0], 3) == 3
        assert len(keys_in_use(rotating)) == 2
        # New writes use the new key while old rows are still to do.
        record_subject(rotating.uow(), clock, None, {IdentifierKind.EMAIL: email(99)}, who=WHO)
        assert_everyone_readable(rotating, clock, 6)
        found = find_subject(rotating.uow(), clock, None, IdentifierKind.EMAIL, email(99), who=WHO)
        assert found is not None
    finally:
        rotating.close()


def test_a_killed_rotation_resumes_and_finishes(
    container: Container, clock: FakeClock, db_url: str, keyring_text: str
) -> None:
    count = 20
    seed(container, clock, count)
    container.close()
    both = parse_keyring(keyring_text).with_fresh_active_key()
    env = {
        **os.environ,
        "SKYDD_DATABASE__URL": db_url,
        "SKYDD_KEYS__KEYRING": both.export_json(),
    }
    watcher = container_with(db_url, both, clock)
    try:
        command = [str(SKYDD), "keys", "rotate", "--batch-size", "4", "--pause", "0.5"]
        with subprocess.Popen(command, env=env, stderr=subprocess.PIPE) as process:
            moved = _wait_for_first_batch(watcher, both.active, process)
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        moved_before = moved_now(watcher, both.active)
        stale = stale_counts(watcher.session_factory, watcher.field_crypto())
        assert 0 < moved < count and stale["subjects"] == count - moved_before
        # Killed in the first table: the others are untouched.
        assert stale["requests"] == stale["request_answers"] == stale["subject_attributes"] == count

        # Killed half-way, the data is whole and readable.
        assert_everyone_readable(watcher, clock, count)

        finished = subprocess.run(
            [str(SKYDD), "keys", "rotate"], env=env, capture_output=True, text=True, timeout=120
        )
        assert finished.returncode == 0, finished.stderr
        assert f"to key {both.active}" in finished.stdout
        assert f"no row needs {parse_keyring(keyring_text).active} any more" in finished.stdout
        assert keys_in_use(watcher) == {both.active}
        usage = subprocess.run(
            [str(SKYDD), "keys", "usage"], env=env, capture_output=True, text=True, timeout=60
        )
        assert usage.stdout.splitlines() == [
            f"subjects\t{both.active}\t{count}",
            f"requests\t{both.active}\t{count}",
            f"request_steps\t{both.active}\t{count}",
            f"request_answers\t{both.active}\t{count}",
            f"subject_attributes\t{both.active}\t{count}",
            f"staff_users\t{both.active}\t1",
        ]
        # The subprocess ran on the real clock: search all time.
        since, until = (
            dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2200, 1, 1, tzinfo=dt.UTC),
        )
        events = export_audit(watcher.uow(), since, until, clock=clock)
        rotated = [e for e in events if e.action == AuditAction.KEYS_ROTATED]
        assert len(rotated) == 1  # the killed run recorded nothing
        assert rotated[0].details == {
            "subjects": count - moved_before,
            "requests": count,
            "request_steps": count,
            "request_answers": count,
            "subject_attributes": count,
            "staff_users": 1,
        }
    finally:
        watcher.close()

    new_only = only_active(both)
    after = container_with(db_url, new_only, clock)
    try:
        assert_everyone_readable(after, clock, count)
    finally:
        after.close()


def moved_now(container: Container, active: str) -> int:
    with container.session_factory() as session:
        found = session.scalar(
            select(func.count()).select_from(SubjectRow).where(SubjectRow.key_id == active)
        )
    return int(found or 0)


def _wait_for_first_batch(
    container: Container, active: str, process: subprocess.Popen[bytes]
) -> int:
    """Poll until a batch has committed (the run then pauses 0.5 s); the rows moved so far."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        moved = moved_now(container, active)
        if moved:
            return moved
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.02)
    raise AssertionError("the rotation never committed a batch")


def only_active(keyring: Keyring) -> Keyring:
    """``keyring`` with its old keys removed, as after retiring them (via the key file)."""
    document = json.loads(keyring.export_json())
    active = document["active"]
    return parse_keyring(json.dumps({"active": active, "keys": {active: document["keys"][active]}}))


def test_field_crypto_reports_the_active_key(keyring_text: str) -> None:
    keyring = parse_keyring(keyring_text)
    assert FieldCrypto.of(keyring).active_key == keyring.active
