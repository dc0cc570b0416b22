"""The API skeleton: health, readiness, read-only register, problem+json everywhere."""

from __future__ import annotations

from fastapi.testclient import TestClient

from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG


def test_health_and_readiness(container: Container) -> None:
    client = TestClient(create_app(container))
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_openapi_is_versioned_and_documented(container: Container) -> None:
    client = TestClient(create_app(container))
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/register" in paths
    assert "/api/v1/register/{section}/{key}" in paths


def test_register_missing_is_a_problem_json_404(container: Container) -> None:
    client = TestClient(create_app(container))
    response = client.get("/api/v1/register")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")


def test_register_sections_and_entries(container: Container) -> None:
    register = load_register(SECOND_ORG)
    store_register(container.uow(), container.clock, register, "second")
    client = TestClient(create_app(container))
    summary = client.get("/api/v1/register").json()
    assert summary["organisation"] == register.organisation.key
    assert summary["processors"] == len(register.processors())
    purposes = client.get("/api/v1/register/purposes").json()
    assert [p["key"] for p in purposes] == [p.key for p in register.purposes]
    first = register.systems[0]
    assert client.get(f"/api/v1/register/systems/{first.key}").json()["name"] == first.name
    assert client.get("/api/v1/register/organisation").json()["key"] == register.organisation.key


def test_unknown_section_and_key_are_404_problems(container: Container) -> None:
    store_register(container.uow(), container.clock, load_register(MESTRO), "m")
    client = TestClient(create_app(container))
    unknown_section = client.get("/api/v1/register/secrets")
    assert unknown_section.status_code == 404
    assert "choose one of" in unknown_section.json()["detail"]
    unknown_key = client.get("/api/v1/register/purposes/nope")
    assert unknown_key.status_code == 404
    assert unknown_key.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/nothing-here").headers["content-type"] == "application/problem+json"
