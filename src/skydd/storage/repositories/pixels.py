"""E-mail open pixels and the opens recorded: rows ↔ :class:`MailPixel`.

A pixel is stored by the hash of its token only, so the database cannot give out a
working pixel URL; an open is a row naming the pixel and the moment.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from skydd.domain.ids import OrganisationId
from skydd.domain.subjects import SubjectId
from skydd.services.ports import MailPixel
from skydd.storage.tables import EmailOpenRow, MailPixelRow


class SqlPixelRepository:
    """Pixels and opens of one database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, pixel: MailPixel) -> None:
        """Store a new pixel."""
        self._session.execute(
            insert(MailPixelRow).values(
                token_hash=pixel.token_hash,
                organisation_id=pixel.organisation_id,
                subject_id=pixel.subject_id,
                mailing=pixel.mailing,
                created_at=pixel.created_at,
            )
        )

    def by_hash(self, token_hash: str) -> MailPixel | None:
        """The pixel whose token hashes to ``token_hash``, if any."""
        row = self._session.get(MailPixelRow, token_hash)
        if row is None:
            return None
        return MailPixel(
            token_hash=row.token_hash,
            organisation_id=OrganisationId(row.organisation_id),
            subject_id=SubjectId(row.subject_id),
            mailing=row.mailing,
            created_at=row.created_at,
        )

    def add_open(self, token_hash: str, at: dt.datetime) -> None:
        """Record one open of the pixel."""
        self._session.execute(
            insert(EmailOpenRow).values(id=uuid.uuid4(), token_hash=token_hash, opened_at=at)
        )

    def opens_of(self, subject_id: SubjectId) -> list[tuple[str, dt.datetime]]:
        """The subject's recorded opens: (mailing, when), oldest first."""
        rows = self._session.execute(
            select(MailPixelRow.mailing, EmailOpenRow.opened_at)
            .join(EmailOpenRow, EmailOpenRow.token_hash == MailPixelRow.token_hash)
            .where(MailPixelRow.subject_id == subject_id)
            .order_by(EmailOpenRow.opened_at, EmailOpenRow.id)
        )
        return [(mailing, opened_at) for mailing, opened_at in rows]
