"""A database that is busy or unreachable is a 503 to retry, never a 500 or half a write."""

from __future__ import annotations

import math
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.staff import dpo_headers

ANNA = "anna.svensson@example.se"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_write_locked_database_answers_503_with_retry_after(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "test")
    headers = dpo_headers(container)
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    body = {"email": ANNA, "purpose": "newsletter", "status": "given"}
    database = container.engine.url.database
    assert database is not None
    with TestClient(app, raise_server_exceptions=False) as client:
        # Another process holds SQLite's write lock past skydd's busy timeout.
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            busy = client.post("/api/v1/consents", headers=headers, json=body)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "1"
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["type"].endswith("database-unavailable")
        assert "anna" not in busy.text.lower() and "INSERT" not in busy.text
        with container.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM consent_events")).scalar_one() == 0
        again = client.post("/api/v1/consents", headers=headers, json=body)
        assert again.status_code == 201, again.text
