"""Staff accounts and API tokens: rows ↔ :class:`StaffUser` and :class:`ApiToken`."""

from __future__ import annotations

import json

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from skydd.domain.access_vocabulary import Scope
from skydd.domain.credentials import ApiToken, StaffUser, TokenId, TokenOwner, UserId
from skydd.domain.errors import NotFoundError
from skydd.storage.fast_reads import BorrowedReads, Record
from skydd.storage.field_crypto import CryptoSource
from skydd.storage.tables import ApiTokenRow, StaffUserRow
from skydd.storage.totp_secrets import open_totp, seal_totp

_TOKENS = ApiTokenRow.__table__
_OWNERS = StaffUserRow.__table__
_OWNER_PREFIX = "owner__"
_TOKEN_WITH_OWNER = (
    select(
        _TOKENS,
        *(_OWNERS.c[name].label(_OWNER_PREFIX + name) for name in ("id", "disabled", "roles")),
    )
    .outerjoin(_OWNERS, _OWNERS.c.id == _TOKENS.c.owner_id)
    .where(_TOKENS.c.token_id == bindparam("token_id"))
)
"""Every authenticated request runs this, so it is built once and selects plain columns:
on SQLite, composing the statement or loading ORM objects would each cost about as
much as running it. The owner's columns are prefixed, as both tables have ``id``."""


class SqlStaffUserRepository:
    """Staff users, looked up by id or user name; TOTP secrets sealed with ``crypto``."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        self._session = session
        self._crypto = crypto

    def get(self, user_id: UserId) -> StaffUser | None:
        """The user with ``user_id``, if any."""
        row = self._session.get(StaffUserRow, user_id)
        return None if row is None else _to_user(row, self._crypto)

    def by_username(self, username: str) -> StaffUser | None:
        """The user named ``username``, if any."""
        row = self._by_username(username)
        return None if row is None else _to_user(row, self._crypto)

    def list_all(self) -> list[StaffUser]:
        """Every user, by user name."""
        rows = self._session.scalars(select(StaffUserRow).order_by(StaffUserRow.username))
        return [_to_user(row, self._crypto) for row in rows]

    def add(self, user: StaffUser) -> None:
        """Store a new user."""
        row = StaffUserRow(id=user.id, username=user.username, created_at=user.created_at)
        _fill_user(row, user, self._crypto)
        self._session.add(row)
        self._session.flush()

    def save(self, user: StaffUser) -> None:
        """Store the changed fields of a stored user."""
        row = self._session.get(StaffUserRow, user.id)
        if row is None:
            msg = f"no user with id {user.id}"
            raise NotFoundError(msg)
        _fill_user(row, user, self._crypto)
        self._session.flush()

    def _by_username(self, username: str) -> StaffUserRow | None:
        return self._session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))


class SqlApiTokenRepository:
    """API tokens, looked up by their public token id.

    ``fast`` runs the per-request lookup outside the session while the unit of work
    has not begun a transaction (``storage.fast_reads``).
    """

    def __init__(self, session: Session, fast: BorrowedReads | None = None) -> None:
        self._session = session
        self._fast = fast

    def by_token_id(self, token_id: TokenId) -> ApiToken | None:
        """The token with public id ``token_id``, if any."""
        row = self._row(token_id)
        return None if row is None else _to_token(row)

    def with_owner(self, token_id: TokenId) -> tuple[ApiToken, TokenOwner | None] | None:
        """The token and what authentication needs of its owner, in one query.

        Every authenticated request asks this. The owner is None for an ownerless
        token, and also when the owner row is gone, which the caller must refuse.
        """
        params = {"token_id": token_id}
        if self._fast is not None and not self._session.in_transaction():
            row = self._fast.first(_TOKEN_WITH_OWNER, params)
        else:
            found = self._session.execute(_TOKEN_WITH_OWNER, params).first()
            row = None if found is None else Record(found._mapping)
        if row is None:
            return None
        if row[_OWNER_PREFIX + "id"] is None:
            return _to_token(row), None
        owner = TokenOwner(
            disabled=row[_OWNER_PREFIX + "disabled"],
            roles=tuple(json.loads(row[_OWNER_PREFIX + "roles"])),
        )
        return _to_token(row), owner

    def list_all(self) -> list[ApiToken]:
        """Every token, oldest first."""
        rows = self._session.scalars(
            select(ApiTokenRow).order_by(ApiTokenRow.created_at, ApiTokenRow.token_id)
        )
        return [_to_token(row) for row in rows]

    def add(self, token: ApiToken) -> None:
        """Store a new token."""
        row = ApiTokenRow(
            id=token.id,
            token_id=token.token_id,
            secret_hash=token.secret_hash,
            owner_id=token.owner,
            name=token.name,
            scopes=json.dumps(sorted(s.value for s in token.scopes)),
            created_at=token.created_at,
            expires_at=token.expires_at,
        )
        _fill_token(row, token)
        self._session.add(row)
        self._session.flush()

    def save(self, token: ApiToken) -> None:
        """Store the changed fields (revocation, last use) of a stored token."""
        row = self._row(token.token_id)
        if row is None:
            msg = f"no token {token.token_id}"
            raise NotFoundError(msg)
        _fill_token(row, token)
        self._session.flush()

    def _row(self, token_id: TokenId) -> ApiTokenRow | None:
        return self._session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_id == token_id))


def _fill_user(row: StaffUserRow, user: StaffUser, crypto: CryptoSource) -> None:
    row.password_hash = user.password_hash
    row.roles = json.dumps(list(user.roles))
    row.disabled = user.disabled
    row.failed_attempts = user.failed_attempts
    row.locked_until = user.locked_until
    if user.totp_secret is None:
        row.totp_token = row.totp_key_id = None
    else:
        sealer = crypto()
        row.totp_token = seal_totp(sealer, user.id, user.totp_secret)
        row.totp_key_id = sealer.active_key
    row.totp_last_step = user.totp_last_step
    row.must_change_password = user.must_change_password
    row.last_login_at = user.last_login_at


def _to_user(row: StaffUserRow, crypto: CryptoSource) -> StaffUser:
    token = row.totp_token
    return StaffUser(
        id=UserId(row.id),
        username=row.username,
        password_hash=row.password_hash,
        roles=tuple(json.loads(row.roles)),
        created_at=row.created_at,
        disabled=row.disabled,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        totp_secret=None if token is None else open_totp(crypto(), row.id, token),
        totp_last_step=row.totp_last_step,
        must_change_password=row.must_change_password,
        last_login_at=row.last_login_at,
    )


def _fill_token(row: ApiTokenRow, token: ApiToken) -> None:
    row.revoked_at = token.revoked_at
    row.last_used_at = token.last_used_at


def _to_token(row: ApiTokenRow | Record) -> ApiToken:
    return ApiToken(
        id=row.id,
        token_id=TokenId(row.token_id),
        secret_hash=row.secret_hash,
        name=row.name,
        scopes=frozenset(Scope(s) for s in json.loads(row.scopes)),
        created_at=row.created_at,
        owner=UserId(row.owner_id) if row.owner_id is not None else None,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
