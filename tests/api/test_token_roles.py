"""Guarded routes over HTTP while the register and the accounts change under them (P12).

The guard caches the served organisation's roles per register version, so these tests
change things the way an operator does (``skydd register load``, ``skydd users
disable`` from another process) and check that the very next request sees it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from skydd.api.hardening import TokenBuckets
from skydd.asgi import create_app
from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.domain.access_vocabulary import Action, Scope
from skydd.domain.audit import AuditAction, AuditEvent, UnreadableEvent
from skydd.domain.register import Register
from skydd.domain.roles import RoleDefinition
from skydd.services.accounts import create_token, disable_user
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.fakes import FakeClock
from tests.staff import add_staff

pytestmark = pytest.mark.promise("P12")

VERIFY = "/api/v1/audit/verify"


def with_reviewer(register: Register, *permissions: Action) -> Register:
    """``register`` with its own role ``reviewer`` holding ``permissions``."""
    role = RoleDefinition(
        key="reviewer",
        name={"sv": "Granskare av registret", "en": "Register reviewer"},
        permissions=frozenset(permissions),
    )
    return register.model_copy(update={"roles": [role]})


@pytest.fixture
def mestro() -> Register:
    return load_register(MESTRO)


@pytest.fixture
def operator(settings: Settings, clock: FakeClock) -> Iterator[Container]:
    """A second container on the same database: the command line, in another process."""
    built = build_container(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app = create_app(container, rate_limit=TokenBuckets(per_minute=math.inf))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(container: Container, clock: FakeClock, owner: str) -> dict[str, str]:
    text, _ = create_token(
        container.uow(),
        clock,
        container.token_hasher,
        name=f"{owner} token",
        scopes=frozenset(Scope),
        owner=owner,
        actor="test",
        origin="test",
    )
    return {"Authorization": f"Bearer {text}"}


def events(container: Container) -> list[AuditEvent]:
    uow = container.uow()
    with uow:
        page = uow.audit.page(0, 10_000)
    return [e for e in page if not isinstance(e, UnreadableEvent)]


def test_a_role_from_a_newly_loaded_register_applies_without_restart(
    container: Container,
    operator: Container,
    clock: FakeClock,
    client: TestClient,
    mestro: Register,
) -> None:
    store_register(operator.uow(), clock, with_reviewer(mestro, Action.REGISTER_READ), "v1")
    add_staff(operator, "rita", ("reviewer",))
    headers = bearer(operator, clock, "rita")
    refused = client.get(VERIFY, headers=headers)
    assert refused.status_code == 403
    assert events(container)[-1].details["reason"] == "not-granted"

    store_register(
        operator.uow(), clock, with_reviewer(mestro, Action.REGISTER_READ, Action.AUDIT_READ), "v2"
    )
    assert client.get(VERIFY, headers=headers).status_code == 200

    # And a role the newest register no longer defines grants nothing, at once.
    store_register(operator.uow(), clock, mestro, "v3")
    assert client.get(VERIFY, headers=headers).status_code == 403
    assert events(container)[-1].details["reason"] == "no-roles"


def test_a_disabled_owner_is_refused_on_the_next_request_and_audited(
    container: Container,
    operator: Container,
    clock: FakeClock,
    client: TestClient,
    mestro: Register,
) -> None:
    store_register(operator.uow(), clock, mestro, "m")
    add_staff(operator, "ada", ("auditor",))
    headers = bearer(operator, clock, "ada")
    assert client.get(VERIFY, headers=headers).status_code == 200
    disable_user(operator.uow(), clock, "ada", actor="test", origin="test")
    response = client.get(VERIFY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    denial = events(container)[-1]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.details["reason"] == "invalid-token"
    assert denial.actor.startswith("token:")


def test_last_use_is_written_at_most_once_a_minute_by_guarded_requests(
    container: Container, clock: FakeClock, client: TestClient, mestro: Register
) -> None:
    store_register(container.uow(), clock, mestro, "m")
    add_staff(container, "ada", ("auditor",))
    headers = bearer(container, clock, "ada")

    def last_used() -> object:
        uow = container.uow()
        with uow:
            return uow.tokens.list_all()[0].last_used_at

    first = clock.now()
    assert client.get(VERIFY, headers=headers).status_code == 200
    assert last_used() == first
    clock.advance(seconds=59)
    assert client.get(VERIFY, headers=headers).status_code == 200
    assert last_used() == first
    clock.advance(seconds=1)
    # The write commits inside the guard's unit of work; the role lookup still follows.
    assert client.get(VERIFY, headers=headers).status_code == 200
    assert last_used() == clock.now()
