"""Published policy versions: rows with renditions ↔ :class:`PublishedPolicy`."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from skydd.domain.errors import PolicyVersionNotFound
from skydd.domain.ids import OrganisationId, RegisterVersionId
from skydd.domain.policy import PublishedPolicy
from skydd.storage.tables import PolicyRenditionRow, PolicyVersionRow, RegisterVersionRow

_NUMBERS = (
    select(PolicyVersionRow.__table__.c.number)
    .where(PolicyVersionRow.__table__.c.organisation_id == bindparam("organisation_id"))
    .order_by(PolicyVersionRow.__table__.c.number)
)


class SqlPolicyRepository:
    """Published policy versions in the SQL database; rows are never updated."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self, organisation_id: OrganisationId) -> PublishedPolicy | None:
        """The newest published version."""
        row = self._session.scalar(
            self._select(organisation_id).order_by(PolicyVersionRow.number.desc()).limit(1)
        )
        return self._to_domain(row) if row is not None else None

    def get(self, organisation_id: OrganisationId, number: int) -> PublishedPolicy | None:
        """One published version by number."""
        row = self._session.scalar(
            self._select(organisation_id).where(PolicyVersionRow.number == number)
        )
        return self._to_domain(row) if row is not None else None

    def numbers(self, organisation_id: OrganisationId) -> list[int]:
        """The numbers of every published version, ascending."""
        found = self._session.connection().execute(_NUMBERS, {"organisation_id": organisation_id})
        return [number for (number,) in found]

    def register_version_of(
        self, organisation_id: OrganisationId, number: int
    ) -> RegisterVersionId:
        """The register version a published policy was rendered from."""
        found = self._session.scalar(
            select(PolicyVersionRow.register_version_id).where(
                PolicyVersionRow.organisation_id == organisation_id,
                PolicyVersionRow.number == number,
            )
        )
        if found is None:
            msg = f"no policy version {number}"
            raise PolicyVersionNotFound(msg)
        return RegisterVersionId(found)

    def add(
        self,
        organisation_id: OrganisationId,
        register_version_id: RegisterVersionId,
        policy: PublishedPolicy,
    ) -> None:
        """Store a new version with all its renditions."""
        row = PolicyVersionRow(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            register_version_id=register_version_id,
            number=policy.number,
            content_hash=policy.content_hash,
            effective_on=policy.effective_on,
            published_at=policy.published_at,
        )
        self._session.add(row)
        for (language, fmt), body in sorted(policy.renditions.items()):
            self._session.add(
                PolicyRenditionRow(
                    id=uuid.uuid4(),
                    policy_version_id=row.id,
                    language=language,
                    format=fmt,
                    body=body,
                )
            )
        self._session.flush()

    @staticmethod
    def _select(organisation_id: OrganisationId):  # type: ignore[no-untyped-def]
        return (
            select(PolicyVersionRow)
            .where(PolicyVersionRow.organisation_id == organisation_id)
            .options(selectinload(PolicyVersionRow.renditions))
        )

    def _to_domain(self, row: PolicyVersionRow) -> PublishedPolicy:
        register_hash = self._session.scalar(
            select(RegisterVersionRow.content_hash).where(
                RegisterVersionRow.id == row.register_version_id
            )
        )
        return PublishedPolicy(
            number=row.number,
            content_hash=row.content_hash,
            effective_on=row.effective_on,
            published_at=row.published_at,
            register_hash=register_hash or "",
            renditions={(r.language, r.format): r.body for r in row.renditions},
        )
