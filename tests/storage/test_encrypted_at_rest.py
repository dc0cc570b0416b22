"""Personal data at rest: the database file and a PostgreSQL dump hold no plaintext.

Known values are seeded through the services (so the audit log, indexes and every
other table are written as in production), then the raw SQLite file (with its WAL)
or the output of ``pg_dump`` is searched for each value, as text and as the hex
``pg_dump`` uses for ``bytea``. A column that stored plaintext would be found either way.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from skydd.bootstrap import Container
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.request_work import RequestStep, StepId, StepKind
from skydd.domain.requests import RequestType
from skydd.services.accounts import add_user, enroll_totp
from skydd.services.register import store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who, record_subject, set_attribute
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock

WHO = Who(actor="cli:tester", origin="cli")
PASSWORD = "correct horse battery staple"

SEEDED = {
    IdentifierKind.EMAIL: "Kerstin.Lindqvist@example.org",
    IdentifierKind.PHONE: "070-174 06 05",
    IdentifierKind.PERSONNUMMER: "19121212-1212",
}
NAME = "Kerstin Lindqvist"
FOOD = "Glutenfri kost, nötallergi"
COMPANY = "Lindqvists Snickeri AB"
COMPLAINT = "Min adress är fel: Storgatan 12 ska vara Lillgatan 3."

NEEDLES = (
    "kerstin.lindqvist@example.org",
    "Kerstin.Lindqvist",
    "+46701740605",
    "0701740605",
    "701740605",
    "191212121212",
    "1212121212",
    "Lindqvist",
    "nötallergi",
    "Glutenfri",
    "Snickeri",
    "Storgatan",
    "Lillgatan",
    "Rosenvägen",
)
"""The seeded values and their normalised forms and fragments."""


def seed(container: Container, clock: FakeClock) -> str:
    """Seed the known values and a staff member's TOTP secret; returns that secret."""
    store_register(container.uow(), clock, load_register(MESTRO), source="test")
    subject = record_subject(container.uow(), clock, None, dict(SEEDED), name=NAME, who=WHO)
    for category, value in (("food_preferences", FOOD), ("company", COMPANY)):
        set_attribute(container.uow(), clock, None, subject.id, category, value, who=WHO)
    request, _ = receive_request(
        container.uow(),
        clock,
        None,
        Submission(
            RequestType.RECTIFICATION,
            dict(SEEDED),
            name=NAME,
            details=COMPLAINT,
            corrections={"user.contact.address.street": "Rosenvägen 7"},
        ),
        who=WHO,
    )
    # What a request found and the file answering it hold the person's data too.
    step = RequestStep(StepId(uuid.uuid4()), request.id, "mestro_platform", StepKind.CONNECTOR)
    with container.uow() as uow:
        uow.work.add_steps([step])
        uow.work.save_step(step, json.dumps({"name": NAME, "company": COMPANY}))
        uow.work.save_answer(
            request.id,
            f"{NAME};{FOOD};{SEEDED[IdentifierKind.EMAIL]}".encode(),
            "hash",
            at=clock.now(),
            expires_at=clock.now() + dt.timedelta(days=7),
            downloads=3,
        )
        uow.commit()
    hasher = container.password_hasher
    add_user(container.uow(), clock, hasher, "kerstin", password=PASSWORD, actor="t", origin="t")
    return enroll_totp(container.uow(), clock, "kerstin", actor="t", origin="t")


def found_in(haystack: bytes, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """The needles present in ``haystack`` as UTF-8 text or as lowercase hex."""
    lowered = haystack.lower()
    return [
        needle
        for needle in needles
        if needle.encode().lower() in lowered or needle.encode().hex().encode() in lowered
    ]


def test_the_stored_database_holds_no_seeded_value(
    container: Container, clock: FakeClock, db_url: str
) -> None:
    totp_secret = seed(container, clock)
    container.close()
    stored = sqlite_bytes(db_url) if db_url.startswith("sqlite") else postgres_dump(db_url)
    assert b"subject_attributes" in stored and b"food_preferences" in stored  # really there
    assert found_in(stored) == []
    assert found_in(stored, (totp_secret, totp_secret[:12])) == []


def sqlite_bytes(db_url: str) -> bytes:
    """The database file and its WAL, as bytes."""
    path = Path(make_url(db_url).database or "")
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def postgres_dump(db_url: str) -> bytes:
    """``pg_dump`` of the whole database (schema and data)."""
    url = make_url(db_url)
    host, user = url.host or "127.0.0.1", url.username or "postgres"
    return subprocess.run(
        ["pg_dump", "-h", host, "-U", user, url.database or ""],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout


def test_the_needle_search_would_find_plaintext() -> None:
    """The search itself works: plaintext and bytea hex of a seeded value are both found."""
    assert found_in(b"x Kerstin Lindqvist y") == ["Lindqvist"]
    assert found_in(b"\\x" + b"191212121212".hex().encode()) == [
        "191212121212",
        "1212121212",
    ]
