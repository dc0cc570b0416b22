"""Forged console forms: 403, one ``access.denied`` event, and nothing else changed.

Each form (sign-in, sign-out, password change) is posted with a missing, made-up or
someone else's token; the answer is the error page (or problem+json when JSON is
asked for), the audit log grows by exactly one denial, the chain still verifies,
and the account and its sessions are as they were.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skydd.bootstrap import Container
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.services.audit import verify_audit
from tests.staff import PASSWORD, add_staff
from tests.web.test_console_support import (
    LOGIN_COOKIE,
    NEW_PASSWORD,
    Console,
    another_browser,
    open_console,
)

pytestmark = pytest.mark.promise("P12")

FORGED = "A" * 43


@pytest.fixture
def console(container: Container) -> Iterator[Console]:
    opened = open_console(container)
    yield opened
    opened.client.close()


def single_denial(console: Console, before: list[AuditEvent]) -> AuditEvent:
    after = console.events()
    assert len(after) == len(before) + 1
    assert after[: len(before)] == before
    denial = after[-1]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.details["reason"] == "invalid-csrf-token"
    assert verify_audit(console.container.uow()).ok
    return denial


@pytest.mark.parametrize("token", [None, "", FORGED, "not even base64 ✓"])
def test_a_forged_sign_in_form_signs_nobody_in(console: Console, token: str | None) -> None:
    console.token("/console/login")  # the browser has a sign-in cookie of its own
    before = console.events()
    form = {"username": "anna", "password": PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    response = console.client.post("/console/login", data=form)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "The form did not come from this site" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert console.session_secret() is None
    denial = single_denial(console, before)
    assert denial.actor == "anonymous"
    assert denial.target == "route:POST /console/login"
    assert dict(denial.details) == {
        "reason": "invalid-csrf-token",
        "route": "POST /console/login",
    }
    assert console.user().last_login_at is None
    assert console.user().failed_attempts == 0


def test_a_sign_in_token_only_works_with_its_own_cookie(console: Console) -> None:
    token = console.token("/console/login")
    attacker = another_browser(console)
    attacker.token("/console/login")  # a valid cookie, but for another nonce
    before = console.events()
    assert attacker.login(token=token).status_code == 403
    single_denial(console, before)
    cookieless = another_browser(console)
    assert cookieless.login(token=token).status_code == 403
    console.client.cookies.delete(LOGIN_COOKIE)
    assert console.login(token=token).status_code == 403


def test_a_forged_password_change_changes_nothing(console: Console) -> None:
    secret = console.signed_in()
    password_hash = console.user().password_hash
    before = console.events()
    response = console.client.post(
        "/console/password",
        data={
            "csrf_token": FORGED,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    denial = single_denial(console, before)
    assert denial.actor == console.user().actor_id
    assert denial.details["route"] == "POST /console/password"
    assert console.user().password_hash == password_hash
    assert console.session_secret() == secret
    assert console.client.get("/console").status_code == 200


def test_a_token_of_another_session_is_refused(console: Console) -> None:
    add_staff(console.container, "bo", ("support",))
    console.signed_in()
    anna_token = console.token("/console")
    bo = another_browser(console)
    bo.signed_in("bo")
    before = console.events()
    response = bo.client.post("/console/logout", data={"csrf_token": anna_token})
    assert response.status_code == 403
    assert single_denial(console, before).actor == bo.user("bo").actor_id
    assert bo.client.get("/console").status_code == 200  # still signed in


def test_a_forged_sign_out_keeps_the_session(console: Console) -> None:
    console.signed_in()
    before = console.events()
    response = console.client.post("/console/logout", data={})
    assert response.status_code == 403
    single_denial(console, before)
    assert console.client.get("/console").status_code == 200


def test_a_json_client_gets_a_problem_document(console: Console) -> None:
    console.signed_in()
    before = console.events()
    response = console.client.post(
        "/console/logout",
        data={"csrf_token": FORGED},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://skydd.dev/problems/csrf-token-invalid"
    assert problem["status"] == 403
    assert problem["title"] == "Access denied"
    single_denial(console, before)


def test_a_refusal_page_is_in_the_readers_language(console: Console) -> None:
    console.signed_in()
    response = console.client.post("/console/logout?lang=sv", data={"csrf_token": FORGED})
    assert response.status_code == 403
    assert "Formuläret kom inte från den här webbplatsen" in response.text
    assert "Tillbaka till personalkonsolen" in response.text
