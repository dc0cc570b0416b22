"""The per-request path of a token check, on SQLite and PostgreSQL (P12).

A guarded request authenticates the token and looks up the served organisation's
roles in one unit of work: token and owner in one query, the newest register version
id in another, and the roles from a cache keyed by that id. These tests pin what that
must never change: refusals stay refusals, a new register version applies at once,
and the organisation is resolved exactly as ``current_register`` resolves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event

from skydd.bootstrap import Container, build_container
from skydd.config import Settings
from skydd.domain.access_vocabulary import Action, ActorKind, Scope
from skydd.domain.errors import AuthenticationFailed, InvalidInput, NotFoundError
from skydd.domain.register import Register
from skydd.domain.roles import RoleDefinition
from skydd.services.accounts import authenticate_token, create_token, disable_user
from skydd.services.register import current_register, served_roles, store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG
from tests.fakes import FakeClock
from tests.staff import add_staff

pytestmark = pytest.mark.promise("P12")

REVIEWER = "reviewer"


def with_reviewer(register: Register, *permissions: Action) -> Register:
    """``register`` with an organisation-defined role ``reviewer`` holding ``permissions``."""
    role = RoleDefinition(
        key=REVIEWER,
        name={"sv": "Granskare av registret", "en": "Register reviewer"},
        permissions=frozenset(permissions),
    )
    return register.model_copy(update={"roles": [role]})


def issue(container: Container, clock: FakeClock, owner: str | None) -> str:
    text, _ = create_token(
        container.uow(),
        clock,
        container.token_hasher,
        name="integration",
        scopes=frozenset(Scope),
        owner=owner,
        actor="test",
        origin="test",
    )
    return text


@pytest.fixture
def selects(container: Container) -> Iterator[list[str]]:
    """The SELECT statements the container's engine runs while the test records."""
    seen: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", remember)
    yield seen
    event.remove(container.engine, "before_cursor_execute", remember)


def test_a_warm_check_runs_two_selects_outside_any_transaction(
    container: Container, clock: FakeClock, selects: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    add_staff(container, "ada", ("auditor",))
    token = issue(container, clock, "ada")

    def check() -> tuple[str, ...]:
        uow = container.uow()
        with uow:
            actor = authenticate_token(uow, clock, container.token_hasher, token)
            roles = served_roles(uow, container.role_cache, None).roles
        return tuple(key for key in actor.roles if key in roles)

    assert check() == ("auditor",)  # fills the role cache and writes last_used_at
    fast = container.fast_reads
    assert fast is not None
    direct: list[object] = []
    prepare = fast._prepare  # every fast read prepares its statement (cached) first

    def recorded(statement: Any) -> Any:
        direct.append(statement)
        return prepare(statement)

    monkeypatch.setattr(fast, "_prepare", recorded)
    selects.clear()
    assert check() == ("auditor",)
    # Token with owner, then the newest register version: straight on a pooled
    # connection, no ORM session, no transaction (no BEGIN IMMEDIATE on SQLite).
    assert len(direct) == 2
    assert selects == []

    clock.advance(minutes=2)  # last_used_at is due again: the write takes the session
    direct.clear()
    assert check() == ("auditor",)
    assert len(direct) == 2


def test_an_ownerless_token_authenticates_without_roles(
    container: Container, clock: FakeClock
) -> None:
    token = issue(container, clock, None)
    actor = authenticate_token(container.uow(), clock, container.token_hasher, token)
    assert actor.kind is ActorKind.TOKEN
    assert actor.roles == ()
    assert actor.scopes == frozenset(Scope)


def test_a_disabled_owner_refuses_the_token_even_in_a_shared_unit_of_work(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    add_staff(container, "ada", ("dpo",))
    token = issue(container, clock, "ada")
    assert authenticate_token(container.uow(), clock, container.token_hasher, token).roles == (
        "dpo",
    )
    disable_user(container.uow(), clock, "ada", actor="t", origin="t")
    uow = container.uow()
    with pytest.raises(AuthenticationFailed), uow:
        authenticate_token(uow, clock, container.token_hasher, token)


def test_a_newly_stored_version_changes_the_roles_on_the_next_lookup(
    container: Container, settings: Settings, clock: FakeClock
) -> None:
    mestro = load_register(MESTRO)
    store_register(container.uow(), clock, with_reviewer(mestro, Action.REGISTER_READ), "v1")
    first = served_roles(container.uow(), container.role_cache, None)
    assert first.roles[REVIEWER].permissions == {Action.REGISTER_READ}
    assert served_roles(container.uow(), container.role_cache, None) is first

    # Another process (the CLI) stores the next version: no restart, no shared cache.
    other = build_container(settings, clock=clock)
    try:
        store_register(
            other.uow(), clock, with_reviewer(mestro, Action.REGISTER_READ, Action.AUDIT_READ), "v2"
        )
    finally:
        other.close()
    second = served_roles(container.uow(), container.role_cache, None)
    assert second.version_id != first.version_id
    assert second.roles[REVIEWER].permissions == {Action.REGISTER_READ, Action.AUDIT_READ}

    store_register(container.uow(), clock, mestro, "v3")
    assert REVIEWER not in served_roles(container.uow(), container.role_cache, None).roles


def test_the_served_organisation_is_resolved_like_the_current_register(
    container: Container, clock: FakeClock
) -> None:
    with pytest.raises(NotFoundError, match="no register has been loaded"):
        served_roles(container.uow(), container.role_cache, None)
    mestro = store_register(container.uow(), clock, load_register(MESTRO), "m")
    served = served_roles(container.uow(), container.role_cache, None)
    assert served.version_id == mestro.id
    assert served.register == current_register(container.uow(), None).register

    store_register(container.uow(), clock, load_register(SECOND_ORG), "s")
    for key in (None, "mestro", "northwind_health", "unknown"):
        assert _outcome(partial(served_roles, container.uow(), container.role_cache, key)) == (
            _outcome(partial(current_register, container.uow(), key))
        )
    with pytest.raises(InvalidInput, match="several organisations"):
        served_roles(container.uow(), container.role_cache, None)
    second = served_roles(container.uow(), container.role_cache, "northwind_health")
    assert second.register.organisation.key == "northwind_health"


def _outcome(call: Callable[[], object]) -> str:
    """The refusal ``call`` raises, by type and message, or ``answered``."""
    try:
        call()
    except (NotFoundError, InvalidInput) as exc:
        return f"{type(exc).__name__}: {exc.message}"
    return "answered"
