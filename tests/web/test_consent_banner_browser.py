"""The cookie banner in real Chromium, on a site of another origin (P9, issue 6 item 5).

skydd runs under uvicorn on one 127.0.0.1 port, an example shop on a second that loads
``/consent.js`` and marks its analytics script ``type="text/plain"
data-category="analytics"``, and the analytics vendor on a third, counting what it is
asked for: its script sets ``window.analyticsRan`` and sends a beacon home. Nothing may
reach the vendor before consent; Global Privacy Control is a refusal, recorded.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, Request, Response
from pydantic import SecretStr

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, EmbedSettings, KeySettings, ServerSettings, Settings
from skydd.documents.localisation import localisation
from skydd.domain.banner import banner_of, banner_version
from skydd.domain.consent import CollectionMethod, ConsentEvent, ConsentStatus
from skydd.services.register import current_register, store_register
from skydd.storage import migrator
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.factories import replace_item
from tests.fakes import FakeClock
from tests.web.banner_sites import Site
from tests.web.browsing import ARTIFACTS, free_socket, serving_on
from tests.web.conftest import publish

pytestmark = [pytest.mark.browser, pytest.mark.promise("P9")]

MAX_GZIPPED = 8192
"""Issue 6: the banner with its styles and both languages, gzipped, at most 8 KB."""
RECORDING = "/api/v1/consent/banner"
ANALYTICS = "window.analyticsRan === true"
DEEP_FOCUS = """() => {
  let at = document.activeElement;
  while (at && at.shadowRoot && at.shadowRoot.activeElement) at = at.shadowRoot.activeElement;
  return at ? (at.getAttribute("name") || at.textContent.trim()) : null;
}"""
"""What has keyboard focus, looking into the banner's shadow root: a name or a label."""
GPC_ON = """Object.defineProperty(Navigator.prototype, "globalPrivacyControl",
  { get: () => true, configurable: true });"""


@dataclass
class World:
    """skydd, the shop that embeds its banner and the analytics vendor, each on its own port."""

    skydd: str
    shop: Site
    vendor: Site
    container: Container
    seen: list[str] = field(default_factory=list)

    def page(self, lang: str = "en") -> None:
        self.shop.serve(
            "/",
            "text/html",
            f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Example shop</title>
<script src="{self.skydd}/consent.js"></script>
<script type="text/plain" data-category="analytics" src="{self.vendor.origin}/analytics.js">
</script></head>
<body><h1>Example shop</h1>
<p><a href="#" data-skydd-consent-open>Cookie settings</a></p></body></html>""",
        )

    def events(self) -> list[ConsentEvent]:
        uow = self.container.uow()
        with uow:
            org_id = current_register(uow, None).organisation_id
            return list(uow.consents.events(org_id))

    def vendor_requests(self) -> list[str]:
        return [url for url in self.seen if url.startswith(self.vendor.origin)]


@pytest.fixture
def world(tmp_path: Path, keyring_text: str) -> Iterator[World]:
    shop, vendor = Site(), Site()
    vendor.serve(
        "/analytics.js",
        "text/javascript",
        f'window.analyticsRan = true; new Image().src = "{vendor.origin}/beacon.gif";',
    )
    sock = free_socket()
    skydd = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}"),
        keys=KeySettings(keyring=SecretStr(keyring_text)),
        embed=EmbedSettings(allowed_origins=[shop.origin]),
        server=ServerSettings(public_url=skydd),
    )
    container = build_container(settings, clock=FakeClock())
    migrator.upgrade(container.engine)
    publish(container, MESTRO)
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    world = World(skydd, shop, vendor, container)
    world.page()
    with serving_on(app, sock):
        yield world
    container.close()
    shop.close()
    vendor.close()


def open_page(context: BrowserContext, world: World) -> Page:
    page = context.new_page()

    def note(request: Request) -> None:
        world.seen.append(request.url)

    page.on("request", note)
    return page


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 800})
    yield made
    made.close()


def recording(response: Response) -> bool:
    """The answer to the banner's recording request (``page.expect_response``)."""
    return response.url.endswith(RECORDING) and response.request.method == "POST"


def test_nothing_reaches_the_vendor_before_a_choice_and_accept_runs_it(
    context: BrowserContext, world: World
) -> None:
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    banner = page.get_by_role("region", name="We use cookies")
    banner.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.analyticsRan") is None
    assert world.vendor_requests() == []
    assert world.vendor.requests() == 0
    assert [u for u in world.seen if u.endswith(RECORDING)] == []
    assert world.events() == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "consent-banner.png")

    with page.expect_response(recording) as response:
        page.get_by_role("button", name="Accept all").click()
    assert response.value.status == 200
    page.wait_for_function(ANALYTICS)
    page.wait_for_function(
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/beacon.gif'))"
    )
    assert world.vendor.hits["/analytics.js"] == 1
    assert world.vendor.hits["/beacon.gif"] == 1
    assert banner.count() == 0
    [event] = world.events()
    assert (event.purpose, event.status, event.method) == (
        "analytics",
        ConsentStatus.GIVEN,
        CollectionMethod.BANNER,
    )
    assert re.fullmatch(r"banner:[0-9a-f]{12}", event.notice_id)
    assert event.source == world.shop.origin
    assert event.policy_version == 1

    page.reload()
    page.wait_for_function(ANALYTICS)
    assert page.get_by_role("region", name="We use cookies").count() == 0
    assert len(world.events()) == 1  # the stored choice is not sent again


def test_reject_keeps_the_vendor_blocked_across_a_reload(
    context: BrowserContext, world: World
) -> None:
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    with page.expect_response(recording) as response:
        page.get_by_role("button", name="Reject all").click()
    assert response.value.status == 200
    page.reload()
    page.get_by_role("heading", name="Example shop").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("region", name="We use cookies").count() == 0
    assert page.evaluate("window.analyticsRan") is None
    assert page.evaluate("window.skyddConsent.choices()") == {"analytics": False}
    assert world.vendor_requests() == []
    assert world.vendor.requests() == 0
    [event] = world.events()
    assert event.status is ConsentStatus.REFUSED
    assert event.source == world.shop.origin


def test_global_privacy_control_is_a_refusal_recorded_without_asking(
    browser: Browser, world: World
) -> None:
    context = browser.new_context(locale="en-GB", extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_ON)
    page = open_page(context, world)
    with page.expect_response(recording) as response:
        page.goto(f"{world.shop.origin}/")
    assert response.value.status == 200
    assert response.value.request.headers.get("sec-gpc") == "1"
    note = page.get_by_role("region", name="We use cookies")
    note.wait_for()
    assert "Global Privacy Control" in note.inner_text()
    assert note.get_by_role("button", name="Accept all").count() == 0
    assert note.get_by_role("button", name="Choose").count() == 1
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.analyticsRan") is None
    assert world.vendor_requests() == []
    assert world.vendor.requests() == 0
    [event] = world.events()
    assert event.status is ConsentStatus.REFUSED
    assert event.source == f"gpc:{world.shop.origin}"

    note.get_by_role("button", name="OK").click()
    assert note.count() == 0
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("region", name="We use cookies").count() == 0
    assert len(world.events()) == 1
    context.close()


def focused(page: Page) -> object:
    return page.evaluate(DEEP_FOCUS)


def tab_to(page: Page, label: str, limit: int = 10) -> list[object]:
    """Press Tab until ``label`` has focus; the labels passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        passed.append(focused(page))
        if passed[-1] == label:
            return passed
    pytest.fail(f"Tab never reached {label!r}; passed {passed}")


def test_the_banner_and_its_dialog_work_by_keyboard_alone(
    context: BrowserContext, world: World
) -> None:
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    page.get_by_role("region", name="We use cookies").wait_for()
    assert tab_to(page, "Choose") == ["Privacy policy", "Accept all", "Reject all", "Choose"]

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cookie settings")
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    assert focused(page) == "analytics"
    checkbox = dialog.get_by_role("checkbox", name="Analytics and product development")
    assert not checkbox.is_checked()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert focused(page) == "Choose"

    page.keyboard.press("Enter")
    dialog.wait_for()
    assert [tab_to(page, "Close")] == [["Save my choices", "Close"]]
    page.keyboard.press("Tab")  # trapped: back to the first control of the dialog
    assert focused(page) == "analytics"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "Close"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "analytics"
    page.keyboard.press("Space")
    assert checkbox.is_checked()
    assert world.vendor.requests() == 0
    page.keyboard.press("Tab")
    assert focused(page) == "Save my choices"
    with page.expect_response(recording):
        page.keyboard.press("Enter")
    page.wait_for_function(ANALYTICS)
    assert [e.status for e in world.events()] == [ConsentStatus.GIVEN]


def test_reject_by_keyboard_and_a_withdrawal_from_the_settings_link(
    context: BrowserContext, world: World
) -> None:
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    page.get_by_role("region", name="We use cookies").wait_for()
    tab_to(page, "Reject all")
    with page.expect_response(recording):
        page.keyboard.press("Enter")
    assert page.get_by_role("region", name="We use cookies").count() == 0
    assert world.vendor.requests() == 0

    page.get_by_role("link", name="Cookie settings").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cookie settings")
    dialog.wait_for()
    page.keyboard.press("Space")
    with page.expect_response(recording):
        dialog.get_by_role("button", name="Save my choices").press("Enter")
    page.wait_for_function(ANALYTICS)
    assert [e.status for e in world.events()] == [ConsentStatus.REFUSED, ConsentStatus.GIVEN]

    page.get_by_role("link", name="Cookie settings").click()
    dialog.wait_for()
    assert dialog.get_by_role("checkbox", name="Analytics and product development").is_checked()
    dialog.get_by_role("checkbox", name="Analytics and product development").uncheck()
    # Withdrawing stops a script that ran only by loading the page again without it.
    with page.expect_navigation(), page.expect_response(recording):
        dialog.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.analyticsRan") is None
    assert [e.status for e in world.events()] == [
        ConsentStatus.REFUSED,
        ConsentStatus.GIVEN,
        ConsentStatus.WITHDRAWN,
    ]


def test_a_banner_changed_since_it_was_shown_loads_again_and_asks_again(
    context: BrowserContext, world: World
) -> None:
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    banner = page.get_by_role("region", name="We use cookies")
    banner.wait_for()
    changed = replace_item(load_register(MESTRO), "cookies", "google_analytics", duration="P13M")
    store_register(world.container.uow(), world.container.clock, changed, "changed")

    with page.expect_response(lambda r: r.url.endswith(RECORDING)) as refused:
        banner.get_by_role("button", name="Accept all").click()
    assert refused.value.status == 409
    banner.wait_for()  # the current script, loaded again, asks again
    assert world.events() == []
    assert world.vendor.requests() == 0
    assert "13 months" in page.evaluate(
        "document.querySelector('#skydd-consent').shadowRoot.textContent"
    )

    with page.expect_response(recording) as response:
        banner.get_by_role("button", name="Accept all").click()
    assert response.value.status == 200
    page.wait_for_function(ANALYTICS)
    [event] = world.events()
    assert event.notice_id == f"banner:{banner_version(banner_of(changed), localisation)}"


def test_the_banner_speaks_swedish_on_a_swedish_page(context: BrowserContext, world: World) -> None:
    world.page(lang="sv")
    page = open_page(context, world)
    page.goto(f"{world.shop.origin}/")
    banner = page.get_by_role("region", name="Vi använder cookies")
    banner.wait_for()
    for name in ("Godkänn alla", "Avvisa alla", "Välj själv"):
        assert banner.get_by_role("button", name=name).count() == 1
    assert banner.get_by_role("link", name="Integritetspolicy").get_attribute("href") == (
        f"{world.skydd}/policy?lang=sv"
    )
    banner.get_by_role("button", name="Välj själv").click()
    dialog = page.get_by_role("dialog", name="Cookieinställningar")
    dialog.wait_for()
    assert dialog.get_by_role("checkbox", name="Analys- och produktutveckling").count() == 1
    assert "6 månader" in dialog.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "consent-dialog-sv.png")
    with page.expect_response(recording):
        dialog.get_by_role("button", name="Spara mina val").click()
    [event] = world.events()
    assert (event.status, event.language) == (ConsentStatus.REFUSED, "sv")


@pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
def test_the_script_is_at_most_8_kb_gzipped_and_revalidates(tmp_path: Path, folder: Path) -> None:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}"))
    container = build_container(settings, clock=FakeClock())
    migrator.upgrade(container.engine)
    store_register(container.uow(), container.clock, load_register(folder), str(folder))
    with TestClient(create_app(container)) as client:
        script = client.get("/consent.js")
        assert script.status_code == 200
        assert script.headers["content-type"] == "text/javascript; charset=utf-8"
        assert script.headers["cache-control"] == "public, max-age=300"
        assert script.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in script.headers
        for text in ("Godkänn alla", "Accept all", "Reject all", "Avvisa alla", ":host{"):
            assert text in script.text
        size = len(gzip.compress(script.content, compresslevel=9))
        assert size <= MAX_GZIPPED, f"/consent.js is {size} bytes gzipped"
        etag = script.headers["etag"]
        again = client.get("/consent.js", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
    container.close()


def test_without_a_register_the_script_is_a_404_comment(tmp_path: Path) -> None:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}"))
    container = build_container(settings, clock=FakeClock())
    migrator.upgrade(container.engine)
    with TestClient(create_app(container)) as client:
        script = client.get("/consent.js")
    container.close()
    assert script.status_code == 404
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.text.startswith("/* skydd: no cookie banner")
