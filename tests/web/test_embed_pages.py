"""The embeddable policy: framed only by the configured origins, sized by its scripts (P21)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, EmbedSettings, Settings
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.web.conftest import publish

pytestmark = pytest.mark.promise("P21")

ORIGINS = ["https://www.example.com", "http://shop.example.org:8080"]


def csp_directives(header: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in header.split(";"))


@pytest.fixture
def embed_container(db_url: str, clock: FakeClock) -> Iterator[Container]:
    settings = Settings(
        database=DatabaseSettings(url=db_url), embed=EmbedSettings(allowed_origins=ORIGINS)
    )
    built = build_container(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def embed_client(embed_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(embed_container)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/embed/policy", "/embed/policy/1", "/embed/policy?lang=en"])
def test_embed_may_be_framed_by_exactly_the_configured_origins(
    embed_container: Container, embed_client: TestClient, path: str
) -> None:
    publish(embed_container, MESTRO)

    response = embed_client.get(path)

    assert response.status_code == 200
    directives = csp_directives(response.headers["content-security-policy"])
    assert directives["frame-ancestors"] == "https://www.example.com http://shop.example.org:8080"
    assert "x-frame-options" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_embed_error_pages_are_frameable_too(
    embed_container: Container, embed_client: TestClient
) -> None:
    publish(embed_container, MESTRO)

    response = embed_client.get("/embed/policy/9")

    assert response.status_code == 404
    assert csp_directives(response.headers["content-security-policy"])["frame-ancestors"] == (
        " ".join(ORIGINS)
    )
    assert '<script src="/static/skydd-embed-frame.js" defer></script>' in response.text


def test_embed_without_configured_origins_may_not_be_framed(
    container: Container, client: TestClient
) -> None:
    publish(container, MESTRO)

    response = client.get("/embed/policy")

    assert response.status_code == 200
    directives = csp_directives(response.headers["content-security-policy"])
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(("folder", "language"), [(MESTRO, "sv"), (SECOND_ORG, "en")])
def test_embed_shows_the_policy_with_minimal_chrome(
    container: Container, client: TestClient, folder: Path, language: str
) -> None:
    policy = publish(container, folder).policy

    response = client.get("/embed/policy")

    assert response.headers["content-language"] == language
    assert str(policy.rendition(language, "html")) in response.text
    assert '<body class="embed">' in response.text
    assert '<header class="site">' not in response.text
    assert '<script src="/static/skydd-embed-frame.js" defer></script>' in response.text
    assert "<script>" not in response.text


def test_embed_scripts_are_served_without_sniffing(client: TestClient) -> None:
    parent = client.get("/static/skydd-embed.js")
    frame = client.get("/static/skydd-embed-frame.js")

    for response in (parent, frame):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "event.origin !== originOf(frame)" in parent.text
    assert "frames[i].contentWindow === source" in parent.text
    assert 'window.parent.postMessage(message, "*")' in frame.text
    assert 'send({ type: "skydd:resize", height: height })' in frame.text
    assert "ResizeObserver" in frame.text
