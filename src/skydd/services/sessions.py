"""Use cases of staff console sessions: sign in, find the session of a request, sign out.

A session's secret is 256 random bits, handed to the caller once (the web layer puts
it in a cookie) and stored only as its keyed hash (the :class:`TokenHasher` port,
HMAC-SHA256 under the deployment secret, with a label of its own), so a copy of the
database holds no usable session. Every sign-in opens a new session with a new
secret and revokes the one the browser presented, if any: an id planted before
sign-in never becomes signed in (session fixation).

Sign-in itself is :func:`skydd.services.accounts.authenticate_password`: the same
lockout, TOTP and single refusal for every reason. A session ends when it is
revoked, expired, idle, its user disabled or gone, or the password changed
(``domain/sessions.py``). ADR 0013.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

from skydd.domain.access_vocabulary import Actor, ActorId, ActorKind
from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.credentials import StaffUser, UserId, check_username
from skydd.domain.errors import AuthenticationFailed, InvalidInput
from skydd.domain.password_change import check_password_change
from skydd.domain.sessions import (
    SECRET_BYTES,
    SessionEnd,
    SessionId,
    SessionPolicy,
    StaffSession,
    is_secret_shaped,
    revoked,
    session_end,
    start_session,
    touched,
)
from skydd.services.accounts import authenticate_password, end_live_sessions, set_password
from skydd.services.audit import record
from skydd.services.ports import PasswordHasher, TokenHasher
from skydd.services.unit_of_work import UnitOfWork

HASH_LABEL = "staff-session:"
"""Prefixed to a session secret before hashing: API token secrets never share its digests."""

_ENDED_FOR_GOOD = frozenset({SessionEnd.USER_DISABLED, SessionEnd.CREDENTIALS_CHANGED})
"""Ends found on a request that are written down, so the session stays ended."""


@dataclass(frozen=True)
class SignedIn:
    """A session just opened: its secret (give it to the browser once) and its record."""

    secret: str = field(repr=False)
    session: StaffSession
    user: StaffUser = field(repr=False)


@dataclass(frozen=True)
class StaffMember:
    """Who a live session signs in: the session and the account behind it."""

    session: StaffSession
    user: StaffUser = field(repr=False)

    @property
    def actor(self) -> Actor:
        """The actor ``decide`` is asked about: the account's id and roles."""
        return Actor(id=ActorId(self.user.actor_id), roles=self.user.roles, kind=ActorKind.USER)


def secret_hash(hasher: TokenHasher, secret: str) -> str:
    """The keyed hash a session secret is stored and looked up by."""
    return hasher.digest(HASH_LABEL + secret)


def sign_in(
    uow: UnitOfWork,
    clock: Clock,
    passwords: PasswordHasher,
    hasher: TokenHasher,
    policy: SessionPolicy,
    username: str,
    password: str,
    *,
    totp_code: str | None = None,
    replacing: str | None = None,
    origin: str,
) -> SignedIn:
    """Check the credentials, then open a fresh session; ``replacing`` is revoked.

    Raises :class:`AuthenticationFailed` for every refusal (audited and counted by
    ``authenticate_password``); no session is opened or revoked then.
    """
    if not is_username(username):
        # No account can have such a name; asking for "" fails the same way (one argon2
        # computation, audited as an unknown user) without sending e.g. a NUL byte to
        # a database that refuses it.
        username = ""
    authenticate_password(
        uow, clock, passwords, username, password, totp_code=totp_code, origin=origin
    )
    with uow:
        user = uow.users.by_username(username)
        if user is None:  # deleted between the two transactions
            raise AuthenticationFailed
        signed_in = _open(uow, clock, hasher, policy, user, replacing)
        uow.commit()
    return signed_in


def resolve_session(
    uow: UnitOfWork, clock: Clock, hasher: TokenHasher, policy: SessionPolicy, presented: str | None
) -> StaffMember | None:
    """The staff member a presented session secret signs in, or ``None``.

    ``None`` for anything unknown, malformed or ended. A session ended because its
    user was disabled or its password changed is revoked on the spot. A live session
    is marked seen (at most once per ``TOUCH_RESOLUTION``), which keeps it from idling.
    """
    if not is_secret_shaped(presented):
        return None
    now = clock.now()
    with uow:
        session = uow.sessions.by_secret_hash(secret_hash(hasher, presented))
        if session is None:
            return None
        user = uow.users.get(session.user_id)
        end = session_end(session, user, now, policy)
        if end is not None or user is None:
            if end in _ENDED_FOR_GOOD:
                uow.sessions.save(revoked(session, now))
                uow.commit()
            return None
        seen = touched(session, now)
        if seen is not None:
            uow.sessions.save(seen)
            uow.commit()
            session = seen
    return StaffMember(session, user)


def sign_out(
    uow: UnitOfWork, clock: Clock, hasher: TokenHasher, presented: str | None, *, origin: str
) -> StaffSession | None:
    """Revoke the presented session (audited as ``logout``); the one ended, if any."""
    if not is_secret_shaped(presented):
        return None
    with uow:
        session = uow.sessions.by_secret_hash(secret_hash(hasher, presented))
        if session is None or session.revoked_at is not None:
            return None
        ended = revoked(session, clock.now())
        uow.sessions.save(ended)
        record(
            uow,
            clock,
            actor=f"user:{session.user_id}",
            action=AuditAction.LOGOUT,
            target=session.target,
            origin=origin,
        )
        uow.commit()
    return ended


def change_password(
    uow: UnitOfWork,
    clock: Clock,
    passwords: PasswordHasher,
    hasher: TokenHasher,
    policy: SessionPolicy,
    member: StaffMember,
    *,
    current_password: str,
    new_password: str,
    confirmation: str,
    totp_code: str | None = None,
    origin: str,
) -> SignedIn:
    """Change the member's own password; every session of theirs ends, a new one opens.

    The current password (and TOTP code, when enrolled) is proven again through
    ``authenticate_password``, so guesses here count towards the lockout like any
    sign-in. Raises :class:`PasswordChangeRefused` before that when the new password
    breaks a rule, and :class:`AuthenticationFailed` when the proof fails; either way
    nothing changes.
    """
    username = member.user.username
    check_password_change(username, current_password, new_password, confirmation)
    authenticate_password(
        uow, clock, passwords, username, current_password, totp_code=totp_code, origin=origin
    )
    set_password(
        uow, clock, passwords, username, new_password, actor=member.user.actor_id, origin=origin
    )
    with uow:
        user = uow.users.get(member.user.id)
        if user is None:  # deleted meanwhile
            raise AuthenticationFailed
        end_live_sessions(uow, clock.now(), user.id)
        signed_in = _open(uow, clock, hasher, policy, user, None)
        uow.commit()
    return signed_in


def end_sessions(uow: UnitOfWork, clock: Clock, user_id: UserId) -> int:
    """Revoke every live session of a user (e.g. right after disabling the account).

    Disabled accounts and changed passwords end sessions anyway, at their next
    request; this makes it immediate and visible in the table. Returns how many ended.
    """
    with uow:
        count = end_live_sessions(uow, clock.now(), user_id)
        uow.commit()
    return count


def is_username(text: str) -> bool:
    """True when ``text`` is a well-formed user name (``credentials.check_username``)."""
    try:
        check_username(text)
    except InvalidInput:
        return False
    return True


def _open(
    uow: UnitOfWork,
    clock: Clock,
    hasher: TokenHasher,
    policy: SessionPolicy,
    user: StaffUser,
    replacing: str | None,
) -> SignedIn:
    """Open a session inside the caller's transaction; revoke ``replacing``; prune ended ones."""
    now = clock.now()
    if replacing is not None and is_secret_shaped(replacing):
        old = uow.sessions.by_secret_hash(secret_hash(hasher, replacing))
        if old is not None:
            uow.sessions.save(revoked(old, now))
    # Ended sessions serve no one; pruning at sign-in keeps the table as small as the staff.
    uow.sessions.delete_ended(user.id, now, now - policy.idle_timeout)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    session = start_session(SessionId(uuid.uuid4()), secret_hash(hasher, secret), user, now, policy)
    uow.sessions.add(session)
    return SignedIn(secret, session, user)
