"""Schemathesis over the OpenAPI document: every operation answers as the document says.

For every operation, with generated valid and invalid inputs, on both engines: no 5xx;
every error is RFC 9457 problem+json whose ``status`` is the HTTP status; and status
codes, media types, headers and bodies match the document.

Every operation is fuzzed without credentials, and every operation that declares a
security requirement is fuzzed again as an administrator (an all-scopes token), so the
protected routes run for real over a register with stored breaches instead of
answering 401 before they begin.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, reject, settings
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
from skydd.domain.access_vocabulary import Scope
from skydd.domain.breaches import BreachRisk
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.domain.requests import RequestType
from skydd.services.accounts import add_user, create_token
from skydd.services.breaches import close_breach, open_breach
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.subjects import Who
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

SECURED = sorted(
    (path, method.upper(), operation["operationId"])
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    if operation.get("security")
)
"""(path, method, operation id) of every operation that declares a security requirement,
read from the document itself, so a new protected route is fuzzed with a token too."""

secured = schema.include(operation_id=[operation_id for _, _, operation_id in SECURED])

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
"""Every built-in check that applies to a read-only API, with or without credentials.

Left out: ``use_after_free`` and ``ensure_resource_availability`` follow resources an
API creates and deletes, and there are no write operations yet; ``ignored_auth`` and
``object_level_authorization`` replay requests through schemathesis' own transport,
which cannot reach this in-process app, and ``test_route_matrix`` already asks every
route as every role with and without a token; ``missing_required_header`` needs a
required header, and no operation has one.
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
    """The whole app over Mestro's stored register, a published policy and two breaches.

    One breach is open and one closed, so the optional dates of the breach schema
    are answered both empty and filled.
    """
    store_register(container.uow(), clock, mestro, "m")
    publish_policy(container.uow(), clock, container.renderer, None)
    for occurred_at in (None, clock.now() - dt.timedelta(days=2)):
        breach = open_breach(
            container.uow(),
            clock,
            aware_at=clock.now() - dt.timedelta(hours=3),
            occurred_at=occurred_at,
            description="A laptop was stolen from a car.",
            data_categories=[mestro.data_categories[0].key],
            approx_subjects=12,
            consequences="Possible disclosure of contact details.",
            measures="The disk was encrypted; passwords were rotated.",
            risk=BreachRisk.UNLIKELY,
        )
    close_breach(container.uow(), clock, breach.reference)
    receive_request(
        container.uow(),
        clock,
        None,
        Submission(RequestType.ACCESS, {IdentifierKind.EMAIL: "anna@example.se"}),
        who=Who("test", "test"),
    )
    # Hundreds of requests from one address: the rate limit has its own test.
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    assert app.openapi() == OPENAPI
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def admin(container: Container, clock: FakeClock) -> dict[str, str]:
    """The ``Authorization`` header of an all-scopes token owned by an administrator."""
    add_user(
        container.uow(),
        clock,
        container.password_hasher,
        "fuzz-admin",
        roles=["admin", "dpo"],
        actor="test",
        origin="test",
    )
    text, _ = create_token(
        container.uow(),
        clock,
        container.token_hasher,
        name="schemathesis",
        scopes=frozenset(Scope),
        owner="fuzz-admin",
        actor="test",
        origin="test",
    )
    return {"Authorization": f"Bearer {text}"}


def _send(
    client: TestClient, case: Case[Any], headers: dict[str, str] | None = None
) -> httpx2.Response:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    # No operation takes a cookie, and httpx deprecates an (even empty) per-request jar.
    assert not kwargs.pop("cookies", None)
    # A raw body (a JSON document, or bytes of a negative case) goes as ``content``.
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    request = client.build_request(**kwargs)
    try:
        request.read()  # a multipart body streams; read it now so the checks can see it
    except (AttributeError, TypeError):
        reject()  # a negative case the HTTP client itself cannot encode (a number as a file)
    return client.send(request)


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


def _checks_for(case: Case[Any]) -> list[Any]:
    """The checks of an operation: a write refuses schema-valid input the schema cannot judge.

    A request body's e-mail address, phone number, personnummer or six-digit code is
    only a string to JSON Schema; whether it is well formed (a checksum, a numbering
    plan) is decided by the domain and answered 400 ``invalid-input``, as documented.
    """
    if case.method.upper() == "GET":
        return CHECKS
    return [check for check in CHECKS if check is not positive_data_acceptance]


@schema.parametrize()
@FUZZING
def test_every_operation_answers_as_documented(case: Case[Any], client: TestClient) -> None:
    response = _send(client, case)
    case.validate_response(response, checks=_checks_for(case))
    if response.status_code >= 400:
        _assert_problem(response)


@secured.parametrize()
@FUZZING
def test_every_protected_operation_answers_an_administrator_as_documented(
    case: Case[Any], client: TestClient, admin: dict[str, str]
) -> None:
    response = _send(client, case, admin)
    case.validate_response(response, checks=_checks_for(case))
    # Negative cases may drop the header; when it was sent, the route itself answered.
    if response.request.headers.get("authorization") == admin["Authorization"]:
        assert response.status_code not in {401, 403}, response.text
    if response.status_code >= 400:
        _assert_problem(response)


def test_stored_resources_answer_an_administrator_as_documented(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Each secured operation once on what is stored, so every 200 body is checked."""
    references = [b["reference"] for b in client.get("/api/v1/breaches", headers=admin).json()]
    assert len(references) == 2
    reads = [(path, method) for path, method, _ in SECURED if method == "GET"]
    with_query = {"/api/v1/consent/check": {"email": "anna@example.se", "purpose": "newsletter"}}
    cases = [
        schema[path][method].Case(query=with_query.get(path))
        for path, method in reads
        if "{" not in path
    ]
    cases += [
        schema["/api/v1/breaches/{reference}"]["GET"].Case(path_parameters={"reference": ref})
        for ref in references
    ]
    requests = [r["reference"] for r in client.get("/api/v1/requests", headers=admin).json()]
    assert len(requests) == 1
    cases.append(
        schema["/api/v1/requests/{reference}"]["GET"].Case(
            path_parameters={"reference": requests[0]}
        )
    )
    statuses = []
    for case in cases:
        response = _send(client, case, admin)
        case.validate_response(response, checks=CHECKS)
        statuses.append((case.formatted_path, response.status_code))
    assert statuses == [(case.formatted_path, 200) for case in cases]
    assert len(cases) == 8


@pytest.mark.parametrize("reference", ["%00", "BR-2026-%00001"], ids=["nul", "embedded-nul"])
def test_a_breach_reference_with_a_nul_byte_is_refused_not_a_server_error(
    client: TestClient, admin: dict[str, str], reference: str
) -> None:
    """Found by the authenticated fuzz: PostgreSQL cannot take NUL in a text parameter.

    It answered 500 there (psycopg ``DataError``) and 404 on SQLite; the edge now
    refuses a NUL anywhere in a request with the same 400 on both (``NulGuard``).
    An explicit case's path parameter is sent as given, hence the percent-encoding.
    """
    case = schema["/api/v1/breaches/{reference}"]["GET"].Case(
        path_parameters={"reference": reference}
    )
    response = _send(client, case, admin)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code == 400
    _assert_problem(response)
    assert response.json()["type"].endswith("/nul-character")
