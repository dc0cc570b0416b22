"""Signing in to the staff console: one message for every failure, lockout, TOTP,
a new session id at sign-in, no open redirect, and the forced password change."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from skydd.bootstrap import Container
from skydd.domain.audit import AuditAction
from skydd.domain.credentials import totp_code
from skydd.services.accounts import disable_user, enroll_totp
from tests.fakes import FakeClock
from tests.staff import PASSWORD, add_staff
from tests.web.test_console_support import (
    NEW_PASSWORD,
    SESSION_COOKIE,
    Console,
    another_browser,
    open_console,
)

pytestmark = pytest.mark.promise("P12")


@pytest.fixture
def console(container: Container) -> Iterator[Console]:
    opened = open_console(container)
    yield opened
    opened.client.close()


def test_the_sign_in_page_speaks_swedish_and_english(console: Console) -> None:
    swedish = console.client.get("/console/login?lang=sv")
    english = console.client.get("/console/login", headers={"Accept-Language": "en-GB"})
    assert swedish.status_code == english.status_code == 200
    assert "Logga in i personalkonsolen" in swedish.text
    assert '<html lang="sv">' in swedish.text
    assert "Sign in to the staff console" in english.text
    assert 'action="/console/login?lang=sv"' in swedish.text
    unknown = console.client.get("/console/login?lang=xx", headers={"Accept-Language": "sv"})
    assert unknown.status_code == 400
    assert "Kontrollera adressen och försök igen." in unknown.text
    assert "lang=xx" not in unknown.text


def test_signing_in_lands_on_the_home_page_with_roles_and_rights(console: Console) -> None:
    response = console.login()
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    home = console.client.get("/console?lang=en")
    assert home.status_code == 200
    assert '<dd class="username">anna</dd>' in home.text
    assert "Data protection officer" in home.text
    assert "Read and verify the audit log" in home.text  # dpo may audit.read
    assert "Manage staff accounts" not in home.text  # … but not users.manage
    assert "Personal data, by purpose" in home.text
    swedish = console.client.get("/console?lang=sv")
    assert "Dataskyddsombud" in swedish.text
    assert "Vad dina roller tillåter" in swedish.text
    signed_in = [e for e in console.events() if e.action == AuditAction.LOGIN_SUCCEEDED]
    assert [(e.actor, e.origin) for e in signed_in] == [(console.user().actor_id, "console")]


def test_every_failed_sign_in_looks_the_same(console: Console, clock: FakeClock) -> None:
    add_staff(console.container, "bo", ("support",))
    disable_user(console.container.uow(), clock, "bo", actor="cli:test", origin="cli")
    token = console.token("/console/login")
    attempts = {
        "unknown user": console.login("nobody.here@example.com", PASSWORD, token=token),
        "wrong password": console.login("anna", "not the password at all", token=token),
        "disabled user": console.login("bo", PASSWORD, token=token),
        "empty form": console.login("", "", token=token),
    }
    bodies = {response.text for response in attempts.values()}
    assert {r.status_code for r in attempts.values()} == {422}
    assert len(bodies) == 1
    [body] = bodies
    assert "Sign-in failed. Check your user name, password and code." in body
    assert "nobody.here@example.com" not in body
    assert console.session_secret() is None
    reasons = [e.details["reason"] for e in console.events() if e.action == "login.failed"]
    assert reasons == ["unknown-user", "bad-password", "disabled", "unknown-user"]


@pytest.mark.parametrize("username", ["a" * 10_000, "anna\n", "ännä 🙂"])
def test_a_name_no_account_can_have_fails_like_any_other(console: Console, username: str) -> None:
    token = console.token("/console/login")
    expected = console.login("nobody", PASSWORD, token=token)
    response = console.login(username, PASSWORD, token=token)
    assert response.status_code == 422
    assert response.text == expected.text
    assert console.events()[-1].details["reason"] == "unknown-user"


def test_a_nul_in_the_form_is_refused_at_the_edge(console: Console) -> None:
    """PostgreSQL cannot take NUL: the edge refuses it before the sign-in runs at all."""
    token = console.token("/console/login")
    before = len(console.events())
    response = console.login("an\x00na", PASSWORD, token=token)
    assert response.status_code == 400
    assert response.json()["type"].endswith("/nul-character")
    assert len(console.events()) == before


def test_repeated_failures_lock_the_account_behind_the_same_message(
    console: Console, clock: FakeClock
) -> None:
    token = console.token("/console/login")
    wrong = [console.login("anna", f"wrong password {i}", token=token) for i in range(5)]
    locked = console.login("anna", PASSWORD, token=token)
    assert [r.status_code for r in wrong] == [422] * 5
    assert locked.status_code == 422
    assert locked.text == wrong[0].text
    assert console.session_secret() is None
    assert console.events()[-1].details["reason"] == "locked"
    clock.advance(minutes=15)
    assert console.login("anna", PASSWORD, token=token).status_code == 303


def test_an_enrolled_second_factor_is_required(console: Console, clock: FakeClock) -> None:
    secret = enroll_totp(console.container.uow(), clock, "anna", actor="cli:test", origin="cli")
    assert console.login().status_code == 422
    wrong = "000000" if totp_code(secret, clock.now()) != "000000" else "111111"
    assert console.login(totp_code=wrong).status_code == 422
    assert console.events()[-1].details["reason"] == "bad-totp"
    response = console.login(totp_code=totp_code(secret, clock.now()))
    assert response.status_code == 303
    assert console.client.get("/console").status_code == 200


def test_the_session_id_changes_at_sign_in(console: Console) -> None:
    planted = "F" * 43  # an id an attacker set in the victim's browser
    console.plant(SESSION_COOKIE, planted)
    first = console.signed_in()
    assert first != planted
    second = console.signed_in()  # signing in again while signed in
    assert second != first
    stale = another_browser(console)
    stale.plant(SESSION_COOKIE, first)
    assert stale.client.get("/console").status_code == 303  # the replaced session is gone
    assert console.client.get("/console").status_code == 200


def test_a_page_asked_for_without_a_session_comes_back_after_sign_in(console: Console) -> None:
    refused = console.client.get("/console/password?lang=sv")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/console/login?next=" + quote(
        "/console/password?lang=sv", safe=""
    )
    as_json = console.client.get("/console", headers={"Accept": "application/json"})
    assert as_json.status_code == 401
    assert as_json.headers["content-type"] == "application/problem+json"
    assert as_json.json()["type"].endswith("/not-signed-in")
    response = console.login(next_="/console/password?lang=sv")
    assert response.headers["location"] == "/console/password?lang=sv"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/console",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/console",
        "javascript:alert(1)",
        "/policy",
        "/consolex",
        "/console/../policy",
        "/console//evil.example",
        "/console\r\nLocation: https://evil.example/",
        " /console",
        "",
    ],
)
def test_sign_in_never_redirects_off_the_console(console: Console, target: str) -> None:
    response = console.login(next_=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"


def test_a_one_time_password_must_be_changed_before_anything_else(console: Console) -> None:
    one_time = add_staff(console.container, "otto", ("auditor",), password=None)
    assert one_time is not None
    response = console.login("otto", one_time)
    assert response.headers["location"] == "/console/password"
    assert console.client.get("/console").headers["location"] == "/console/password"
    form = console.client.get("/console/password?lang=en")
    assert form.status_code == 200
    assert "Choose a new password before you continue." in form.text
    token = console.token("/console/password")
    changed = console.client.post(
        "/console/password",
        data={
            "csrf_token": token,
            "current_password": one_time,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/console"
    assert not console.user("otto").must_change_password
    assert console.client.get("/console").status_code == 200


def test_a_refused_new_password_says_why_in_the_readers_language(console: Console) -> None:
    console.signed_in()
    before = console.user().password_hash
    token = console.token("/console/password")
    form = {"csrf_token": token, "current_password": PASSWORD}
    mismatch = console.client.post(
        "/console/password?lang=sv",
        data=form | {"new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD + "!"},
    )
    short = console.client.post(
        "/console/password?lang=en", data=form | {"new_password": "short", "confirmation": "short"}
    )
    wrong = console.client.post(
        "/console/password?lang=en",
        data=form
        | {
            "current_password": "not it",
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert mismatch.status_code == short.status_code == wrong.status_code == 422
    assert "De två nya lösenorden är olika." in mismatch.text
    assert "The new password needs at least 12 characters." in short.text
    assert "Your current password or code was not accepted." in wrong.text
    assert console.user().password_hash == before
    assert console.login().status_code == 303  # the old password still works


def test_changing_the_password_signs_out_everywhere_else(console: Console) -> None:
    laptop = console.signed_in()
    phone = another_browser(console)
    phone.signed_in()
    token = console.token("/console/password")
    response = console.client.post(
        "/console/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert console.session_secret() not in {None, laptop}
    assert console.client.get("/console").status_code == 200
    assert phone.client.get("/console").status_code == 303
    assert console.login(password=NEW_PASSWORD).status_code == 303
