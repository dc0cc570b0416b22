"""Schemathesis over the OpenAPI document: every operation answers as the document says.

For every operation, with generated valid and invalid inputs, on both engines: no 5xx;
every error is RFC 9457 problem+json whose ``status`` is the HTTP status; and status
codes, media types, headers and bodies match the document.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from skydd.api.hardening import TokenBuckets
from skydd.api.problems import PROBLEM_BASE, PROBLEM_JSON
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import DatabaseSettings, Settings
from skydd.domain.register import Register
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock


def _openapi_document() -> dict[str, Any]:
    """The document of an app on a throwaway in-memory database.

    Schemathesis makes one test per operation at collection time, before any fixture
    exists. Writing the document reads the routes only, never the database; the
    ``client`` fixture checks that its own app serves the same document.
    """
    container = build_container(Settings(database=DatabaseSettings(url="sqlite://")))
    try:
        return create_app(container).openapi()
    finally:
        container.close()


OPENAPI = _openapi_document()
schema = schemathesis.openapi.from_dict(OPENAPI)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
    allow_header_conformance,
]
"""Every built-in check that applies to a read-only API fuzzed without credentials.

Left out: ``use_after_free`` and ``ensure_resource_availability`` follow resources an
API creates and deletes, and there are no write operations yet; ``ignored_auth`` and
``object_level_authorization`` compare answers with and without credentials, and the
fuzz sends none: the protected operations (audit, breaches) answer their documented
401 problem here, and ``test_route_matrix`` covers them with tokens;
``missing_required_header`` needs a required header, and no operation has one.
"""

FUZZING = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # ``client`` is function-scoped on purpose (it carries the engine parameter) and
    # every operation is a read, so sharing it across one operation's inputs is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
"""Small and derandomised, and without an example database, so each run is the same."""


@pytest.fixture(scope="module")
def mestro() -> Register:
    """Mestro's register, parsed once: it is frozen, and parsing is the slow part."""
    return load_register(MESTRO)


@pytest.fixture
def client(container: Container, clock: FakeClock, mestro: Register) -> Iterator[TestClient]:
    """The whole app over Mestro's stored register and a published policy."""
    store_register(container.uow(), clock, mestro, "m")
    publish_policy(container.uow(), clock, container.renderer, None)
    # Hundreds of requests from one address: the rate limit has its own test.
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    assert app.openapi() == OPENAPI
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _send(client: TestClient, case: Case[Any]) -> httpx2.Response:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url))
    # No operation takes a cookie, and httpx deprecates an (even empty) per-request jar.
    assert not kwargs.pop("cookies", None)
    return client.request(**kwargs)


def _assert_problem(response: httpx2.Response) -> None:
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith(PROBLEM_BASE)
    assert body["type"] != PROBLEM_BASE
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]


@schema.parametrize()
@FUZZING
def test_every_operation_answers_as_documented(case: Case[Any], client: TestClient) -> None:
    response = _send(client, case)
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        _assert_problem(response)
