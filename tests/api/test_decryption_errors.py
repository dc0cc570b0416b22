"""Undecryptable data and a broken keyring are skydd's fault: 500, logged, nothing leaked.

A field token that no longer decrypts (altered, or made under a key the keyring
lacks) and a missing or malformed keyring say nothing about the request, so the
answer is a generic 500 problem naming only the error code and an incident id; the
operator finds the message (a key id or a file, never personal data) in the log under
that incident. Bad input keeps its 400.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from skydd.api import problems
from skydd.api.log_hygiene import redact
from skydd.api.problems import PROBLEM_BASE, PROBLEM_JSON, install_problem_handlers, status_of
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.errors import DecryptionError, InternalError, InvalidInput, KeyringError
from skydd.storage import encryption, keyring
from skydd.storage.encryption import FieldCipher, row_context
from skydd.storage.keyring import KeyId, Keyring, load_keyring
from skydd.web.errors import http_status_for

pytestmark = pytest.mark.promise("P16")

EMAIL = "anna@example.com"
ROTATED_OUT = KeyId("k-2025-retired")
"""The key a stored token was made under, which the keyring no longer holds."""


def _stored_token() -> bytes:
    """A subject's e-mail, encrypted under a key that has since left the keyring."""
    old = FieldCipher(Keyring({ROTATED_OUT: bytes(range(32))}, ROTATED_OUT))
    return old.encrypt(
        EMAIL,
        category="user.contact.email",
        sensitive=False,
        context=row_context("subjects", "email", "0b6f0c1e-0000-4000-8000-000000000001"),
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A small app on the API's own handlers, with routes that fail as the storage would."""
    app = FastAPI()
    install_problem_handlers(app)
    token = _stored_token()
    current = FieldCipher(Keyring({KeyId("k-2026"): bytes(range(32, 64))}, KeyId("k-2026")))

    @app.get("/subject-email")
    def subject_email() -> str:
        return current.decrypt(
            token,
            category="user.contact.email",
            sensitive=False,
            context=row_context("subjects", "email", "0b6f0c1e-0000-4000-8000-000000000001"),
        )

    @app.get("/keys")
    def keys() -> str:
        return load_keyring(None, None).active

    @app.get("/bad-input")
    def bad_input() -> str:
        raise InvalidInput("a reference is BR-YYYY-NNN")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _assert_internal(response: httpx2.Response, code: str) -> str:
    """Check the generic 500 problem and return its incident id."""
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    incident = body["incident"]
    assert body == {
        "type": PROBLEM_BASE + code,
        "title": "Internal error",
        "status": 500,
        "detail": f"internal error, incident {incident}",
        "incident": incident,
    }
    return str(incident)


def test_a_token_under_a_missing_key_is_a_500_naming_neither_key_nor_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=problems.logger.name):
        response = client.get("/subject-email")
    incident = _assert_internal(response, "decryption-failed")
    assert ROTATED_OUT not in response.text
    assert EMAIL not in response.text
    [logged] = [r for r in caplog.records if r.name == problems.logger.name]
    text = caplog.text
    assert incident in logged.getMessage()
    assert "decryption-failed" in logged.getMessage()
    assert ROTATED_OUT in logged.getMessage()  # the operator learns which key is missing
    assert EMAIL not in text


def test_an_altered_token_is_a_500() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    cipher = FieldCipher(Keyring({ROTATED_OUT: bytes(range(32))}, ROTATED_OUT))
    altered = bytearray(_stored_token())
    altered[-1] ^= 1

    @app.get("/altered")
    def read_altered() -> str:
        context = row_context("subjects", "email", "0b6f0c1e-0000-4000-8000-000000000001")
        return cipher.decrypt(
            bytes(altered), category="user.contact.email", sensitive=False, context=context
        )

    with TestClient(app, raise_server_exceptions=False) as other:
        _assert_internal(other.get("/altered"), "decryption-failed")


def test_a_missing_keyring_at_request_time_is_a_500(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=problems.logger.name):
        response = client.get("/keys")
    incident = _assert_internal(response, "keyring-invalid")
    assert "SKYDD_KEYS" not in response.text
    assert incident in caplog.text
    assert "no keys configured" in caplog.text


def test_bad_input_stays_a_400_with_its_message(client: TestClient) -> None:
    response = client.get("/bad-input")
    assert response.status_code == 400
    assert response.json()["detail"] == "a reference is BR-YYYY-NNN"


def test_the_real_app_answers_500_when_a_route_meets_a_broken_keyring(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise KeyringError("cannot read the key file /etc/skydd/keys.json")

    monkeypatch.setattr("skydd.api.routers.register.current_register", broken)
    with TestClient(create_app(container), raise_server_exceptions=False) as app_client:
        response = app_client.get("/api/v1/register")
    _assert_internal(response, "keyring-invalid")
    assert "/etc/skydd" not in response.text


@pytest.mark.parametrize(
    "error",
    [DecryptionError("key k1"), KeyringError("no keys configured"), InternalError("x")],
    ids=lambda e: type(e).__name__,
)
def test_api_and_web_map_internal_errors_to_500(error: InternalError) -> None:
    assert status_of(error) == (500, "Internal error")
    assert http_status_for(error) == 500


def test_the_storage_modules_still_export_the_moved_classes() -> None:
    assert encryption.DecryptionError is DecryptionError
    assert keyring.KeyringError is KeyringError
    assert not issubclass(KeyringError, InvalidInput)


def test_incident_ids_are_never_mistaken_for_personal_data_by_the_log_filter() -> None:
    """An id of hex digits could read as a phone number and be redacted from the log."""
    ids = {problems.new_incident() for _ in range(5000)}
    assert len(ids) == 5000
    assert all(redact(f"incident {i}") == f"incident {i}" for i in ids)
