"""The embed in real Chromium: framed and auto-sized on an allowed site, refused elsewhere (P21).

skydd runs under uvicorn on 127.0.0.1; two plain HTTP servers on other ports play the
embedding sites, one allowed by ``Settings.embed.allowed_origins`` and one not. A
screenshot of the allowed embed is saved to ``tests/web/artifacts/embed.png``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from skydd.asgi import create_app
from skydd.bootstrap import build_container
from skydd.config import DatabaseSettings, EmbedSettings, Settings
from skydd.storage import migrator
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.web.browsing import ARTIFACTS, serving
from tests.web.conftest import publish

pytestmark = [pytest.mark.browser, pytest.mark.promise("P21")]

EMBED = "iframe[data-skydd-embed]"
FRAME_HEIGHT = f"document.querySelector('{EMBED}').clientHeight"
CONTENT_HEIGHT = "Math.ceil(document.documentElement.getBoundingClientRect().height)"


class Site:
    """A plain HTTP server on 127.0.0.1 that serves one page at ``/``."""

    def __init__(self) -> None:
        self.page = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == "/"
                body = site.page.encode() if found else b"not found"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def embed(self, skydd_url: str) -> None:
        """Serve a page that embeds skydd's policy the way docs/embedding.md says."""
        self.page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example shop</title>
<style>body {{ margin: 0; font-family: sans-serif; }}
iframe {{ display: block; border: 0; width: 640px; }}</style>
<script src="{skydd_url}/static/skydd-embed.js"></script></head>
<body><h1>Example shop</h1>
<iframe data-skydd-embed src="{skydd_url}/embed/policy" height="100"
        title="Privacy policy"></iframe>
<p>Footer of the example shop.</p></body></html>"""

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    allowed, refused = Site(), Site()
    yield allowed, refused
    allowed.close()
    refused.close()


@pytest.fixture
def skydd_url(tmp_path: Path, sites: tuple[Site, Site]) -> Iterator[str]:
    allowed, refused = sites
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'skydd.db'}"),
        embed=EmbedSettings(allowed_origins=[allowed.origin]),
    )
    container = build_container(settings, clock=FakeClock())
    migrator.upgrade(container.engine)
    publish(container, MESTRO)
    with serving(create_app(container)) as url:
        allowed.embed(url)
        refused.embed(url)
        yield url
    container.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 800, "height": 900})
    yield context.new_page()
    context.close()


def test_embed_renders_and_sizes_itself_on_an_allowed_site(
    page: Page, sites: tuple[Site, Site], skydd_url: str
) -> None:
    allowed, _ = sites
    messages: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", collect)

    page.goto(f"{allowed.origin}/")
    policy = page.frame_locator(EMBED).locator(".skydd-policy")
    policy.wait_for()
    page.wait_for_function(f"{FRAME_HEIGHT} > 100")

    frame = next(f for f in page.frames if f.url.startswith(f"{skydd_url}/embed/policy"))
    assert "Mestro" in policy.inner_text()
    assert frame.evaluate("document.documentElement.lang") == "sv"
    content_height = frame.evaluate(CONTENT_HEIGHT)
    assert content_height > 100
    page.wait_for_function(f"{FRAME_HEIGHT} === {content_height}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "embed.png")

    page.evaluate(f"document.querySelector('{EMBED}').style.width = '260px'")
    page.wait_for_function(f"{FRAME_HEIGHT} > {content_height}")
    narrow_height = frame.evaluate(CONTENT_HEIGHT)
    page.wait_for_function(f"{FRAME_HEIGHT} === {narrow_height}")

    assert page.evaluate("window.scrollY") == 0
    section_link = page.frame_locator(EMBED).locator('.skydd-policy a[href^="#"]').first
    section_id = str(section_link.get_attribute("href"))[1:]
    section_top = frame.evaluate(f"document.getElementById('{section_id}').offsetTop")
    frame_top = page.evaluate(f"document.querySelector('{EMBED}').offsetTop")
    section_link.click()
    page.wait_for_function(f"Math.abs(window.scrollY - {frame_top + section_top}) <= 1")
    assert frame.url.startswith(f"{skydd_url}/embed/policy")
    out_link = page.frame_locator(EMBED).locator(".embed-meta a").first
    assert out_link.get_attribute("target") == "_blank"
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_embed_is_refused_on_a_site_not_allowed(
    page: Page, sites: tuple[Site, Site], skydd_url: str
) -> None:
    allowed, refused = sites

    with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refusal:
        page.goto(f"{refused.origin}/")

    assert allowed.origin in refusal.value.text
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 1
    assert not frames[0].url.startswith(skydd_url)
    assert "skydd-policy" not in frames[0].content()
    assert page.evaluate(FRAME_HEIGHT) == 100
