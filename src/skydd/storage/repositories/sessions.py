"""Staff console sessions: rows ↔ :class:`StaffSession`, found by the hash of their secret."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from skydd.domain.credentials import UserId
from skydd.domain.errors import NotFoundError
from skydd.domain.sessions import SessionId, StaffSession
from skydd.storage.tables import StaffSessionRow


class SqlStaffSessionRepository:
    """Sessions by secret hash (one indexed lookup per console request) or by user."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_secret_hash(self, secret_hash: str) -> StaffSession | None:
        """The session whose secret hashes to ``secret_hash``, if any."""
        row = self._row(secret_hash)
        return None if row is None else _to_session(row)

    def of_user(self, user_id: UserId) -> list[StaffSession]:
        """Every stored session of a user, oldest first."""
        rows = self._session.scalars(
            select(StaffSessionRow)
            .where(StaffSessionRow.user_id == user_id)
            .order_by(StaffSessionRow.created_at, StaffSessionRow.id)
        )
        return [_to_session(row) for row in rows]

    def add(self, session: StaffSession) -> None:
        """Store a new session."""
        row = StaffSessionRow(
            id=session.id,
            secret_hash=session.secret_hash,
            user_id=session.user_id,
            created_at=session.created_at,
            expires_at=session.expires_at,
            credential_stamp=session.credential_stamp,
        )
        _fill(row, session)
        self._session.add(row)
        self._session.flush()

    def save(self, session: StaffSession) -> None:
        """Store the changed fields (last use, revocation) of a stored session."""
        row = self._session.get(StaffSessionRow, session.id)
        if row is None:
            msg = f"no session {session.id}"
            raise NotFoundError(msg)
        _fill(row, session)
        self._session.flush()

    def delete_ended(self, user_id: UserId, now: dt.datetime, idle_since: dt.datetime) -> int:
        """Delete a user's sessions revoked, expired at ``now`` or unused since ``idle_since``."""
        result = self._session.execute(
            delete(StaffSessionRow)
            .where(StaffSessionRow.user_id == user_id)
            .where(
                or_(
                    StaffSessionRow.revoked_at.is_not(None),
                    StaffSessionRow.expires_at <= now,
                    StaffSessionRow.last_seen_at <= idle_since,
                )
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _row(self, secret_hash: str) -> StaffSessionRow | None:
        return self._session.scalar(
            select(StaffSessionRow).where(StaffSessionRow.secret_hash == secret_hash)
        )


def _fill(row: StaffSessionRow, session: StaffSession) -> None:
    row.last_seen_at = session.last_seen_at
    row.revoked_at = session.revoked_at


def _to_session(row: StaffSessionRow) -> StaffSession:
    return StaffSession(
        id=SessionId(row.id),
        secret_hash=row.secret_hash,
        user_id=UserId(row.user_id),
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        credential_stamp=row.credential_stamp,
        revoked_at=row.revoked_at,
    )
