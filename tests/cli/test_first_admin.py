"""`make run` (skydd serve --load) creates the first admin once, with a one-time password."""

from __future__ import annotations

import pytest

from skydd.bootstrap import Container
from skydd.cli import serve
from skydd.services.accounts import authenticate_password, list_users
from skydd.storage.passwords import Argon2PasswordHasher


@pytest.mark.promise("P16")
def test_first_admin_is_created_once_and_can_sign_in(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    serve._create_first_admin(container)
    printed = capsys.readouterr().err
    assert "first admin: user 'admin', one-time password " in printed
    password = printed.split("one-time password ")[1].split()[0]

    users = list_users(container.uow())
    assert [(u.username, list(u.roles)) for u in users] == [("admin", ["admin"])]
    actor = authenticate_password(
        container.uow(),
        container.clock,
        Argon2PasswordHasher(),
        "admin",
        password,
        origin="test",
    )
    assert actor.roles == ("admin",)

    serve._create_first_admin(container)
    assert capsys.readouterr().err == ""
    assert len(list_users(container.uow())) == 1
