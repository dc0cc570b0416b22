"""The published policy as web pages: language choice, versions, Markdown, errors (P20)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from skydd.bootstrap import Container
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.web.conftest import publish

pytestmark = pytest.mark.promise("P20")


def assert_html_page(response_text: str, language: str) -> None:
    assert response_text.startswith("<!doctype html>")
    assert f'<html lang="{language}">' in response_text


@pytest.mark.parametrize(
    ("folder", "language"), [(MESTRO, "sv"), (SECOND_ORG, "en")], ids=["mestro", "second_org"]
)
def test_policy_is_shown_in_the_organisation_default_language(
    container: Container, client: TestClient, folder: Path, language: str
) -> None:
    policy = publish(container, folder).policy

    response = client.get("/policy")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-language"] == language
    assert_html_page(response.text, language)
    rendition = policy.rendition(language, "html")
    assert rendition is not None
    assert rendition in response.text
    assert f"<dd>{policy.number}</dd>" in response.text
    assert f'<time datetime="{policy.effective_on.isoformat()}">' in response.text
    assert f'<code class="hash">{policy.content_hash}</code>' in response.text
    assert 'href="/policy/versions?lang=' in response.text


def test_policy_page_links_every_other_language(container: Container, client: TestClient) -> None:
    publish(container, MESTRO)

    response = client.get("/policy")

    links = re.findall(r'<a href="/policy\?lang=(\w+)" hreflang="\w+" lang="\w+"', response.text)
    assert links == ["sv", "en"]


def test_policy_ui_text_follows_the_page_language(container: Container, client: TestClient) -> None:
    publish(container, MESTRO)

    swedish = client.get("/policy?lang=sv").text
    english = client.get("/policy?lang=en").text

    assert "<dt>Gäller från</dt>" in swedish
    assert "25 november 2026" in swedish
    assert "<dt>In effect from</dt>" in english
    assert "November 25, 2026" in english


def test_policy_in_the_language_asked_for(container: Container, client: TestClient) -> None:
    policy = publish(container, MESTRO).policy

    response = client.get("/policy", params={"lang": "en"}, headers={"Accept-Language": "sv"})

    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    assert str(policy.rendition("en", "html")) in response.text


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9,sv;q=0.5", "en"),
        ("de", "sv"),
        ("de-DE, sv;q=0.3, en;q=0.7", "en"),
        ("sv-FI", "sv"),
        ("en;q=0, *;q=0.5", "sv"),
        ("EN-us", "en"),
    ],
)
def test_accept_language_picks_the_best_published_language(
    container: Container, client: TestClient, accept_language: str, expected: str
) -> None:
    publish(container, MESTRO)

    response = client.get("/policy", headers={"Accept-Language": accept_language})

    assert response.status_code == 200
    assert response.headers["content-language"] == expected
    assert response.headers["vary"] == "Accept-Language"


@pytest.mark.parametrize(
    "path", ["/policy?lang=de", "/policy/1?lang=xx", "/policy/versions?lang=de", "/policy?lang="]
)
def test_unknown_language_is_a_400_page_naming_the_published_ones(
    container: Container, client: TestClient, path: str
) -> None:
    publish(container, MESTRO)

    response = client.get(path)

    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "choose one of: sv, en" in response.text
    page = path.split("?")[0]
    assert f'<a href="{page}?lang=sv" hreflang="sv" lang="sv">Svenska (sv)</a>' in response.text
    assert f'<a href="{page}?lang=en" hreflang="en" lang="en">English (en)</a>' in response.text


def test_each_version_stays_readable_after_a_new_one(
    container: Container, client: TestClient, clock: FakeClock
) -> None:
    register = load_register(MESTRO)
    first = publish(container, MESTRO).policy
    renamed = register.organisation.model_copy(update={"name": "Mestro Nordic"})
    clock.advance(days=40)
    store_register(
        container.uow(), clock, register.model_copy(update={"organisation": renamed}), "b"
    )
    second = publish_policy(container.uow(), clock, container.renderer, None)
    assert second.created
    assert second.policy.number == 2

    old = client.get("/policy/1?lang=en")
    new = client.get("/policy/2?lang=en")
    current = client.get("/policy?lang=en")

    assert old.status_code == new.status_code == current.status_code == 200
    assert str(first.rendition("en", "html")) in old.text
    assert str(second.policy.rendition("en", "html")) not in old.text
    assert "This is an earlier version of the privacy policy." in old.text
    assert f'<code class="hash">{first.content_hash}</code>' in old.text
    assert str(second.policy.rendition("en", "html")) in new.text
    assert "earlier version" not in new.text
    assert str(second.policy.rendition("en", "html")) in current.text
    assert "earlier version" not in current.text


def test_versions_page_lists_every_version_newest_first(
    container: Container, client: TestClient, clock: FakeClock
) -> None:
    register = load_register(MESTRO)
    publish(container, MESTRO)
    clock.advance(days=3)
    renamed = register.organisation.model_copy(update={"name": "Mestro Nordic"})
    store_register(
        container.uow(), clock, register.model_copy(update={"organisation": renamed}), "b"
    )
    publish_policy(container.uow(), clock, container.renderer, None)

    response = client.get("/policy/versions?lang=sv")

    assert response.status_code == 200
    assert re.findall(r'<a href="/policy/(\d+)\?lang=sv">', response.text) == ["2", "1"]
    assert response.text.count('<span class="badge">gäller nu</span>') == 1
    assert '<time datetime="2026-11-28">28 november 2026</time>' in response.text


@pytest.mark.parametrize(
    "path", ["/policy/7", "/policy/0", "/policy/abc", "/policy/1.5", "/policy/-1", "/policy/%C2%B2"]
)
def test_unknown_version_is_a_404_page(container: Container, client: TestClient, path: str) -> None:
    publish(container, MESTRO)

    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Sidan finns inte</h1>" in response.text
    assert "no policy version" in response.text


def test_markdown_is_the_stored_rendition(container: Container, client: TestClient) -> None:
    policy = publish(container, MESTRO).policy

    current = client.get("/policy.md", headers={"Accept-Language": "en"})
    versioned = client.get("/policy/1", params={"format": "markdown", "lang": "sv"})

    assert current.status_code == versioned.status_code == 200
    assert current.headers["content-type"] == "text/markdown; charset=utf-8"
    assert current.headers["content-language"] == "en"
    assert current.text == policy.rendition("en", "markdown")
    assert versioned.text == policy.rendition("sv", "markdown")


def test_unknown_format_is_a_400_page(container: Container, client: TestClient) -> None:
    publish(container, MESTRO)

    response = client.get("/policy?format=pdf&lang=en")

    assert response.status_code == 400
    assert "that format is not offered; choose html or markdown" in response.text
    assert "pdf" not in response.text


def test_no_published_policy_is_a_clear_404_page(container: Container, client: TestClient) -> None:
    store_register(container.uow(), container.clock, load_register(SECOND_ORG), "second")

    for path in ("/policy", "/policy/versions", "/policy.md", "/embed/policy"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>Page not found</h1>" in response.text
        assert "no policy has been published" in response.text


def test_no_register_loaded_is_a_clear_404_page(client: TestClient) -> None:
    response = client.get("/policy", headers={"Accept-Language": "sv-SE"})

    assert response.status_code == 404
    assert '<html lang="sv">' in response.text
    assert "no register has been loaded" in response.text


def test_full_pages_carry_strict_security_headers(container: Container, client: TestClient) -> None:
    publish(container, MESTRO)

    for path in ("/policy", "/policy/1", "/policy/versions", "/policy/9"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-frame-options"] == "DENY", path
        directives = dict(
            d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";")
        )
        assert directives["frame-ancestors"] == "'none'", path
        assert directives["script-src"] == "'self'", path
        assert directives["default-src"] == "'none'", path
