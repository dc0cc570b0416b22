"""Web fixtures: publish an example register, and an HTTP client on the real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.services.policy import Publication, publish_policy
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.web.browsing import CHROMIUM, CHROMIUM_ARGS


def publish(container: Container, folder: Path) -> Publication:
    """Store the register in ``folder`` and publish its policy."""
    store_register(container.uow(), container.clock, load_register(folder), str(folder))
    return publish_policy(container.uow(), container.clock, container.renderer, None)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once for every browser test."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
