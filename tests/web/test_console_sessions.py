"""Console sessions over HTTP: cookie attributes, idle and absolute expiry on the fake
clock, sign-out on the server, disabled accounts, headers, and authorisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from skydd.bootstrap import Container, build_container
from skydd.config import ConsoleSettings, ServerSettings, Settings
from skydd.domain.audit import AuditAction
from skydd.services.accounts import disable_user
from skydd.services.sessions import secret_hash
from skydd.storage.tables import StaffSessionRow
from tests.fakes import FakeClock
from tests.staff import PASSWORD, add_staff
from tests.web.test_console_support import (
    CSRF,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Console,
    another_browser,
    open_console,
    set_cookie_headers,
)

pytestmark = pytest.mark.promise("P12")


@pytest.fixture
def console(container: Container) -> Iterator[Console]:
    opened = open_console(container)
    yield opened
    opened.client.close()


def attributes(header: str) -> dict[str, str]:
    """A ``Set-Cookie`` header's attributes, lower-cased names, the cookie pair left out."""
    _, *parts = (p.strip() for p in header.split(";"))
    return {name.lower(): value for name, _, value in (p.partition("=") for p in parts if p)}


def test_cookies_over_http_are_http_only_lax_and_named_plainly(console: Console) -> None:
    page = console.client.get("/console/login")
    login_cookie = set_cookie_headers(page)[LOGIN_COOKIE]
    response = console.login()
    session_cookie = set_cookie_headers(response)[SESSION_COOKIE]
    for header in (login_cookie, session_cookie):
        assert attributes(header) == {"httponly": "", "path": "/", "samesite": "lax"}
    secret = console.session_secret()
    assert secret is not None
    assert session_cookie.startswith(f"{SESSION_COOKIE}={secret};")
    assert len(secret) == 43
    assert "anna" not in session_cookie
    # Signing in ends the sign-in form's cookie.
    assert attributes(set_cookie_headers(response)[LOGIN_COOKIE])["max-age"] == "0"


@pytest.fixture
def https_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"server": ServerSettings(public_url="https://privacy.example.com")}
    )


def test_an_https_public_url_makes_cookies_secure_and_host_only(
    https_settings: Settings, clock: FakeClock
) -> None:
    container = build_container(https_settings, clock=clock)
    console = open_console(container)  # TLS ends at a proxy: the request arrives over http
    secure = {"httponly": "", "path": "/", "samesite": "lax", "secure": ""}
    try:
        page = console.client.get("/console/login")
        login_cookie = set_cookie_headers(page)["__Host-" + LOGIN_COOKIE]
        assert attributes(login_cookie) == secure
        found = CSRF.search(page.text)
        assert found is not None
        response = console.client.post(
            "/console/login",
            data={"username": "anna", "password": PASSWORD, "csrf_token": found.group(1)},
            # The browser would send the Secure cookie to the https proxy; pass it on.
            headers={"Cookie": login_cookie.split(";")[0]},
        )
        assert response.status_code == 303
        cookies = set_cookie_headers(response)
        assert attributes(cookies["__Host-" + SESSION_COOKIE]) == secure
        assert SESSION_COOKIE not in cookies
    finally:
        console.client.close()
        container.close()


def test_an_https_request_gets_host_prefixed_secure_cookies_that_work(
    container: Container,
) -> None:
    console = open_console(container, base_url="https://testserver")
    try:
        response = console.login()
        assert response.status_code == 303
        session_cookie = set_cookie_headers(response)["__Host-" + SESSION_COOKIE]
        assert attributes(session_cookie) == {
            "httponly": "",
            "path": "/",
            "samesite": "lax",
            "secure": "",
        }
        assert SESSION_COOKIE not in set_cookie_headers(response)
        home = console.client.get("/console")
        assert home.status_code == 200
        assert home.headers["strict-transport-security"].startswith("max-age=")
    finally:
        console.client.close()


def test_an_idle_session_ends_and_use_keeps_it_alive(console: Console, clock: FakeClock) -> None:
    console.signed_in()
    clock.advance(minutes=29)
    assert console.client.get("/console").status_code == 200
    clock.advance(minutes=29)
    assert console.client.get("/console").status_code == 200
    clock.advance(minutes=30)
    response = console.client.get("/console")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_a_busy_session_still_ends_after_twelve_hours(console: Console, clock: FakeClock) -> None:
    console.signed_in()
    for _ in range(24):  # 24 x 29 min = 11 h 36 min
        clock.advance(minutes=29)
        assert console.client.get("/console").status_code == 200
    clock.advance(minutes=24)
    assert console.client.get("/console").status_code == 303


def test_the_timeouts_come_from_the_settings(settings: Settings, clock: FakeClock) -> None:
    tight = settings.model_copy(
        update={"console": ConsoleSettings(idle_timeout_minutes=5, lifetime_hours=1)}
    )
    container = build_container(tight, clock=clock)
    console = open_console(container)
    try:
        console.signed_in()
        clock.advance(minutes=4)
        assert console.client.get("/console").status_code == 200
        clock.advance(minutes=5)
        assert console.client.get("/console").status_code == 303
    finally:
        console.client.close()
        container.close()


def test_sign_out_revokes_the_session_on_the_server(console: Console, clock: FakeClock) -> None:
    secret = console.signed_in()
    token = console.token("/console")
    response = console.client.post("/console/logout?lang=sv", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?lang=sv"
    assert attributes(set_cookie_headers(response)[SESSION_COOKIE])["max-age"] == "0"
    assert console.session_secret() is None
    # The old cookie, replayed by anyone, no longer signs anyone in.
    replay = another_browser(console)
    replay.plant(SESSION_COOKIE, secret)
    assert replay.client.get("/console").status_code == 303
    with console.container.session_factory() as db:
        row = db.scalar(
            select(StaffSessionRow).where(
                StaffSessionRow.secret_hash == secret_hash(console.container.token_hasher, secret)
            )
        )
    assert row is not None
    assert row.revoked_at == clock.now()
    assert console.events()[-1].action == AuditAction.LOGOUT
    # Signing out without a session just goes back to the sign-in page.
    assert replay.client.post("/console/logout", data={}).status_code == 303


def test_a_disabled_accounts_session_stops_working(console: Console, clock: FakeClock) -> None:
    console.signed_in()
    assert console.client.get("/console").status_code == 200
    disable_user(console.container.uow(), clock, "anna", actor="cli:test", origin="cli")
    assert console.client.get("/console").status_code == 303
    assert console.login().status_code == 422


def test_console_responses_are_never_framed_or_stored(console: Console) -> None:
    answers = [console.client.get("/console"), console.client.get("/console/login")]
    console.signed_in()
    answers += [console.client.get("/console"), console.client.get("/console/password")]
    answers.append(console.client.post("/console/logout", data={"csrf_token": "x"}))
    assert [a.status_code for a in answers] == [303, 200, 200, 200, 403]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    for page in answers[1:]:
        assert page.headers["x-frame-options"] == "DENY"


def test_a_role_that_does_not_allow_the_page_is_refused_and_audited(console: Console) -> None:
    console.signed_in("nils")  # an account without any role
    before = console.events()
    response = console.client.get("/console?lang=en")
    assert response.status_code == 403
    assert "Your roles do not allow this." in response.text
    after = console.events()
    assert len(after) == len(before) + 1
    denial = after[-1]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.actor == console.user("nils").actor_id
    assert denial.organisation == "mestro"
    assert dict(denial.details) == {
        "action": "register.read",
        "reason": "no-roles",
        "route": "GET /console",
    }
    # Pages for any signed-in account still work: the password page.
    assert console.client.get("/console/password").status_code == 200
    as_json = console.client.get("/console", headers={"Accept": "application/json"})
    assert as_json.status_code == 403
    assert as_json.json()["type"] == "https://skydd.dev/problems/access-denied"


@pytest.mark.parametrize("role", ["admin", "support", "hr", "marketing", "auditor", "read_only"])
def test_every_built_in_role_sees_its_own_home_page(console: Console, role: str) -> None:
    add_staff(console.container, f"{role}-user", (role,))
    console.signed_in(f"{role}-user")
    home = console.client.get("/console?lang=en")
    assert home.status_code == 200
    assert f"<code>{role}</code>" in home.text
    assert "Read the register" in home.text


def test_a_session_cookie_never_reaches_the_audit_log(console: Console) -> None:
    secret = console.signed_in()
    console.client.post("/console/logout", data={"csrf_token": "forged"})
    assert secret not in repr(console.events())
