"""Every route × every role against a written matrix, and how refusals behave (ADR 0012).

The matrix below is the specification: each route of the app (API, web pages, docs,
static files) names what anonymous callers and each built-in role get. A route
missing from the matrix, or a matrix row without a route, fails the test. The staff
console's routes take a session cookie instead of a token: ``CONSOLE_MATRIX``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from skydd.api.hardening import TokenBuckets
from skydd.api.problems import PROBLEM_JSON
from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Scope
from skydd.domain.audit import AuditAction, AuditEvent, UnreadableEvent
from skydd.domain.breaches import BreachRisk
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.requests import RequestType
from skydd.domain.roles import BUILTIN_ROLE_KEYS
from skydd.services.accounts import add_user, create_token, revoke_token, set_password
from skydd.services.audit import verify_audit
from skydd.services.breaches import list_breaches, open_breach
from skydd.services.events import add_event
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.services.requests import Submission, receive_request
from skydd.services.sessions import sign_in
from skydd.services.subjects import Who
from skydd.storage.register_files import load_register
from skydd.web.staff import csrf_signer, session_policy
from tests.conftest import MESTRO
from tests.fakes import FakeClock

ANONYMOUS = "anonymous"
PRINCIPALS = (ANONYMOUS, *BUILTIN_ROLE_KEYS)
PUBLIC = "public"
"""Everyone, with or without a token, gets 200: transparency information, no personal data."""

AUDIT_READERS = {"admin": 200, "dpo": 200, "auditor": 200}
BREACH_MANAGERS = {"admin": 200, "dpo": 200}
REQUEST_HANDLERS = {"dpo": 200}


def anyone(status: int) -> dict[str, int]:
    """A public route that answers every principal alike (a form sent without its body)."""
    return dict.fromkeys(PRINCIPALS, status)


def protected(allowed: dict[str, int]) -> dict[str, int]:
    """Anonymous 401; the roles named get their status; every other role 403."""
    return {ANONYMOUS: 401} | {role: allowed.get(role, 403) for role in BUILTIN_ROLE_KEYS}


MATRIX: dict[tuple[str, str], str | dict[str, int]] = {
    # OpenAPI and its viewers
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # probes
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    # the register and the Art. 30 record: published transparency information
    ("GET", "/api/v1/register"): PUBLIC,
    ("GET", "/api/v1/register/organisation"): PUBLIC,
    ("GET", "/api/v1/register/{section}"): PUBLIC,
    ("GET", "/api/v1/register/{section}/{key}"): PUBLIC,
    ("GET", "/api/v1/ropa"): PUBLIC,
    # the audit chain and the breach register
    ("GET", "/api/v1/audit/verify"): protected(AUDIT_READERS),
    ("GET", "/api/v1/audit/anchor"): protected(AUDIT_READERS),
    ("GET", "/api/v1/breaches"): protected(BREACH_MANAGERS),
    ("GET", "/api/v1/breaches/{reference}"): protected(BREACH_MANAGERS),
    # data subject requests: public intake and verification, staff work
    ("POST", "/api/v1/requests"): anyone(422),  # public; no body sent
    ("POST", "/api/v1/requests/{reference}/code"): anyone(409),  # it names no e-mail
    ("POST", "/api/v1/requests/{reference}/verification"): anyone(422),
    ("GET", "/api/v1/requests/answers/{secret}"): anyone(404),  # a link never issued
    ("GET", "/api/v1/requests"): protected(REQUEST_HANDLERS),
    ("GET", "/api/v1/requests/{reference}"): protected(REQUEST_HANDLERS),
    ("POST", "/api/v1/requests/received"): protected({"dpo": 422}),
    ("POST", "/api/v1/requests/{reference}/manual-verification"): protected({"dpo": 422}),
    ("POST", "/api/v1/requests/{reference}/extension"): protected({"dpo": 422}),
    ("POST", "/api/v1/requests/{reference}/rejection"): protected({"dpo": 422}),
    ("GET", "/api/v1/requests/{reference}/tasks"): protected(REQUEST_HANDLERS),
    ("POST", "/api/v1/requests/{reference}/tasks/{system}/assignment"): protected({"dpo": 422}),
    # 404: the request is not verified, so no worker has planned its tasks yet
    ("POST", "/api/v1/requests/{reference}/tasks/{system}/completion"): protected({"dpo": 404}),
    ("POST", "/api/v1/requests/{reference}/tasks/{system}/retry"): protected({"dpo": 404}),
    # 409: the seeded request is no rectification, so it has no corrections
    ("GET", "/api/v1/requests/{reference}/corrections"): protected({"dpo": 409}),
    ("GET", "/api/v1/requests/{reference}/limits"): protected(REQUEST_HANDLERS),
    ("POST", "/api/v1/requests/{reference}/restriction-lifting"): protected({"dpo": 422}),
    # the consent ledger: the purpose is in the body or query, so who may is decided after
    # it is read; without one every caller gets 422 before any decision
    ("POST", "/api/v1/consents"): anyone(422),
    ("GET", "/api/v1/consent/check"): anyone(422),
    ("POST", "/api/v1/consent/check"): anyone(422),
    ("GET", "/api/v1/consent/receipt-keys"): PUBLIC,  # public keys, for checking receipts
    # newsletters (P5): a public form (no body: 422); the pages a mailed link opens answer
    # 400 without a signed link, to anyone alike (the link is the capability, not a token)
    ("POST", "/api/v1/newsletters/{purpose}/subscriptions"): anyone(422),
    ("GET", "/newsletter/confirm"): anyone(400),
    ("POST", "/newsletter/confirm"): anyone(400),
    ("GET", "/newsletter/unsubscribe"): anyone(400),
    ("POST", "/newsletter/unsubscribe"): anyone(400),
    ("GET", "/consent/manage"): anyone(400),
    ("POST", "/consent/manage"): anyone(400),
    # the cookie banner (P9): public, for visitors nobody knows; no body is a 422, and the
    # CORS preflight answers 204 to anyone (the headers tell a browser which sites may post)
    ("POST", "/api/v1/consent/banner"): anyone(422),
    ("OPTIONS", "/api/v1/consent/banner"): anyone(204),
    ("GET", "/consent.js"): PUBLIC,
    # event sign-ups: a public form (no body: 422), a list for roles reading the purpose;
    # the e-mail open pixel answers everyone the same GIF (P5, P8, P9)
    ("POST", "/api/v1/events/{event}/signups"): anyone(422),
    ("GET", "/api/v1/events/{event}/signups"): protected({"dpo": 200, "marketing": 200}),
    ("GET", "/px/{token}.gif"): PUBLIC,
    # the published policy and its embed (P20, P21)
    ("GET", "/policy"): PUBLIC,
    ("GET", "/policy.md"): PUBLIC,
    ("GET", "/policy/versions"): PUBLIC,
    ("GET", "/policy/{version}"): PUBLIC,
    ("GET", "/embed/policy"): PUBLIC,
    ("GET", "/embed/policy/{version}"): PUBLIC,
    ("GET", "/static"): PUBLIC,
}
"""(method, path template) → PUBLIC, or the status per principal. HEAD follows GET."""


def console(anonymous: int, staff: int) -> dict[str, int]:
    """A console route: without a session one status, with any built-in role's another."""
    return {ANONYMOUS: anonymous} | dict.fromkeys(BUILTIN_ROLE_KEYS, staff)


CONSOLE_MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/console/login"): console(200, 200),
    ("POST", "/console/login"): console(422, 422),  # a valid form, empty credentials
    ("GET", "/console"): console(303, 200),  # 303: to the sign-in page
    ("GET", "/console/password"): console(303, 200),
    ("POST", "/console/password"): console(401, 422),  # 422: empty new password
    ("POST", "/console/logout"): console(303, 303),
}
"""The staff console (ADR 0013): principals hold a session cookie, not a token; forms
carry a valid CSRF token; redirects are not followed."""

CONSOLE_PASSWORD = "a passphrase for the console matrix"

STATIC_FILE = "/skydd.css"
"""The file asked for under a static mount."""


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app answers, HEAD left out (it follows GET)."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        if isinstance(context.original_route, Mount):
            found.add(("GET", path))
            continue
        methods = getattr(context, "methods", None) or set()
        found |= {(m, path) for m in methods if m != "HEAD"}
    return found


@dataclass
class World:
    """A served app over Mestro's register, one all-scopes token per built-in role."""

    container: Container
    clock: FakeClock
    client: TestClient
    tokens: dict[str, str]
    values: dict[str, str]

    def headers(self, principal: str) -> dict[str, str]:
        if principal == ANONYMOUS:
            return {}
        return {"Authorization": f"Bearer {self.tokens[principal]}"}

    def url(self, path: str) -> str:
        if path.startswith("/api/v1/requests/"):
            path = path.replace("{reference}", self.values["request"])
        for name, value in self.values.items():
            path = path.replace("{" + name + "}", value)
        if path == "/static":
            path += STATIC_FILE
        return path

    def events(self) -> list[AuditEvent]:
        uow = self.container.uow()
        with uow:
            page = uow.audit.page(0, 10_000)
        return [e for e in page if not isinstance(e, UnreadableEvent)]


def _token(
    container: Container,
    clock: FakeClock,
    owner: str | None,
    *,
    scopes: frozenset[Scope] = frozenset(Scope),
    expires_at: dt.datetime | None = None,
) -> str:
    text, _ = create_token(
        container.uow(),
        clock,
        container.token_hasher,
        name=f"{owner} token",
        scopes=scopes,
        expires_at=expires_at,
        owner=owner,
        actor="test",
        origin="test",
    )
    return text


@pytest.fixture
def world(container: Container, clock: FakeClock) -> Iterator[World]:
    register = load_register(MESTRO)
    store_register(container.uow(), clock, register, "m")
    publish_policy(container.uow(), clock, container.renderer, None)
    breach = open_breach(
        container.uow(),
        clock,
        aware_at=clock.now(),
        description="A laptop was stolen.",
        data_categories=[register.data_categories[0].key],
        approx_subjects=10,
        consequences="Possible disclosure.",
        measures="Disk encrypted; passwords rotated.",
        risk=BreachRisk.UNLIKELY,
    )
    tokens = {}
    for role in BUILTIN_ROLE_KEYS:
        add_user(
            container.uow(),
            clock,
            container.password_hasher,
            f"{role}-user",
            roles=[role],
            actor="test",
            origin="test",
        )
        tokens[role] = _token(container, clock, f"{role}-user")
    request, _ = receive_request(
        container.uow(),
        clock,
        None,
        Submission(RequestType.ACCESS, {IdentifierKind.PHONE: "070-174 06 05"}),
        who=Who("test", "test"),
    )
    add_event(container.uow(), clock, None, "summit", "Summit", dt.date(2026, 12, 10), "events")
    values = {
        "section": "purposes",
        "key": register.purposes[0].key,
        "version": "1",
        "reference": breach.reference,
        "request": request.reference,
        "secret": "a-link-never-issued",
        "system": "hubspot",
        "purpose": "newsletter",
        "event": "summit",
        "token": "a-pixel-never-issued",
    }
    unlimited = TokenBuckets(per_minute=math.inf)
    app = create_app(container, rate_limit=unlimited, intake_limit=unlimited)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(container, clock, client, tokens, values)


def test_the_matrix_names_every_route_and_only_routes(world: World) -> None:
    routes = app_routes(world.client.app)  # type: ignore[arg-type]
    written = MATRIX.keys() | CONSOLE_MATRIX.keys()
    assert sorted(routes - written) == [], "routes missing from the matrix"
    assert sorted(written - routes) == [], "matrix rows without a route"
    assert MATRIX.keys().isdisjoint(CONSOLE_MATRIX.keys())


def test_every_route_for_every_role_answers_as_the_matrix_says(world: World) -> None:
    wrong = []
    for (method, path), expected in MATRIX.items():
        for principal in PRINCIPALS:
            want = 200 if expected == PUBLIC else expected[principal]  # type: ignore[index]
            response = world.client.request(
                method, world.url(path), headers=world.headers(principal)
            )
            if response.status_code != want:
                wrong.append((method, path, principal, want, response.status_code))
                continue
            if want in {401, 403}:
                assert response.headers["content-type"] == PROBLEM_JSON
                assert response.json()["status"] == want
            if want == 401:
                assert response.headers["www-authenticate"].startswith("Bearer")
    assert wrong == []


def _console_browser(
    world: World, principal: str, method: str, path: str
) -> tuple[TestClient, str]:
    """A browser with a fresh session of ``principal`` (none for anonymous) and a form token."""
    browser = TestClient(world.client.app, follow_redirects=False)
    signer = csrf_signer(world.container)
    token = ""
    if principal != ANONYMOUS:
        signed = sign_in(
            world.container.uow(),
            world.clock,
            world.container.password_hasher,
            world.container.token_hasher,
            session_policy(world.container),
            f"{principal}-user",
            CONSOLE_PASSWORD,
            origin="test",
        )
        browser.cookies.set("skydd_session", signed.secret, domain="testserver.local", path="/")
        token = signer.for_session(signed.secret)
    if (method, path) == ("POST", "/console/login"):
        page = browser.get("/console/login")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return browser, token


def test_every_console_route_for_every_role_answers_as_the_matrix_says(world: World) -> None:
    for role in BUILTIN_ROLE_KEYS:
        set_password(
            world.container.uow(),
            world.clock,
            world.container.password_hasher,
            f"{role}-user",
            CONSOLE_PASSWORD,
            actor="test",
            origin="test",
        )
    wrong = []
    for (method, path), expected in CONSOLE_MATRIX.items():
        for principal in PRINCIPALS:
            browser, token = _console_browser(world, principal, method, path)
            data = {"csrf_token": token} if method == "POST" else None
            response = browser.request(method, path, data=data)
            if response.status_code != expected[principal]:
                wrong.append((method, path, principal, expected[principal], response.status_code))
            assert response.headers["cache-control"] == "no-store"
            browser.close()
    assert wrong == []


def test_a_denial_is_audited_changes_nothing_and_keeps_the_chain(world: World) -> None:
    before = world.events()
    breaches = list_breaches(world.container.uow())
    response = world.client.get("/api/v1/breaches", headers=world.headers("support"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/access-denied")
    after = world.events()
    assert len(after) == len(before) + 1
    denial = after[-1]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.actor.startswith("token:")
    assert denial.target == "route:GET /api/v1/breaches"
    assert dict(denial.details) == {
        "action": "breach.manage",
        "reason": "not-granted",
        "route": "GET /api/v1/breaches",
    }
    assert world.tokens["support"] not in repr(after)
    assert list_breaches(world.container.uow()) == breaches
    assert verify_audit(world.container.uow()).ok


def test_a_token_outside_its_scope_is_forbidden(world: World) -> None:
    narrow = _token(
        world.container, world.clock, "dpo-user", scopes=frozenset({Scope.REGISTER_READ})
    )
    response = world.client.get(
        "/api/v1/audit/verify", headers={"Authorization": f"Bearer {narrow}"}
    )
    assert response.status_code == 403
    assert world.events()[-1].details["reason"] == "out-of-scope"
    # The same owner with the right scope gets in.
    assert world.client.get("/api/v1/audit/verify", headers=world.headers("dpo")).json()["ok"]


def test_a_token_without_owner_holds_no_roles(world: World) -> None:
    ownerless = _token(world.container, world.clock, None)
    response = world.client.get(
        "/api/v1/audit/anchor", headers={"Authorization": f"Bearer {ownerless}"}
    )
    assert response.status_code == 403
    assert world.events()[-1].details["reason"] == "no-roles"


def _refused(world: World, token: str) -> AuditEvent:
    before = len(world.events())
    response = world.client.get("/api/v1/breaches", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"].startswith("Bearer")
    events = world.events()
    assert len(events) == before + 1
    event = events[-1]
    assert event.action == AuditAction.ACCESS_DENIED
    assert event.details["reason"] == "invalid-token"
    assert token not in repr(events)
    assert verify_audit(world.container.uow()).ok
    return event


def test_revoked_token_is_refused_and_audited(world: World) -> None:
    token = world.tokens["admin"]
    token_id = token.split("_")[1]
    assert world.client.get("/api/v1/breaches", headers=world.headers("admin")).status_code == 200
    revoke_token(world.container.uow(), world.clock, token_id, actor="test", origin="test")
    assert _refused(world, token).actor == f"token:{token_id}"


def test_expired_token_is_refused(world: World) -> None:
    token = _token(
        world.container,
        world.clock,
        "admin-user",
        expires_at=world.clock.now() + dt.timedelta(hours=1),
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/breaches", headers=headers).status_code == 200
    world.clock.advance(hours=2)
    _refused(world, token)


def test_malformed_or_forged_token_is_refused(world: World) -> None:
    assert _refused(world, "not-a-token").actor == "anonymous"
    forged = world.tokens["admin"][:-4] + "AAAA"
    assert _refused(world, forged).actor.startswith("token:")


def test_public_routes_ignore_a_bad_token(world: World) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    assert world.client.get("/api/v1/register", headers=headers).status_code == 200


def test_without_a_register_an_authenticated_caller_gets_404(
    container: Container, clock: FakeClock
) -> None:
    add_user(
        container.uow(),
        clock,
        container.password_hasher,
        "admin-user",
        roles=["admin"],
        actor="test",
        origin="test",
    )
    token = _token(container, clock, "admin-user")
    client = TestClient(create_app(container), raise_server_exceptions=False)
    assert client.get("/api/v1/breaches").status_code == 401
    response = client.get("/api/v1/breaches", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
