"""Staff accounts for tests: one way to add a member with roles, whatever the test is about."""

from __future__ import annotations

from contextlib import suppress

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Scope
from skydd.domain.errors import ConflictError
from skydd.services.accounts import add_user, create_token

PASSWORD = "correct horse battery staple"


def add_staff(
    container: Container, username: str, roles: tuple[str, ...], password: str | None = PASSWORD
) -> str | None:
    """Add an account; the generated one-time password when ``password`` is None."""
    _, generated = add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        username,
        roles=roles,
        password=password,
        actor="cli:test",
        origin="cli",
    )
    return generated


def dpo_headers(container: Container) -> dict[str, str]:
    """A data protection officer's all-scopes token, as an ``Authorization`` header.

    Each call makes a new token; the account is added by the first.
    """
    with suppress(ConflictError):
        add_staff(container, "dpo-user", ("dpo",))
    secret, _ = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name="dpo token",
        scopes=frozenset(Scope),
        owner="dpo-user",
        actor="test",
        origin="test",
    )
    return {"Authorization": f"Bearer {secret}"}
