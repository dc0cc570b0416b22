"""Processing limits' rows ↔ :class:`ProcessingLimit`, found by the person's blind indexes.

A limit is tied to the request that set it; the request's identifier indexes are
what a lookup by e-mail, phone or personnummer matches (under every key while a
rotation runs), so the limits table needs no personal data of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from skydd.domain.errors import NotFoundError
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.processing_limits import LimitId, LimitKind, ProcessingLimit
from skydd.domain.requests import RequestId
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository
from skydd.storage.tables import ProcessingLimitRow, RequestRow

_INDEX_COLUMNS = {
    IdentifierKind.EMAIL: RequestRow.email_index,
    IdentifierKind.PHONE: RequestRow.phone_index,
    IdentifierKind.PERSONNUMMER: RequestRow.personnummer_index,
}


class SqlProcessingLimitRepository(EncryptedRepository):
    """Limits of one database; blind indexes come from ``crypto`` when a person is looked up."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        super().__init__(crypto)
        self._session = session

    def add(self, organisation_id: OrganisationId, limits: Iterable[ProcessingLimit]) -> None:
        """Store new limits."""
        for limit in limits:
            row = ProcessingLimitRow(id=limit.id, organisation_id=organisation_id)
            _fill(row, limit)
            self._session.add(row)
        self._session.flush()

    def save(self, limit: ProcessingLimit) -> None:
        """Store a limit's changed state (lifted)."""
        row = self._session.get(ProcessingLimitRow, limit.id)
        if row is None:
            msg = "no such processing limit"
            raise NotFoundError(msg)
        _fill(row, limit)
        self._session.flush()

    def of_request(self, request_id: RequestId) -> list[ProcessingLimit]:
        """The limits a request set, oldest first."""
        rows = self._session.scalars(
            select(ProcessingLimitRow)
            .where(ProcessingLimitRow.request_id == request_id)
            .order_by(ProcessingLimitRow.since, ProcessingLimitRow.kind)
        )
        return [_limit_of(row) for row in rows]

    def of_person(
        self, organisation_id: OrganisationId, identifiers: Iterable[Identifier]
    ) -> list[ProcessingLimit]:
        """Every limit set by a request naming any of ``identifiers``, lifted ones too."""
        matches = [_INDEX_COLUMNS[i.kind].in_(self.crypto.lookups(i)) for i in identifiers]
        if not matches:
            return []
        rows = self._session.scalars(
            select(ProcessingLimitRow)
            .join(RequestRow, RequestRow.id == ProcessingLimitRow.request_id)
            .where(ProcessingLimitRow.organisation_id == organisation_id)
            .where(or_(*matches))
            .order_by(ProcessingLimitRow.since, ProcessingLimitRow.kind)
        )
        return [_limit_of(row) for row in rows]


def _fill(row: ProcessingLimitRow, limit: ProcessingLimit) -> None:
    row.request_id = limit.request_id
    row.kind = limit.kind.value
    row.purpose = limit.purpose
    row.since = limit.since
    row.lifted_at = limit.lifted_at
    row.lifted_because = limit.lifted_because


def _limit_of(row: ProcessingLimitRow) -> ProcessingLimit:
    return ProcessingLimit(
        id=LimitId(row.id),
        request_id=RequestId(row.request_id),
        kind=LimitKind(row.kind),
        since=row.since,
        purpose=row.purpose,
        lifted_at=row.lifted_at,
        lifted_because=row.lifted_because,
    )
