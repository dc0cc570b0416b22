"""Staff console sessions as rules: when one starts, when it ends, when it is refreshed.

Pure: the moment, the user and the keyed hash of the session id are passed in; the
session id itself (a random secret) never reaches this module or the database.

A session ends at the first of:

- **revoked**: signed out, replaced at the next sign-in, or ended on purpose;
- **expired**: the absolute lifetime since sign-in has passed, however active it was;
- **idle**: nothing was asked for during the idle timeout;
- **user disabled** or **user gone**: the account can no longer sign in;
- **credentials changed**: the password changed since sign-in (the session keeps a
  stamp of the password hash it was opened with), whoever changed it and how.

``last_seen_at`` is written at most once per :data:`TOUCH_RESOLUTION`, so most
requests only read; the idle timeout is therefore exact to that resolution.
ADR 0013.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType, TypeGuard
from uuid import UUID

from skydd.domain.credentials import StaffUser, UserId
from skydd.domain.errors import InvalidInput

SessionId = NewType("SessionId", UUID)
"""The row id of a session: public (audit events name it), unlike the session secret."""

TOUCH_RESOLUTION = dt.timedelta(seconds=60)
"""``last_seen_at`` is written when it is older than this, not on every request."""

SECRET_BYTES = 32
"""Random bytes of a session secret (and of a sign-in form nonce): 256 bits."""

_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""``secrets.token_urlsafe(32)``: 43 URL-safe characters, no padding."""

_STAMP_LABEL = b"skydd credential stamp v1\x00"


class SessionEnd(StrEnum):
    """Why a session no longer signs anyone in; the value goes into audit details."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    IDLE = "idle"
    USER_DISABLED = "user-disabled"
    USER_GONE = "user-gone"
    CREDENTIALS_CHANGED = "credentials-changed"


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session may be idle, and how long it may live at all."""

    idle_timeout: dt.timedelta
    lifetime: dt.timedelta

    def __post_init__(self) -> None:
        # Refused here so no adapter can build a session that never ends.
        if self.idle_timeout <= dt.timedelta(0) or self.lifetime <= dt.timedelta(0):
            msg = "session timeouts must be positive"
            raise InvalidInput(msg)
        if self.idle_timeout > self.lifetime:
            msg = "the idle timeout cannot be longer than the session lifetime"
            raise InvalidInput(msg)


@dataclass(frozen=True)
class StaffSession:
    """A signed-in staff member's session as stored: the keyed hash of its secret only."""

    id: SessionId
    secret_hash: str
    user_id: UserId
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    credential_stamp: str
    revoked_at: dt.datetime | None = None

    @property
    def target(self) -> str:
        """What audit events name: ``session:<row id>``, never the secret or its hash."""
        return f"session:{self.id}"

    def idle_until(self, policy: SessionPolicy) -> dt.datetime:
        """When the session ends unless it is used again (never after ``expires_at``)."""
        return min(self.last_seen_at + policy.idle_timeout, self.expires_at)

    def ended(self, now: dt.datetime, policy: SessionPolicy) -> SessionEnd | None:
        """Why the session is over at ``now`` on its own account; ``None`` while it runs."""
        if self.revoked_at is not None:
            return SessionEnd.REVOKED
        if now >= self.expires_at:
            return SessionEnd.EXPIRED
        if now >= self.last_seen_at + policy.idle_timeout:
            return SessionEnd.IDLE
        return None


def credential_stamp(user: StaffUser) -> str:
    """A digest of the user's password hash: it changes whenever the password does.

    Not a secret and not keyed: whoever can read it can read the password hash too.
    """
    return hashlib.sha256(_STAMP_LABEL + user.password_hash.encode("utf-8")).hexdigest()


def start_session(
    session_id: SessionId,
    secret_hash: str,
    user: StaffUser,
    now: dt.datetime,
    policy: SessionPolicy,
) -> StaffSession:
    """A new session for ``user`` signed in at ``now``; it can live ``policy.lifetime``."""
    return StaffSession(
        id=session_id,
        secret_hash=secret_hash,
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
        credential_stamp=credential_stamp(user),
    )


def session_end(
    session: StaffSession, user: StaffUser | None, now: dt.datetime, policy: SessionPolicy
) -> SessionEnd | None:
    """Why ``session`` no longer signs ``user`` in at ``now``; ``None`` when it still does."""
    own = session.ended(now, policy)
    if own is not None:
        return own
    if user is None:
        return SessionEnd.USER_GONE
    if user.disabled:
        return SessionEnd.USER_DISABLED
    if credential_stamp(user) != session.credential_stamp:
        return SessionEnd.CREDENTIALS_CHANGED
    return None


def touched(session: StaffSession, now: dt.datetime) -> StaffSession | None:
    """The session seen at ``now``, or ``None`` when the stored time is recent enough."""
    if now - session.last_seen_at < TOUCH_RESOLUTION:
        return None
    return replace(session, last_seen_at=now)


def revoked(session: StaffSession, now: dt.datetime) -> StaffSession:
    """The session ended at ``now``; a session already revoked keeps its first time."""
    if session.revoked_at is not None:
        return session
    return replace(session, revoked_at=now)


def is_secret_shaped(text: str | None) -> TypeGuard[str]:
    """True when ``text`` looks like a session secret; anything else is not looked up."""
    return text is not None and _SECRET.fullmatch(text) is not None
