"""Staff credentials as rules: password policy, lockout schedule, token format, TOTP.

Pure: no clock, no randomness, no hashing of passwords. Callers pass the moment and
the secrets; storage hashes passwords (argon2id) and tokens (HMAC-SHA256).

- **Passwords** are 12 to 1024 characters and differ from the user name.
- **Lockout**: the 5th failure in a row locks the account for 15 minutes; every
  further failure doubles the lock, capped at 24 hours. A success resets the count.
- **API tokens** read ``skydd_<token id>_<secret>``: the token id is public and finds
  the stored row, only the secret is secret. :func:`parse_token` never echoes its input.
- **TOTP** (RFC 6238, SHA-1, 6 digits, 30 s steps) is computed here from the moment
  given, so tests and the service share one implementation with no dependency.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from typing import NewType
from uuid import UUID

from skydd.domain.access_vocabulary import Scope
from skydd.domain.errors import InvalidInput

UserId = NewType("UserId", UUID)
TokenId = NewType("TokenId", str)
"""The public half of an API token: finds the row, proves nothing."""

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
"""Longer input is refused before hashing: argon2 of a megabyte is a cheap DoS."""

LOCK_AFTER_FAILURES = 5
FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(hours=24)

TOKEN_PREFIX = "skydd"  # noqa: S105 - a prefix, not a secret
_TOKEN_ID = re.compile(r"^[0-9a-f]{16}$")
_TOKEN_SECRET = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,119}$")

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6


def check_username(username: str) -> str:
    """The user name if well formed: letters, digits and ``._@+-``, at most 120 characters."""
    if not _USERNAME.fullmatch(username):
        msg = "a user name is 1-120 letters, digits or ._@+- and starts with a letter or digit"
        raise InvalidInput(msg)
    return username


def check_password(password: str, username: str) -> None:
    """Refuse a password that is too short, too long or equal to the user name.

    The message never quotes the password.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"a password has at least {MIN_PASSWORD_LENGTH} characters"
        raise InvalidInput(msg)
    if len(password) > MAX_PASSWORD_LENGTH:
        msg = f"a password has at most {MAX_PASSWORD_LENGTH} characters"
        raise InvalidInput(msg)
    if password.casefold() == username.casefold():
        msg = "a password must differ from the user name"
        raise InvalidInput(msg)


def lock_duration(failed_attempts: int) -> dt.timedelta:
    """How long the account stays locked after ``failed_attempts`` failures in a row."""
    if failed_attempts < LOCK_AFTER_FAILURES:
        return dt.timedelta(0)
    doublings = failed_attempts - LOCK_AFTER_FAILURES
    if doublings >= 7:  # 15 min * 2**7 > 24 h already; avoid huge exponents
        return LONGEST_LOCK
    return min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)


def locked_until(failed_attempts: int, last_failure_at: dt.datetime | None) -> dt.datetime | None:
    """When the lock set by the latest failure ends; ``None`` when there is no lock."""
    duration = lock_duration(failed_attempts)
    if last_failure_at is None or not duration:
        return None
    return last_failure_at + duration


def is_locked(until: dt.datetime | None, now: dt.datetime) -> bool:
    """True while ``now`` is before the end of the lock."""
    return until is not None and now < until


@dataclass(frozen=True)
class StaffUser:
    """A staff account; ``password_hash`` and ``totp_secret`` never leave the services."""

    id: UserId
    username: str
    password_hash: str
    roles: tuple[str, ...]
    created_at: dt.datetime
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: dt.datetime | None = None
    totp_secret: str | None = None
    totp_last_step: int | None = None
    """The TOTP time step last accepted: a code of that step or older is a replay."""
    must_change_password: bool = False
    last_login_at: dt.datetime | None = None

    @property
    def actor_id(self) -> str:
        """The id audit events and actors use: ``user:<uuid>``, never the user name."""
        return f"user:{self.id}"

    @property
    def has_totp(self) -> bool:
        """True when a second factor is enrolled."""
        return self.totp_secret is not None


@dataclass(frozen=True)
class ApiToken:
    """A stored API token: the keyed hash of its secret, never the secret."""

    id: UUID
    token_id: TokenId
    secret_hash: str
    name: str
    scopes: frozenset[Scope]
    created_at: dt.datetime
    owner: UserId | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None

    @property
    def actor_id(self) -> str:
        """The id audit events and actors use: ``token:<token id>``."""
        return f"token:{self.token_id}"

    def is_usable(self, now: dt.datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class TokenOwner:
    """What authenticating a token needs of the account that owns it, and nothing more."""

    disabled: bool
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ParsedToken:
    """A presented token split into its public id and its secret."""

    token_id: TokenId
    secret: str = ""

    def __repr__(self) -> str:
        return f"ParsedToken(token_id={self.token_id!r}, secret=***)"


def format_token(token_id: TokenId, secret: str) -> str:
    """The text shown once to whoever created the token."""
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def parse_token(text: str) -> ParsedToken | None:
    """Split a presented token; ``None`` when it is not one (the input is never echoed)."""
    prefix, sep, rest = text.strip().partition("_")
    token_id, sep2, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not sep or not sep2:
        return None
    if not _TOKEN_ID.fullmatch(token_id) or not _TOKEN_SECRET.fullmatch(secret):
        return None
    return ParsedToken(TokenId(token_id), secret)


def parse_scopes(values: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """Scopes from their names (``requests:read`` …); at least one, all known."""
    known = {s.value: s for s in Scope}
    unknown = sorted(v for v in values if v not in known)
    if unknown:
        msg = f"unknown scope {unknown[0]!r}; known: {', '.join(sorted(known))}"
        raise InvalidInput(msg)
    if not values:
        msg = "a token needs at least one scope"
        raise InvalidInput(msg)
    return frozenset(known[v] for v in values)


def totp_code(secret_base32: str, at: dt.datetime, *, step_offset: int = 0) -> str:
    """The RFC 6238 code (SHA-1, 6 digits, 30 s) of ``secret_base32`` at ``at``."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int(at.timestamp()) // TOTP_STEP_SECONDS + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def is_valid_totp(secret_base32: str, code: str, at: dt.datetime) -> bool:
    """True when ``code`` matches the step of ``at`` or one step either side (clock drift)."""
    return matching_totp_step(secret_base32, code, at) is not None


def matching_totp_step(secret_base32: str, code: str, at: dt.datetime) -> int | None:
    """The time step (counter) ``code`` belongs to, within one step of ``at``; else None.

    The caller keeps the step it last accepted and refuses that step or an older one
    again (RFC 6238 §5.2): a code seen over someone's shoulder, or replayed from a
    captured request, then works at most never, not for the rest of its 90 seconds.
    """
    candidate = code.strip().replace(" ", "")
    if len(candidate) != TOTP_DIGITS or not candidate.isdigit():
        return None
    current = int(at.timestamp()) // TOTP_STEP_SECONDS
    matched = None
    for offset in (-1, 0, 1):
        # Compare all three, in constant time each: no early exit to time.
        if hmac.compare_digest(totp_code(secret_base32, at, step_offset=offset), candidate):
            matched = current + offset
    return matched


def is_totp_replay(step: int, last_accepted: int | None) -> bool:
    """True when ``step`` is not later than the step last accepted for the account."""
    return last_accepted is not None and step <= last_accepted
