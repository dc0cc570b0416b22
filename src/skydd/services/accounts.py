"""Use cases of staff accounts and API tokens: add, sign in, lock out, issue, revoke.

Every refusal to authenticate raises the same :class:`AuthenticationFailed`, whatever
the reason; the audit log records the reason (``login.failed`` with a ``reason``
detail), keyed by ``user:<uuid>`` or ``anonymous``, never by the user name.

Hashers are ports: argon2id for passwords and HMAC-SHA256 for tokens live in
``storage.passwords``; the caller passes them in.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from skydd.domain.access_vocabulary import Actor, ActorId, ActorKind, Scope
from skydd.domain.audit import AuditAction, DetailValue
from skydd.domain.clock import Clock
from skydd.domain.credentials import (
    ApiToken,
    StaffUser,
    TokenId,
    UserId,
    check_password,
    check_username,
    format_token,
    is_locked,
    is_totp_replay,
    locked_until,
    matching_totp_step,
    parse_token,
)
from skydd.domain.errors import AuthenticationFailed, ConflictError, InvalidInput, NotFoundError
from skydd.domain.roles import BUILTIN_ROLE_KEYS, roles_for
from skydd.domain.sessions import revoked
from skydd.services.audit import record
from skydd.services.ports import PasswordHasher, TokenHasher
from skydd.services.unit_of_work import UnitOfWork

LAST_USED_RESOLUTION = dt.timedelta(seconds=60)
"""``last_used_at`` is written at most once a minute per token: most requests only read."""

ANONYMOUS = "anonymous"


def add_user(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    username: str,
    *,
    roles: Iterable[str] = (),
    password: str | None = None,
    actor: str,
    origin: str,
) -> tuple[StaffUser, str | None]:
    """Create an account; returns it and the generated one-time password, if any.

    Without ``password`` a random one is generated, returned once and never stored
    in clear; the account is flagged to change it at first sign-in.
    """
    check_username(username)
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(18)
    check_password(password, username)
    with uow:
        wanted = _checked_roles(uow, roles)
        if uow.users.by_username(username) is not None:
            msg = "a user with that name already exists"
            raise ConflictError(msg)
        user = StaffUser(
            id=UserId(uuid.uuid4()),
            username=username,
            password_hash=hasher.hash(password),
            roles=wanted,
            created_at=clock.now(),
            must_change_password=generated is not None,
        )
        uow.users.add(user)
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.USER_ADDED,
            target=user.actor_id,
            origin=origin,
            details={"roles": ",".join(wanted)},
        )
        uow.commit()
    return user, generated


def list_users(uow: UnitOfWork) -> list[StaffUser]:
    """Every account, by user name."""
    with uow:
        return uow.users.list_all()


def disable_user(
    uow: UnitOfWork, clock: Clock, username: str, *, actor: str, origin: str
) -> StaffUser:
    """Disable an account: it can no longer sign in, its tokens and sessions stop working."""
    with uow:
        user = replace(_user(uow, username), disabled=True)
        end_live_sessions(uow, clock.now(), user.id)
        _save_audited(uow, clock, user, AuditAction.USER_DISABLED, actor=actor, origin=origin)
    return user


def set_roles(
    uow: UnitOfWork, clock: Clock, username: str, roles: Iterable[str], *, actor: str, origin: str
) -> StaffUser:
    """Replace an account's roles with ``roles`` (built-in or defined in a stored register)."""
    with uow:
        wanted = _checked_roles(uow, roles)
        user = replace(_user(uow, username), roles=wanted)
        _save_audited(
            uow,
            clock,
            user,
            AuditAction.USER_CHANGED,
            actor=actor,
            origin=origin,
            details={"roles": ",".join(wanted)},
        )
    return user


def set_password(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    username: str,
    password: str,
    *,
    actor: str,
    origin: str,
) -> StaffUser:
    """Give an account a new password; clears the one-time flag and any lock.

    Every console session of the account ends: whoever knew the old password is out.
    """
    check_password(password, username)
    with uow:
        user = replace(
            _user(uow, username),
            password_hash=hasher.hash(password),
            must_change_password=False,
            failed_attempts=0,
            locked_until=None,
        )
        end_live_sessions(uow, clock.now(), user.id)
        _save_audited(
            uow,
            clock,
            user,
            AuditAction.USER_CHANGED,
            actor=actor,
            origin=origin,
            details={"change": "password"},
        )
    return user


def enroll_totp(uow: UnitOfWork, clock: Clock, username: str, *, actor: str, origin: str) -> str:
    """Enrol a TOTP second factor; returns the base32 secret to show once (as a QR code)."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    with uow:
        user = replace(_user(uow, username), totp_secret=secret, totp_last_step=None)
        _save_audited(
            uow,
            clock,
            user,
            AuditAction.USER_CHANGED,
            actor=actor,
            origin=origin,
            details={"change": "totp-enrolled"},
        )
    return secret


def authenticate_password(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    username: str,
    password: str,
    *,
    totp_code: str | None = None,
    origin: str,
) -> Actor:
    """The actor for a correct user name, password (and TOTP code when enrolled).

    Raises :class:`AuthenticationFailed` (one message for every reason). Failures
    count towards the lockout and are committed before raising; attempts while
    locked are refused and audited but do not lengthen the lock, so nobody can keep
    someone else's account locked for ever by hammering it.
    """
    now = clock.now()
    with uow:
        user = uow.users.by_username(username) if len(password) <= 1024 else None
        if user is None:
            # Spend the same argon2 time as a real check: no user-name oracle by timing.
            hasher.hash(password[:1024])
            _audit_login(uow, clock, ANONYMOUS, "staff", origin, reason="unknown-user")
            uow.commit()
            raise AuthenticationFailed
        reason, totp_step = _refusal(user, hasher, password, totp_code, now)
        if reason is not None:
            if reason != "locked":
                attempts = user.failed_attempts + 1
                failed = replace(
                    user,
                    failed_attempts=attempts,
                    locked_until=locked_until(attempts, now) or user.locked_until,
                )
                uow.users.save(failed)
            _audit_login(uow, clock, user.actor_id, user.actor_id, origin, reason=reason)
            uow.commit()
            raise AuthenticationFailed
        password_hash = (
            hasher.hash(password) if hasher.needs_rehash(user.password_hash) else user.password_hash
        )
        signed_in = replace(
            user,
            password_hash=password_hash,
            failed_attempts=0,
            locked_until=None,
            last_login_at=now,
            totp_last_step=totp_step if totp_step is not None else user.totp_last_step,
        )
        uow.users.save(signed_in)
        _audit_login(uow, clock, user.actor_id, user.actor_id, origin, reason=None)
        uow.commit()
    return Actor(id=ActorId(user.actor_id), roles=user.roles, kind=ActorKind.USER)


def create_token(
    uow: UnitOfWork,
    clock: Clock,
    hasher: TokenHasher,
    *,
    name: str,
    scopes: frozenset[Scope],
    expires_at: dt.datetime | None = None,
    owner: str | None = None,
    actor: str,
    origin: str,
) -> tuple[str, ApiToken]:
    """Issue a token; returns its text (show once, never stored) and the stored record."""
    if not scopes:
        msg = "a token needs at least one scope"
        raise InvalidInput(msg)
    if not name.strip() or len(name) > 120:
        msg = "a token name is 1-120 characters"
        raise InvalidInput(msg)
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        msg = "the expiry must lie in the future"
        raise InvalidInput(msg)
    token_id = TokenId(secrets.token_hex(8))
    secret = secrets.token_urlsafe(32)
    with uow:
        owner_id = _user(uow, owner).id if owner is not None else None
        token = ApiToken(
            id=uuid.uuid4(),
            token_id=token_id,
            secret_hash=hasher.digest(secret),
            name=name,
            scopes=scopes,
            created_at=now,
            owner=owner_id,
            expires_at=expires_at,
        )
        uow.tokens.add(token)
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.TOKEN_CREATED,
            target=token.actor_id,
            origin=origin,
            details={"scopes": ",".join(sorted(s.value for s in scopes))},
        )
        uow.commit()
    return format_token(token_id, secret), token


def list_tokens(uow: UnitOfWork) -> list[ApiToken]:
    """Every token, oldest first (hashes included; adapters show ids and dates only)."""
    with uow:
        return uow.tokens.list_all()


def revoke_token(
    uow: UnitOfWork, clock: Clock, token_id: str, *, actor: str, origin: str
) -> ApiToken:
    """Revoke a token by its public id; revoking twice keeps the first time."""
    with uow:
        token = uow.tokens.by_token_id(TokenId(token_id))
        if token is None:
            msg = "no token with that id"
            raise NotFoundError(msg)
        if token.revoked_at is None:
            token = replace(token, revoked_at=clock.now())
            uow.tokens.save(token)
            record(
                uow,
                clock,
                actor=actor,
                action=AuditAction.TOKEN_REVOKED,
                target=token.actor_id,
                origin=origin,
            )
            uow.commit()
    return token


@dataclass(frozen=True)
class VerifiedToken:
    """A token that authenticated: its actor, and whether its last use is due a write."""

    actor: Actor
    token_id: TokenId
    use_due: bool
    """``last_used_at`` is older than :data:`LAST_USED_RESOLUTION` (or unset)."""


def authenticate_token(uow: UnitOfWork, clock: Clock, hasher: TokenHasher, presented: str) -> Actor:
    """The actor for a presented token: its scopes and its owner's roles.

    Raises :class:`AuthenticationFailed` for anything unknown, revoked, expired,
    owned by a disabled account or with a wrong secret. ``last_used_at`` is written
    only when older than :data:`LAST_USED_RESOLUTION`, so most requests only read.
    Token failures are not audited one by one (a flood would swamp the chain).
    """
    with uow:
        verified = verify_token(uow, clock, hasher, presented)
        if verified.use_due:
            record_token_use(uow, clock, verified.token_id)
    return verified.actor


def verify_token(
    uow: UnitOfWork, clock: Clock, hasher: TokenHasher, presented: str
) -> VerifiedToken:
    """Check a presented token with reads only; the caller records its use when due.

    Token and owner come in one query, since this runs on every authenticated
    request. Split from the write so the API can check on the event loop (reads that
    never wait) and leave the write to a worker thread after the response.
    """
    parsed = parse_token(presented)
    if parsed is None:
        raise AuthenticationFailed
    now = clock.now()
    with uow:
        found = uow.tokens.with_owner(parsed.token_id)
    token, owner = found if found is not None else (None, None)
    expected = token.secret_hash if token is not None else "0" * 64
    matches = secrets.compare_digest(expected, hasher.digest(parsed.secret))
    if token is None or not matches or not token.is_usable(now):
        raise AuthenticationFailed
    roles: tuple[str, ...] = ()
    if token.owner is not None:
        if owner is None or owner.disabled:
            raise AuthenticationFailed
        roles = owner.roles
    actor = Actor(
        id=ActorId(token.actor_id), roles=roles, kind=ActorKind.TOKEN, scopes=token.scopes
    )
    due = token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION
    return VerifiedToken(actor, token.token_id, due)


def record_token_use(uow: UnitOfWork, clock: Clock, token_id: TokenId) -> None:
    """Write ``last_used_at`` of a token that authenticated (at most once a minute)."""
    with uow:
        token = uow.tokens.by_token_id(token_id)
        if token is not None:
            uow.tokens.save(replace(token, last_used_at=clock.now()))
            uow.commit()


def end_live_sessions(uow: UnitOfWork, now: dt.datetime, user_id: UserId) -> int:
    """Revoke the user's live console sessions in the open unit of work; how many ended."""
    live = [s for s in uow.sessions.of_user(user_id) if s.revoked_at is None]
    for session in live:
        uow.sessions.save(revoked(session, now))
    return len(live)


def known_role_keys(uow: UnitOfWork) -> frozenset[str]:
    """Built-in role keys plus those defined in the latest stored register of each organisation."""
    keys = set(BUILTIN_ROLE_KEYS)
    for org_key in uow.organisations.keys():  # noqa: SIM118 - a repository, not a dict
        org_id = uow.organisations.id_for(org_key)
        stored = uow.registers.latest(org_id) if org_id is not None else None
        if stored is not None:
            keys |= set(roles_for(stored.register, stored.register.roles))
    return frozenset(keys)


def _checked_roles(uow: UnitOfWork, roles: Iterable[str]) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(roles))
    known = known_role_keys(uow)
    unknown = [r for r in wanted if r not in known]
    if unknown:
        msg = f"unknown role {unknown[0]!r}; known: {', '.join(sorted(known))}"
        raise InvalidInput(msg)
    return wanted


def _save_audited(
    uow: UnitOfWork,
    clock: Clock,
    user: StaffUser,
    action: AuditAction,
    *,
    actor: str,
    origin: str,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Store a changed account with its audit event, and commit both together."""
    uow.users.save(user)
    record(
        uow,
        clock,
        actor=actor,
        action=action,
        target=user.actor_id,
        origin=origin,
        details=details,
    )
    uow.commit()


def _user(uow: UnitOfWork, username: str) -> StaffUser:
    user = uow.users.by_username(username)
    if user is None:
        msg = "no user with that name"
        raise NotFoundError(msg)
    return user


def _refusal(
    user: StaffUser,
    hasher: PasswordHasher,
    password: str,
    totp_code: str | None,
    now: dt.datetime,
) -> tuple[str | None, int | None]:
    """Why to refuse (an audit reason) or None, and the TOTP step a good code used."""
    # Verify the password first in every case, so each refusal costs the same time.
    password_ok = hasher.verify(user.password_hash, password)
    if user.disabled:
        return "disabled", None
    if is_locked(user.locked_until, now):
        return "locked", None
    if not password_ok:
        return "bad-password", None
    if user.totp_secret is None:
        return None, None
    step = matching_totp_step(user.totp_secret, totp_code or "", now)
    if step is None:
        return "bad-totp", None
    if is_totp_replay(step, user.totp_last_step):
        return "totp-replayed", None
    return None, step


def _audit_login(
    uow: UnitOfWork,
    clock: Clock,
    actor: str,
    target: str,
    origin: str,
    *,
    reason: str | None,
) -> None:
    record(
        uow,
        clock,
        actor=actor,
        action=AuditAction.LOGIN_FAILED if reason else AuditAction.LOGIN_SUCCEEDED,
        target=target,
        origin=origin,
        details={"reason": reason} if reason else None,
    )
