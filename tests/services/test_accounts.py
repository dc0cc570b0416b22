"""Staff accounts and API tokens on SQLite and PostgreSQL: sign-in, lockout, TOTP, tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import ActorKind, Scope
from skydd.domain.audit import AuditAction, AuditEvent
from skydd.domain.credentials import totp_code
from skydd.domain.errors import AuthenticationFailed, ConflictError, InvalidInput
from skydd.domain.roles import RoleDefinition
from skydd.services.accounts import (
    add_user,
    authenticate_password,
    authenticate_token,
    create_token,
    disable_user,
    enroll_totp,
    list_users,
    revoke_token,
    set_password,
    set_roles,
)
from skydd.services.audit import export_audit, verify_audit
from skydd.services.register import store_register
from skydd.storage.passwords import Argon2PasswordHasher, HmacTokenHasher
from skydd.storage.register_files import load_register
from skydd.storage.tables import ApiTokenRow, StaffUserRow
from tests.conftest import MESTRO
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P12")

PASSWORD = "correct horse battery staple"
HASHER = Argon2PasswordHasher()
TOKENS = HmacTokenHasher(b"k" * 32)


def add_alice(container: Container, clock: FakeClock, roles: tuple[str, ...] = ("dpo",)) -> str:
    user, generated = add_user(
        container.uow(),
        clock,
        HASHER,
        "alice",
        roles=roles,
        password=PASSWORD,
        actor="cli:test",
        origin="cli",
    )
    assert generated is None
    return f"user:{user.id}"


def login(container: Container, clock: FakeClock, password: str = PASSWORD, **kw: str) -> str:
    actor = authenticate_password(
        container.uow(), clock, HASHER, "alice", password, origin="t", **kw
    )
    return actor.id


def test_added_user_signs_in_as_user_actor_with_roles(
    container: Container, clock: FakeClock
) -> None:
    actor_id = add_alice(container, clock)
    actor = authenticate_password(container.uow(), clock, HASHER, "alice", PASSWORD, origin="t")
    assert actor.id == actor_id
    assert actor.roles == ("dpo",)
    assert actor.kind is ActorKind.USER
    with container.uow() as uow:
        user = uow.users.by_username("alice")
    assert user is not None
    assert user.last_login_at == clock.now()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_generated_one_time_password_is_returned_once_and_must_be_changed(
    container: Container, clock: FakeClock
) -> None:
    user, generated = add_user(
        container.uow(), clock, HASHER, "root", roles=["admin"], actor="cli:t", origin="cli"
    )
    assert generated is not None
    assert len(generated) >= 20
    assert user.must_change_password
    assert generated not in user.password_hash
    authenticate_password(container.uow(), clock, HASHER, "root", generated, origin="t")
    changed = set_password(
        container.uow(), clock, HASHER, "root", PASSWORD, actor="user:x", origin="t"
    )
    assert not changed.must_change_password


def test_five_wrong_passwords_lock_even_the_right_one_until_the_lock_ends(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(container, clock, "wrong password!!")
    with pytest.raises(AuthenticationFailed, match="invalid credentials"):
        login(container, clock)
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AuthenticationFailed):
        login(container, clock)
    clock.advance(seconds=1)
    assert login(container, clock).startswith("user:")
    with container.uow() as uow:
        user = uow.users.by_username("alice")
    assert user is not None
    assert user.failed_attempts == 0
    assert user.locked_until is None


def test_unknown_user_and_disabled_user_get_the_same_error(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock)
    with pytest.raises(AuthenticationFailed) as unknown:
        authenticate_password(container.uow(), clock, HASHER, "bob", PASSWORD, origin="t")
    with pytest.raises(AuthenticationFailed) as wrong:
        login(container, clock, "not the password")
    disable_user(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    with pytest.raises(AuthenticationFailed) as disabled:
        login(container, clock)
    assert str(unknown.value) == str(wrong.value) == str(disabled.value)


def test_totp_is_required_once_enrolled(container: Container, clock: FakeClock) -> None:
    add_alice(container, clock)
    secret = enroll_totp(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    with pytest.raises(AuthenticationFailed):
        login(container, clock)
    with pytest.raises(AuthenticationFailed):
        login(
            container,
            clock,
            totp_code="000000" if totp_code(secret, clock.now()) != "000000" else "111111",
        )
    assert login(container, clock, totp_code=totp_code(secret, clock.now())).startswith("user:")


def test_a_totp_code_is_accepted_once_and_never_an_older_one(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock)
    secret = enroll_totp(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    code = totp_code(secret, clock.now())
    assert login(container, clock, totp_code=code).startswith("user:")
    with pytest.raises(AuthenticationFailed):
        login(container, clock, totp_code=code)  # replayed within its 30 s step
    clock.advance(seconds=30)
    earlier = totp_code(secret, clock.now(), step_offset=-1)
    with pytest.raises(AuthenticationFailed):
        login(container, clock, totp_code=earlier)  # still inside the drift window: replay
    assert login(container, clock, totp_code=totp_code(secret, clock.now())).startswith("user:")
    reasons = [
        e.details.get("reason")
        for e in _events(container, clock)
        if e.action in (AuditAction.LOGIN_FAILED, AuditAction.LOGIN_SUCCEEDED)
    ]
    assert reasons == [None, "totp-replayed", "totp-replayed", None]


def test_re_enrolling_totp_forgets_the_last_step(container: Container, clock: FakeClock) -> None:
    add_alice(container, clock)
    first = enroll_totp(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    login(container, clock, totp_code=totp_code(first, clock.now()))
    second = enroll_totp(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    assert login(container, clock, totp_code=totp_code(second, clock.now())).startswith("user:")


def _events(container: Container, clock: FakeClock) -> list[AuditEvent]:
    day = dt.timedelta(days=1)
    return list(export_audit(container.uow(), clock.now() - day, clock.now() + day, clock=clock))


def test_login_events_are_audited_by_user_id_never_by_name(
    container: Container, clock: FakeClock
) -> None:
    actor_id = add_alice(container, clock)
    login(container, clock)
    with pytest.raises(AuthenticationFailed):
        login(container, clock, "wrong password!!")
    with pytest.raises(AuthenticationFailed):
        authenticate_password(
            container.uow(), clock, HASHER, "mallory@example.se", PASSWORD, origin="t"
        )
    events = list(
        export_audit(
            container.uow(),
            clock.now() - dt.timedelta(days=1),
            clock.now() + dt.timedelta(days=1),
            clock=clock,
        )
    )
    logins = [(e.actor, e.action, dict(e.details)) for e in events if e.action.startswith("login.")]
    assert logins == [
        (actor_id, AuditAction.LOGIN_SUCCEEDED, {}),
        (actor_id, AuditAction.LOGIN_FAILED, {"reason": "bad-password"}),
        ("anonymous", AuditAction.LOGIN_FAILED, {"reason": "unknown-user"}),
    ]
    assert all("alice" not in str(e) and "mallory" not in str(e) for e in events)
    assert verify_audit(container.uow()).ok


def test_roles_are_checked_against_builtins_and_the_stored_register(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock)
    with pytest.raises(InvalidInput, match="unknown role 'wizard'"):
        set_roles(container.uow(), clock, "alice", ["wizard"], actor="cli:t", origin="cli")
    assert set_roles(
        container.uow(), clock, "alice", ["hr", "auditor"], actor="cli:t", origin="cli"
    ).roles == ("hr", "auditor")
    with pytest.raises(InvalidInput, match="unknown role 'recruiter'"):
        set_roles(container.uow(), clock, "alice", ["recruiter"], actor="cli:t", origin="cli")
    recruiter = RoleDefinition(key="recruiter", name={"en": "Recruiter"})
    register = load_register(MESTRO).model_copy(update={"roles": [recruiter]})
    store_register(container.uow(), clock, register, source="test")
    changed = set_roles(
        container.uow(), clock, "alice", ["recruiter", "hr"], actor="cli:t", origin="cli"
    )
    assert changed.roles == ("recruiter", "hr")
    with pytest.raises(ConflictError):
        add_alice(container, clock)
    assert [u.username for u in list_users(container.uow())] == ["alice"]


def test_token_authenticates_with_its_scopes_and_the_owners_roles(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock, roles=("support",))
    text, token = create_token(
        container.uow(),
        clock,
        TOKENS,
        name="website form",
        scopes=frozenset({Scope.REQUESTS_WRITE, Scope.CONSENT_WRITE}),
        owner="alice",
        actor="cli:t",
        origin="cli",
    )
    assert text.startswith(f"skydd_{token.token_id}_")
    actor = authenticate_token(container.uow(), clock, TOKENS, text)
    assert actor.id == f"token:{token.token_id}"
    assert actor.kind is ActorKind.TOKEN
    assert actor.roles == ("support",)
    assert actor.scopes == frozenset({Scope.REQUESTS_WRITE, Scope.CONSENT_WRITE})
    with container.uow() as uow:
        session = uow.tokens._session  # type: ignore[attr-defined]
        row = session.scalar(select(ApiTokenRow))
        assert row is not None
        secret = text.split("_", 2)[2]
        assert secret not in row.secret_hash and text not in row.secret_hash
        assert row.last_used_at == clock.now()
        assert session.scalar(select(StaffUserRow.password_hash)) != PASSWORD


def test_last_used_is_written_at_most_once_a_minute(container: Container, clock: FakeClock) -> None:
    text, _ = create_token(
        container.uow(),
        clock,
        TOKENS,
        name="ci",
        scopes=frozenset({Scope.AUDIT_READ}),
        actor="cli:t",
        origin="cli",
    )
    first = clock.now()
    authenticate_token(container.uow(), clock, TOKENS, text)
    clock.advance(seconds=30)
    authenticate_token(container.uow(), clock, TOKENS, text)
    with container.uow() as uow:
        assert uow.tokens.list_all()[0].last_used_at == first
    clock.advance(seconds=30)
    authenticate_token(container.uow(), clock, TOKENS, text)
    with container.uow() as uow:
        assert uow.tokens.list_all()[0].last_used_at == clock.now()


def test_revoked_expired_tampered_and_unknown_tokens_are_refused(
    container: Container, clock: FakeClock
) -> None:
    add_alice(container, clock)
    scopes = frozenset({Scope.REGISTER_READ})
    revoked, token = create_token(
        container.uow(), clock, TOKENS, name="a", scopes=scopes, actor="cli:t", origin="cli"
    )
    revoke_token(container.uow(), clock, token.token_id, actor="cli:t", origin="cli")
    expiring, _ = create_token(
        container.uow(),
        clock,
        TOKENS,
        name="b",
        scopes=scopes,
        expires_at=clock.now() + dt.timedelta(days=1),
        actor="cli:t",
        origin="cli",
    )
    owned, _ = create_token(
        container.uow(),
        clock,
        TOKENS,
        name="c",
        scopes=scopes,
        owner="alice",
        actor="cli:t",
        origin="cli",
    )
    authenticate_token(container.uow(), clock, TOKENS, expiring)
    clock.advance(days=1)
    disable_user(container.uow(), clock, "alice", actor="cli:t", origin="cli")
    tampered = expiring[:-1] + ("A" if expiring[-1] != "A" else "B")
    other_key = HmacTokenHasher(b"another key of at least 32 bytes")
    for text, hasher in [
        (revoked, TOKENS),
        (expiring, TOKENS),
        (tampered, TOKENS),
        (owned, TOKENS),
        (owned, other_key),
        ("skydd_0123456789abcdef_" + "a" * 43, TOKENS),
        ("not a token", TOKENS),
    ]:
        with pytest.raises(AuthenticationFailed, match="invalid credentials"):
            authenticate_token(container.uow(), clock, hasher, text)
    assert verify_audit(container.uow()).ok


def test_token_needs_scopes_a_name_and_a_future_expiry(
    container: Container, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput):
        create_token(
            container.uow(), clock, TOKENS, name="x", scopes=frozenset(), actor="t", origin="t"
        )
    with pytest.raises(InvalidInput):
        create_token(
            container.uow(),
            clock,
            TOKENS,
            name="x",
            scopes=frozenset({Scope.AUDIT_READ}),
            expires_at=clock.now(),
            actor="t",
            origin="t",
        )
