"""``/px/{token}.gif``: an open is recorded only under consent; every answer is the same (P9)."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.processing_limits import restriction
from skydd.domain.requests import RequestType
from skydd.domain.subjects import SubjectId
from skydd.services.consent import record_consent
from skydd.services.pixels import issue_pixel, record_open
from skydd.services.register import current_register, store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P9")

WHO = Who("cli:test", "test")
ANNA = {IdentifierKind.EMAIL: "anna.svensson@example.se"}
MAILING = "newsletter-2026-12"
UNKNOWN = "/px/AAAAAAAAAAAAAAAAAAAAAA.gif"


def consent(
    container: Container, status: ConsentStatus, *categories: str, purpose: str
) -> SubjectId:
    recorded = record_consent(
        container.uow(),
        container.clock,
        None,
        ANNA,
        ConsentChange(purpose, status, categories, CollectionMethod.BANNER),
        container.receipts,
        who=WHO,
    )
    return recorded.state.subject_id


@pytest.fixture
def mestro(container: Container, clock: FakeClock) -> Container:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    return container


@pytest.fixture
def client(mestro: Container) -> Iterator[TestClient]:
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(mestro, rate_limit=unlimited, intake_limit=unlimited)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def opens(container: Container, subject_id: SubjectId) -> list[str]:
    with container.uow() as uow:
        return [mailing for mailing, _ in uow.pixels.opens_of(subject_id)]


def audit_events(container: Container) -> list[AuditEvent]:
    with container.uow() as uow:
        return [e for e in uow.audit.page(0, 10_000) if isinstance(e, AuditEvent)]


def answer(response: httpx2.Response) -> tuple[int, bytes, dict[str, str]]:
    return response.status_code, response.content, dict(response.headers)


def test_with_consent_one_open_is_recorded_and_audited_by_pseudonym(
    client: TestClient, mestro: Container
) -> None:
    subject = consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
    token = issue_pixel(mestro.uow(), mestro.clock, None, subject, MAILING)
    before = len(audit_events(mestro))
    response = client.get(f"/px/{token}.gif")
    assert response.status_code == 200
    assert response.content[:6] == b"GIF89a" and len(response.content) == 43
    assert response.content[6:10] == b"\x01\x00\x01\x00"  # 1×1
    assert response.content[19:24] == b"\x21\xf9\x04\x01\x00"  # transparency on
    assert response.headers["content-type"] == "image/gif"
    assert response.headers["cache-control"] == "no-store, private"
    assert "set-cookie" not in response.headers and "etag" not in response.headers
    assert opens(mestro, subject) == [MAILING]
    [event] = audit_events(mestro)[before:]
    assert event.action == AuditAction.PERSONAL_DATA_CHANGED
    assert event.subject == f"subject:{subject}"
    assert dict(event.details) == {
        "change": "email-open",
        "mailing": MAILING,
        "purposes": "analytics",
    }
    assert token not in repr(event) and "anna" not in repr(event)
    # Each open is one more.
    client.get(f"/px/{token}.gif")
    assert opens(mestro, subject) == [MAILING, MAILING]


@pytest.mark.parametrize(
    "state",
    ["never", "withdrawn", "engagement-withdrawn", "refused", "restricted"],
)
def test_without_consent_nothing_is_recorded_and_the_answer_is_an_unknown_tokens(
    client: TestClient, mestro: Container, state: str
) -> None:
    subject = consent(mestro, ConsentStatus.GIVEN, purpose="newsletter")  # not analytics
    if state == "withdrawn":
        consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
        consent(mestro, ConsentStatus.WITHDRAWN, purpose="analytics")
    elif state == "engagement-withdrawn":  # P6: keeps analytics, but not e-mail engagement
        consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
        consent(mestro, ConsentStatus.WITHDRAWN, "email_engagement", purpose="analytics")
    elif state == "refused":
        consent(mestro, ConsentStatus.REFUSED, purpose="analytics")
    elif state == "restricted":  # Art. 18: consent stands, processing is stopped
        consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
        restrict(mestro)
    token = issue_pixel(mestro.uow(), mestro.clock, None, subject, MAILING)
    before = len(audit_events(mestro))
    assert answer(client.get(f"/px/{token}.gif")) == answer(client.get(UNKNOWN))
    assert opens(mestro, subject) == []
    assert len(audit_events(mestro)) == before
    with mestro.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM email_opens")).scalar_one() == 0


def restrict(container: Container) -> None:
    request, _ = receive_request(
        container.uow(),
        container.clock,
        None,
        Submission(RequestType.RESTRICTION, dict(ANNA)),
        who=WHO,
    )
    with container.uow() as uow:
        org_id = current_register(uow, None).organisation_id
        uow.limits.add(org_id, [restriction(request.id, container.clock.now())])
        uow.commit()


@pytest.mark.parametrize(
    "path",
    ["/px/x.gif", "/px/%2E%2E.gif", "/px/" + "A" * 500 + ".gif", "/px/ünïcode.gif"],
)
def test_malformed_tokens_get_the_same_answer(client: TestClient, path: str) -> None:
    assert answer(client.get(path)) == answer(client.get(UNKNOWN))


def test_a_token_is_random_and_only_its_hash_is_stored(
    client: TestClient, mestro: Container
) -> None:
    subject = consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
    tokens = [issue_pixel(mestro.uow(), mestro.clock, None, subject, MAILING) for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
        for derived in (str(subject), subject.hex, "anna", MAILING):
            assert derived not in token
    with mestro.engine.connect() as conn:
        rows = conn.execute(text("SELECT token_hash, mailing FROM mail_pixels")).all()
    assert sorted(r.token_hash for r in rows) == sorted(
        hashlib.sha256(f"mail-pixel:{t}".encode()).hexdigest() for t in tokens
    )
    stored = repr(rows)
    assert not any(token in stored for token in tokens)
    client.get(f"/px/{tokens[0]}.gif")
    with mestro.engine.connect() as conn:
        opened = repr(conn.execute(text("SELECT * FROM email_opens")).all())
    assert tokens[0] not in opened


def test_a_database_error_gets_the_same_answer(
    client: TestClient, mestro: Container, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subject = consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
    token = issue_pixel(mestro.uow(), mestro.clock, None, subject, MAILING)
    expected = answer(client.get(UNKNOWN))
    gone = tmp_path / "no-such-directory" / "skydd.db"
    broken = build_container(
        Settings(database=DatabaseSettings(url=f"sqlite:///{gone}")), clock=mestro.clock
    )
    try:
        app = create_app(broken, rate_limit=TokenBuckets(per_minute=math.inf))
        with (
            caplog.at_level(logging.ERROR),
            TestClient(app, raise_server_exceptions=False) as failing,
        ):
            assert answer(failing.get(f"/px/{token}.gif")) == expected
    finally:
        broken.close()
    assert "recording an e-mail open failed" in caplog.text
    assert token not in caplog.text


def test_the_second_organisations_pixel_serves_its_own_purpose(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(SECOND_ORG), "test")
    subject = consent(container, ConsentStatus.GIVEN, purpose="newsletter")
    token = issue_pixel(container.uow(), clock, None, subject, "spring-letter")
    assert record_open(container.uow(), clock, token)
    assert opens(container, subject) == ["spring-letter"]
    [event] = [e for e in audit_events(container) if e.details.get("change") == "email-open"]
    assert event.details["purposes"] == "newsletter"
    consent(container, ConsentStatus.WITHDRAWN, purpose="newsletter")
    assert not record_open(container.uow(), clock, token)
    assert opens(container, subject) == ["spring-letter"]


def test_a_pixel_is_issued_only_for_a_known_subject_and_a_plain_mailing_key(
    mestro: Container,
) -> None:
    subject = consent(mestro, ConsentStatus.GIVEN, purpose="analytics")
    with pytest.raises(InvalidInput, match="a mailing key is"):
        issue_pixel(mestro.uow(), mestro.clock, None, subject, "Anna's mail")
    with pytest.raises(NotFoundError, match="no such subject"):
        issue_pixel(mestro.uow(), mestro.clock, None, SubjectId(uuid.UUID(int=1)), MAILING)
