"""What the staff console tests share: an app over Mestro's register, a browser-like client.

Holds no tests. :class:`Console` drives the console as a browser does: it reads the
CSRF token out of the page it was served, then posts the form; cookies live in the
test client's jar, so each :class:`Console` is one browser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import httpx2
from fastapi.testclient import TestClient

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.audit import AuditEvent, UnreadableEvent
from skydd.domain.credentials import StaffUser
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.staff import PASSWORD, add_staff

NEW_PASSWORD = "a new and longer passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SESSION_COOKIE = "skydd_session"
LOGIN_COOKIE = "skydd_login"


@dataclass
class Console:
    """One browser on the console: its own cookie jar, redirects not followed."""

    container: Container
    client: TestClient

    def token(self, path: str = "/console") -> str:
        """The CSRF token of the form on ``path``, as the page serves it."""
        page = self.client.get(path)
        assert page.status_code == 200, page.status_code
        found = CSRF.search(page.text)
        assert found is not None
        return found.group(1)

    def login(
        self,
        username: str = "anna",
        password: str = PASSWORD,
        *,
        totp_code: str = "",
        next_: str | None = None,
        token: str | None = None,
    ) -> httpx2.Response:
        """Post the sign-in form with the token of a freshly served sign-in page."""
        form = {
            "username": username,
            "password": password,
            "totp_code": totp_code,
            "csrf_token": token if token is not None else self.token("/console/login"),
        }
        if next_ is not None:
            form["next"] = next_
        return self.client.post("/console/login", data=form)

    def signed_in(self, username: str = "anna", password: str = PASSWORD) -> str:
        """Sign in; the session secret the browser now holds."""
        response = self.login(username, password)
        assert response.status_code == 303, response.text
        secret = self.session_secret()
        assert secret is not None
        return secret

    def plant(self, name: str, value: str) -> None:
        """Put a cookie in the jar as if the server had set it (``testserver`` is stored
        as ``testserver.local``; one name must not exist twice)."""
        self.client.cookies.set(name, value, domain="testserver.local", path="/")

    def session_secret(self) -> str | None:
        """The session cookie the browser holds, if any."""
        return self.client.cookies.get(SESSION_COOKIE)

    def events(self) -> list[AuditEvent]:
        """Every readable audit event, oldest first."""
        uow = self.container.uow()
        with uow:
            page = uow.audit.page(0, 10_000)
        return [e for e in page if not isinstance(e, UnreadableEvent)]

    def user(self, username: str = "anna") -> StaffUser:
        """The stored account."""
        with self.container.uow() as uow:
            user = uow.users.by_username(username)
        assert user is not None
        return user


def serve(container: Container, *, base_url: str = "http://testserver") -> TestClient:
    """The whole app in a test client that does not follow redirects."""
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    return TestClient(app, base_url=base_url, follow_redirects=False)


def open_console(container: Container, *, base_url: str = "http://testserver") -> Console:
    """Mestro's register stored, ``anna`` (dpo) and ``nils`` (no role) added, one browser."""
    store_register(container.uow(), container.clock, load_register(MESTRO), "m")
    add_staff(container, "anna", ("dpo",))
    add_staff(container, "nils", ())
    return Console(container, serve(container, base_url=base_url))


def another_browser(console: Console, *, base_url: str = "http://testserver") -> Console:
    """A second browser on the same app and database, with an empty cookie jar."""
    return Console(console.container, serve(console.container, base_url=base_url))


def set_cookie_headers(response: httpx2.Response) -> dict[str, str]:
    """The ``Set-Cookie`` headers of ``response`` by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}
