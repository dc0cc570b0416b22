"""Organisations: rows ↔ ids."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from skydd.domain.ids import OrganisationId
from skydd.storage.tables import OrganisationRow


class SqlOrganisationRepository:
    """Organisations in the SQL database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def id_for(self, key: str) -> OrganisationId | None:
        """The id of the organisation with ``key``, if stored."""
        found = self._session.scalar(select(OrganisationRow.id).where(OrganisationRow.key == key))
        return OrganisationId(found) if found is not None else None

    def add(self, key: str, name: str, at: dt.datetime) -> OrganisationId:
        """Store a new organisation."""
        row = OrganisationRow(id=uuid.uuid4(), key=key, name=name, created_at=at)
        self._session.add(row)
        self._session.flush()
        return OrganisationId(row.id)

    def keys(self) -> list[str]:
        """Every stored organisation key, sorted."""
        return list(
            self._session.scalars(select(OrganisationRow.key).order_by(OrganisationRow.key))
        )
