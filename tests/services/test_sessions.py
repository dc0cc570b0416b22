"""Console sessions on SQLite and PostgreSQL: sign in, resolve, expire, sign out, end.

Also the shared access use cases the console relies on: ``authorise`` audits a
denial, ``record_denial`` writes one event, ``rights_of`` answers through ``decide``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Action, Actor, ActorId, ActorKind
from skydd.domain.audit import AuditAction, AuditEvent, UnreadableEvent
from skydd.domain.credentials import totp_code
from skydd.domain.errors import AccessDenied, AuthenticationFailed
from skydd.domain.password_change import PasswordChangeRefused, PasswordRule
from skydd.domain.sessions import SessionPolicy
from skydd.services.access import authorise, record_denial, rights_of
from skydd.services.accounts import add_user, disable_user, enroll_totp, set_password
from skydd.services.audit import verify_audit
from skydd.services.register import store_register
from skydd.services.sessions import (
    SignedIn,
    StaffMember,
    change_password,
    end_sessions,
    resolve_session,
    secret_hash,
    sign_in,
    sign_out,
)
from skydd.storage.passwords import HmacTokenHasher
from skydd.storage.register_files import load_register
from skydd.storage.tables import StaffSessionRow
from tests.conftest import MESTRO
from tests.fakes import FakeClock

pytestmark = pytest.mark.promise("P12")

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and longer passphrase"
POLICY = SessionPolicy(idle_timeout=dt.timedelta(minutes=30), lifetime=dt.timedelta(hours=12))


def add_anna(container: Container, roles: tuple[str, ...] = ("dpo",)) -> None:
    add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        "anna",
        roles=roles,
        password=PASSWORD,
        actor="cli:test",
        origin="cli",
    )


def login(
    container: Container,
    password: str = PASSWORD,
    *,
    replacing: str | None = None,
    totp: str | None = None,
) -> SignedIn:
    return sign_in(
        container.uow(),
        container.clock,
        container.password_hasher,
        container.token_hasher,
        POLICY,
        "anna",
        password,
        totp_code=totp,
        replacing=replacing,
        origin="test",
    )


def resolve(container: Container, secret: str | None) -> StaffMember | None:
    return resolve_session(container.uow(), container.clock, container.token_hasher, POLICY, secret)


def rows(container: Container) -> list[StaffSessionRow]:
    with container.session_factory() as session:
        return list(session.scalars(select(StaffSessionRow).order_by(StaffSessionRow.created_at)))


def events(container: Container) -> list[AuditEvent]:
    uow = container.uow()
    with uow:
        page = uow.audit.page(0, 10_000)
    return [e for e in page if not isinstance(e, UnreadableEvent)]


def test_sign_in_opens_a_session_stored_only_as_a_keyed_hash(container: Container) -> None:
    add_anna(container)
    signed = login(container)
    assert len(signed.secret) == 43
    assert signed.secret not in repr(signed)
    [row] = rows(container)
    assert row.secret_hash == secret_hash(container.token_hasher, signed.secret)
    assert row.secret_hash != HmacTokenHasher(b"another key" * 3).digest(signed.secret)
    assert signed.secret not in {row.secret_hash, row.credential_stamp}
    assert row.expires_at == container.clock.now() + dt.timedelta(hours=12)
    member = resolve(container, signed.secret)
    assert member is not None
    assert member.user.username == "anna"
    assert member.actor.id == f"user:{member.user.id}"
    assert member.actor.roles == ("dpo",)


def test_failed_sign_in_opens_no_session_and_is_audited(container: Container) -> None:
    add_anna(container)
    with pytest.raises(AuthenticationFailed):
        login(container, "not the password")
    assert rows(container) == []
    assert events(container)[-1].action == AuditAction.LOGIN_FAILED


def test_unknown_or_malformed_secrets_sign_nobody_in(container: Container) -> None:
    add_anna(container)
    login(container)
    assert resolve(container, None) is None
    assert resolve(container, "") is None
    assert resolve(container, "x" * 43) is None
    assert resolve(container, "not a session") is None


def test_an_idle_session_ends_and_use_keeps_it_alive(
    container: Container, clock: FakeClock
) -> None:
    add_anna(container)
    signed = login(container)
    clock.advance(minutes=29)
    assert resolve(container, signed.secret) is not None  # seen: the idle clock restarts
    clock.advance(minutes=29)
    assert resolve(container, signed.secret) is not None
    clock.advance(minutes=30)
    assert resolve(container, signed.secret) is None
    [row] = rows(container)
    assert row.revoked_at is None  # idle, not revoked: nothing to write down


def test_a_used_session_still_ends_at_its_lifetime(container: Container, clock: FakeClock) -> None:
    add_anna(container)
    signed = login(container)
    for _ in range(24):  # 24 x 29 min = 11 h 36 min
        clock.advance(minutes=29)
        assert resolve(container, signed.secret) is not None
    clock.advance(minutes=24)  # exactly 12 h after sign-in
    assert resolve(container, signed.secret) is None


def test_sign_out_revokes_on_the_server_and_is_audited(
    container: Container, clock: FakeClock
) -> None:
    add_anna(container)
    signed = login(container)
    ended = sign_out(container.uow(), clock, container.token_hasher, signed.secret, origin="test")
    assert ended is not None
    assert ended.revoked_at == clock.now()
    assert resolve(container, signed.secret) is None
    last = events(container)[-1]
    assert last.action == AuditAction.LOGOUT
    assert last.target == f"session:{ended.id}"
    assert last.actor == f"user:{ended.user_id}"
    assert signed.secret not in repr(events(container))
    again = sign_out(container.uow(), clock, container.token_hasher, signed.secret, origin="test")
    assert again is None
    assert verify_audit(container.uow()).ok


def test_signing_in_replaces_the_presented_session(container: Container) -> None:
    add_anna(container)
    first = login(container)
    second = login(container, replacing=first.secret)
    assert second.secret != first.secret
    assert resolve(container, first.secret) is None
    assert resolve(container, second.secret) is not None
    # The replaced session is revoked, then pruned with every other ended one.
    assert [r.id for r in rows(container)] == [second.session.id]


def test_an_attacker_chosen_id_never_becomes_a_session(container: Container) -> None:
    add_anna(container)
    planted = "P" * 43
    signed = login(container, replacing=planted)
    assert signed.secret != planted
    assert resolve(container, planted) is None


def test_disabling_the_user_ends_the_session_for_good(
    container: Container, clock: FakeClock
) -> None:
    add_anna(container)
    signed = login(container)
    disable_user(container.uow(), clock, "anna", actor="cli:test", origin="cli")
    disabled_at = clock.now()
    [row] = rows(container)
    assert row.revoked_at == disabled_at  # at once, not at the session's next request
    clock.advance(minutes=1)
    assert resolve(container, signed.secret) is None
    assert rows(container)[0].revoked_at == disabled_at


def test_a_password_set_elsewhere_ends_the_session(container: Container, clock: FakeClock) -> None:
    add_anna(container)
    signed = login(container)
    set_password(
        container.uow(),
        clock,
        container.password_hasher,
        "anna",
        NEW_PASSWORD,
        actor="cli:test",
        origin="cli",
    )
    changed_at = clock.now()
    assert rows(container)[0].revoked_at == changed_at  # at once
    clock.advance(minutes=1)
    assert resolve(container, signed.secret) is None
    assert rows(container)[0].revoked_at == changed_at


def test_changing_ones_password_ends_every_session_and_opens_a_new_one(
    container: Container, clock: FakeClock
) -> None:
    add_anna(container)
    laptop = login(container)
    phone = login(container)
    member = resolve(container, laptop.secret)
    assert member is not None
    renewed = change_password(
        container.uow(),
        clock,
        container.password_hasher,
        container.token_hasher,
        POLICY,
        member,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
        origin="test",
    )
    assert resolve(container, laptop.secret) is None
    assert resolve(container, phone.secret) is None
    assert resolve(container, renewed.secret) is not None
    assert renewed.secret not in {laptop.secret, phone.secret}
    assert [r.id for r in rows(container)] == [renewed.session.id]
    with pytest.raises(AuthenticationFailed):
        login(container, PASSWORD)
    assert login(container, NEW_PASSWORD).user.username == "anna"


def test_a_refused_password_change_changes_nothing(container: Container, clock: FakeClock) -> None:
    add_anna(container)
    signed = login(container)
    member = resolve(container, signed.secret)
    assert member is not None

    def attempt(current: str, new: str, confirmation: str) -> None:
        change_password(
            container.uow(),
            clock,
            container.password_hasher,
            container.token_hasher,
            POLICY,
            member,
            current_password=current,
            new_password=new,
            confirmation=confirmation,
            origin="test",
        )

    with pytest.raises(PasswordChangeRefused) as refused:
        attempt(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert refused.value.rule is PasswordRule.MISMATCH
    with pytest.raises(AuthenticationFailed):
        attempt("a wrong current password", NEW_PASSWORD, NEW_PASSWORD)
    assert events(container)[-1].details["reason"] == "bad-password"
    assert resolve(container, signed.secret) is not None
    with container.uow() as uow:
        user = uow.users.by_username("anna")
    assert user is not None
    assert user.failed_attempts == 1  # the wrong proof counts towards the lockout


def test_totp_is_needed_to_sign_in_once_enrolled(container: Container, clock: FakeClock) -> None:
    add_anna(container)
    secret = enroll_totp(container.uow(), clock, "anna", actor="cli:test", origin="cli")
    with pytest.raises(AuthenticationFailed):
        login(container)
    assert rows(container) == []
    assert login(container, totp=totp_code(secret, clock.now())).user.has_totp


def test_end_sessions_revokes_every_live_session_of_a_user(
    container: Container, clock: FakeClock
) -> None:
    add_anna(container)
    first, second = login(container), login(container)
    member = resolve(container, first.secret)
    assert member is not None
    assert end_sessions(container.uow(), clock, member.user.id) == 2
    assert resolve(container, first.secret) is None
    assert resolve(container, second.secret) is None
    assert end_sessions(container.uow(), clock, member.user.id) == 0


def test_sign_in_prunes_the_users_ended_sessions(container: Container, clock: FakeClock) -> None:
    add_anna(container)
    login(container)
    clock.advance(hours=1)  # the first one is idle now
    second = login(container)
    assert [r.id for r in rows(container)] == [second.session.id]


def test_authorise_allows_or_audits_the_denial_and_refuses(
    container: Container, clock: FakeClock
) -> None:
    store_register(container.uow(), clock, load_register(MESTRO), "m")
    dpo = Actor(ActorId("user:dpo"), roles=("dpo",), kind=ActorKind.USER)
    nobody = Actor(ActorId("user:nobody"), roles=(), kind=ActorKind.USER)
    before = len(events(container))
    authorise(
        container.uow(),
        clock,
        container.role_cache,
        dpo,
        Action.AUDIT_READ,
        organisation=None,
        route="GET /console",
        origin="test",
    )
    assert len(events(container)) == before
    with pytest.raises(AccessDenied, match="no-roles"):
        authorise(
            container.uow(),
            clock,
            container.role_cache,
            nobody,
            Action.AUDIT_READ,
            organisation=None,
            route="GET /console",
            origin="test",
        )
    [denial] = events(container)[before:]
    assert denial.action == AuditAction.ACCESS_DENIED
    assert denial.actor == "user:nobody"
    assert denial.organisation == "mestro"
    assert dict(denial.details) == {
        "action": "audit.read",
        "reason": "no-roles",
        "route": "GET /console",
    }


def test_record_denial_writes_one_event_without_an_action(container: Container) -> None:
    record_denial(
        container.uow(),
        container.clock,
        actor="anonymous",
        route="POST /console/login",
        action=None,
        reason="invalid-csrf-token",
        origin="console",
    )
    [event] = events(container)
    assert event.target == "route:POST /console/login"
    assert event.origin == "console"
    assert dict(event.details) == {"reason": "invalid-csrf-token", "route": "POST /console/login"}
    assert verify_audit(container.uow()).ok


def test_rights_answer_through_decide(container: Container, clock: FakeClock) -> None:
    register = load_register(MESTRO)
    store_register(container.uow(), clock, register, "m")
    auditor = Actor(ActorId("user:a"), roles=("auditor", "no-such-role"), kind=ActorKind.USER)
    rights = rights_of(container.uow(), container.role_cache, auditor, None)
    assert rights.actions == (Action.REGISTER_READ, Action.AUDIT_READ)
    assert rights.purposes == ()
    assert [r.key for r in rights.roles] == ["auditor"]
    dpo = Actor(ActorId("user:d"), roles=("dpo",), kind=ActorKind.USER)
    dpo_rights = rights_of(container.uow(), container.role_cache, dpo, None)
    assert Action.USERS_MANAGE not in dpo_rights.actions
    reads = dict(dpo_rights.purposes)[Action.READ]
    assert [r.purpose.key for r in reads] == [p.key for p in register.purposes]
    assert all(r.data_subjects is None for r in reads)
