"""The staff console in real Chromium: sign in, see the home page, sign out (P12).

skydd runs under uvicorn on 127.0.0.1 (``serving`` from the embed test); the browser
asks for Swedish. The cookies the browser keeps are checked as the browser sees
them (HttpOnly, SameSite), and after signing out the console asks to sign in again.
A screenshot of the home page is saved to ``tests/web/artifacts/console.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from skydd.asgi import create_app
from skydd.bootstrap import build_container
from skydd.config import DatabaseSettings, Settings
from skydd.services.register import store_register
from skydd.storage import migrator
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.staff import PASSWORD, add_staff
from tests.web.browsing import ARTIFACTS, serving
from tests.web.test_console_support import SESSION_COOKIE

pytestmark = [pytest.mark.browser, pytest.mark.promise("P12")]


@pytest.fixture
def skydd_url(tmp_path: Path) -> Iterator[str]:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}"))
    container = build_container(settings, clock=FakeClock())
    migrator.upgrade(container.engine)
    store_register(container.uow(), container.clock, load_register(MESTRO), "m")
    add_staff(container, "anna", ("dpo",))
    with serving(create_app(container)) as url:
        yield url
    container.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 900, "height": 900})
    yield context.new_page()
    context.close()


def test_sign_in_see_the_home_page_and_sign_out(page: Page, skydd_url: str) -> None:
    page.goto(f"{skydd_url}/console")
    assert page.url.startswith(f"{skydd_url}/console/login?next=")
    assert page.locator("h1").inner_text() == "Logga in i personalkonsolen"

    page.fill("#username", "anna")
    page.fill("#password", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(f"{skydd_url}/console")

    assert page.locator("dd.username").inner_text() == "anna"
    assert "Dataskyddsombud" in page.locator("section.roles").inner_text()
    assert "Läsa och kontrollera granskningsloggen" in page.locator("section.rights").inner_text()
    [cookie] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    assert page.evaluate("document.cookie") == ""  # no script can read either cookie
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "console.png", full_page=True)

    page.click("header.console button[type=submit]")
    page.wait_for_url(f"{skydd_url}/console/login?lang=sv")
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []

    # The old session is revoked on the server: putting the cookie back does not help.
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": cookie["value"], "url": skydd_url}])
    page.goto(f"{skydd_url}/console")
    assert page.url.startswith(f"{skydd_url}/console/login?next=")
