"""Register versions: canonical JSON rows ↔ validated :class:`Register` values."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skydd.domain.errors import NotFoundError
from skydd.domain.ids import OrganisationId, RegisterVersionId
from skydd.domain.policy import register_json
from skydd.domain.register import Register
from skydd.services.ports import StoredRegister
from skydd.storage.tables import RegisterVersionRow


class SqlRegisterRepository:
    """Register versions in the SQL database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self, organisation_id: OrganisationId) -> StoredRegister | None:
        """The newest stored register of an organisation."""
        row = self._session.scalar(
            select(RegisterVersionRow)
            .where(RegisterVersionRow.organisation_id == organisation_id)
            .order_by(RegisterVersionRow.number.desc())
            .limit(1)
        )
        return _to_stored(row) if row is not None else None

    def get(self, version_id: RegisterVersionId) -> StoredRegister:
        """One stored register version by id."""
        row = self._session.get(RegisterVersionRow, version_id)
        if row is None:
            msg = f"no register version {version_id}"
            raise NotFoundError(msg)
        return _to_stored(row)

    def add(
        self,
        organisation_id: OrganisationId,
        register: Register,
        content_hash: str,
        source: str,
        at: dt.datetime,
    ) -> StoredRegister:
        """Store a new register version with the next number."""
        highest = self._session.scalar(
            select(func.max(RegisterVersionRow.number)).where(
                RegisterVersionRow.organisation_id == organisation_id
            )
        )
        row = RegisterVersionRow(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            number=(highest or 0) + 1,
            content_hash=content_hash,
            loaded_at=at,
            source=source,
            document=register_json(register),
        )
        self._session.add(row)
        self._session.flush()
        return StoredRegister(
            RegisterVersionId(row.id),
            organisation_id,
            row.number,
            content_hash,
            at,
            source,
            register,
        )


def _to_stored(row: RegisterVersionRow) -> StoredRegister:
    return StoredRegister(
        id=RegisterVersionId(row.id),
        organisation_id=OrganisationId(row.organisation_id),
        number=row.number,
        content_hash=row.content_hash,
        loaded_at=row.loaded_at,
        source=row.source,
        register=Register.model_validate_json(row.document),
    )
