"""Hardening of the HTTP surface: security headers, the body size limit, the rate limit."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from skydd.api.app import create_api
from skydd.api.hardening import HSTS, STRICT_CSP, TokenBuckets
from skydd.api.log_hygiene import PersonalDataFilter, redact
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.web.conftest import publish


@dataclass
class FakeMonotonic:
    """Seconds that only move when a test moves them."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def _echo_app(container: Container, max_body_bytes: int) -> FastAPI:
    """The real app plus a test-only POST route: the API has no write route yet."""
    app = create_api(container, max_body_bytes=max_body_bytes)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.post("/echo-json")
    def echo_json(body: dict[str, str]) -> dict[str, int]:
        return {"keys": len(body)}

    return app


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    store_register(container.uow(), container.clock, load_register(MESTRO), "m")
    with TestClient(create_app(container)) as test_client:
        yield test_client


def _assert_base_headers(headers: Mapping[str, str]) -> None:
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "no-referrer"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/register", 200),
        ("/api/v1/register/nope", 404),
        ("/api/v1/ropa?format=pdf", 422),
        ("/healthz", 200),
        ("/openapi.json", 200),
        ("/no/such/path", 404),
    ],
)
def test_json_and_problem_responses_carry_the_strict_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)

    assert response.status_code == status
    _assert_base_headers(response.headers)
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert "strict-transport-security" not in response.headers


def test_hsts_is_sent_on_https_only(container: Container) -> None:
    app = create_app(container)
    with TestClient(app, base_url="https://testserver") as https:
        assert https.get("/healthz").headers["strict-transport-security"] == HSTS
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/healthz").headers


def test_web_pages_keep_their_own_csp(container: Container, client: TestClient) -> None:
    publish(container, MESTRO)

    page = client.get("/policy?lang=en")
    embed = client.get("/embed/policy?lang=en")

    assert page.status_code == embed.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'; script-src")
    assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")
    assert "script-src 'self'" in embed.headers["content-security-policy"]
    _assert_base_headers(page.headers)


def test_swagger_page_keeps_its_cdn_assets_but_may_not_be_framed(client: TestClient) -> None:
    docs = client.get("/docs")

    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.text
    assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"
    _assert_base_headers(docs.headers)


def test_a_declared_body_over_the_limit_is_a_413_problem(container: Container) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=100))

    small = client.post("/echo", content=b"x" * 100)
    large = client.post("/echo", content=b"x" * 101)

    assert small.json() == {"received": 100}
    assert large.status_code == 413
    assert large.headers["content-type"] == "application/problem+json"
    assert large.json()["type"] == "https://skydd.dev/problems/payload-too-large"
    assert large.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/echo", "/echo-json"])
def test_a_streamed_body_is_counted_and_stopped_at_the_limit(
    container: Container, path: str
) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=100))

    def chunks() -> Iterator[bytes]:
        yield b'{"a": "'
        for _ in range(10):
            yield b"x" * 20
        yield b'"}'

    response = client.post(path, content=chunks())

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert response.json()["type"] == "https://skydd.dev/problems/payload-too-large"


def test_a_malformed_content_length_is_refused(container: Container) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=100))

    response = client.post("/echo", content=b"x", headers={"Content-Length": "-1"})

    assert response.status_code == 413


def test_the_rate_limit_refuses_then_recovers(container: Container) -> None:
    clock = FakeMonotonic()
    buckets = TokenBuckets(per_minute=60, burst=3, monotonic=clock)
    client = TestClient(create_app(container, rate_limit=buckets))

    allowed = [client.get("/openapi.json").status_code for _ in range(3)]
    refused = client.get("/api/v1/register")

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "https://skydd.dev/problems/rate-limited"
    assert refused.headers["content-security-policy"] == STRICT_CSP

    clock.now += 0.5
    assert client.get("/openapi.json").status_code == 429
    clock.now += 0.5
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/openapi.json").status_code == 429
    clock.now += 60
    assert [client.get("/openapi.json").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_health_probes_are_not_rate_limited(container: Container) -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, monotonic=FakeMonotonic())
    client = TestClient(create_app(container, rate_limit=buckets))

    assert client.get("/openapi.json").status_code == 200
    assert client.get("/openapi.json").status_code == 429
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert client.get("/readyz").status_code == 200


def test_clients_have_separate_buckets() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, monotonic=FakeMonotonic())

    assert buckets.take("192.0.2.1") == 0.0
    assert buckets.take("192.0.2.2") == 0.0
    assert buckets.take("192.0.2.1") == pytest.approx(60.0)


def test_idle_buckets_are_forgotten_once_there_are_many() -> None:
    clock = FakeMonotonic()
    buckets = TokenBuckets(per_minute=60, burst=2, monotonic=clock, max_keys=3)
    for address in ("a", "b", "c"):
        buckets.take(address)
    clock.now += 10

    buckets.take("d")

    assert set(buckets._buckets) == {"d"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail anna.svensson@example.com now", "mail [email] now"),
        ("call +46701740605", "call [phone]"),
        ("call +46 70 174 06 05.", "call [phone]."),
        ("call 070-174 06 05", "call [phone]"),
        ("call 08-123 45 67", "call [phone]"),
        # Ten digits that are also a valid (coordination) number: redacted either way.
        ("call 0701740605", "call [personnummer]"),
        ("pnr 191212121212", "pnr [personnummer]"),
        ("pnr 19121212-1212", "pnr [personnummer]"),
        ("pnr 121212-1212", "pnr [personnummer]"),
        ("samordningsnummer 701272-1234", "samordningsnummer [personnummer]"),
        ("record 42 version 7 at 2026-11-25", "record 42 version 7 at 2026-11-25"),
    ],
)
def test_redact_replaces_personal_data(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_filter_redacts_message_arguments_and_traceback() -> None:
    record = logging.LogRecord(
        "skydd.test", logging.ERROR, __file__, 1, "user %s with %s", None, None
    )
    record.args = ("anna.svensson@example.com", "19121212-1212")
    try:
        raise ValueError("bad +46701740605")
    except ValueError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)

    assert PersonalDataFilter().filter(record) is True

    formatted = logging.Formatter().format(record)
    assert "user [email] with [personnummer]" in formatted
    assert "bad [phone]" in formatted
    for value in ("anna.svensson", "+46701740605", "1212-1212"):
        assert value not in formatted


NUL_TYPE = "https://skydd.dev/problems/nul-character"


@pytest.mark.parametrize(
    ("path", "content", "content_type"),
    [
        ("/echo-json", b'{"a": "x\\u0000y"}', "application/json"),
        ("/echo-json", b'{"a": "x\\U0000y"}', "application/json"),
        ("/echo", b"user=a%00b", "application/x-www-form-urlencoded"),
        ("/echo", b"raw\x00bytes", "application/octet-stream"),
    ],
    ids=["json-escape", "json-escape-upper", "form", "raw"],
)
def test_a_nul_in_the_body_is_a_400_problem_before_the_route_runs(
    container: Container, path: str, content: bytes, content_type: str
) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=1000))

    response = client.post(path, content=content, headers={"Content-Type": content_type})

    assert response.status_code == 400
    assert response.json()["type"] == NUL_TYPE
    assert "x" not in response.json()["detail"].replace("text", "")  # nothing echoed


def test_a_nul_split_across_chunks_is_found(container: Container) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=1000))

    def chunks() -> Iterator[bytes]:
        yield b'{"a": "x\\u00'
        yield b'00y"}'

    response = client.post("/echo-json", content=chunks())

    assert response.status_code == 400
    assert response.json()["type"] == NUL_TYPE


@pytest.mark.parametrize("target", ["/policy?lang=sv%00", "/api/v1/register%00", "/x%00y"])
def test_a_nul_in_the_path_or_query_is_a_400_problem(client: TestClient, target: str) -> None:
    response = client.get(target)

    assert response.status_code == 400
    assert response.json()["type"] == NUL_TYPE


def test_ordinary_bodies_and_percent_signs_pass(container: Container) -> None:
    client = TestClient(_echo_app(container, max_body_bytes=1000))

    assert client.post("/echo-json", json={"a": "100 % sure, 0x00 is text"}).status_code == 200
    assert client.get("/healthz?x=%2500").status_code == 200
