"""The consent ledger's rows ↔ :class:`ConsentEvent`, and the projection's ↔ :class:`ConsentState`.

Events are inserted and never changed; the projection is upserted beside each event in
the same transaction, and can be replaced wholesale by a rebuild from the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from skydd.domain.consent import (
    CollectionMethod,
    ConsentEvent,
    ConsentEventId,
    ConsentState,
    ConsentStatus,
)
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.subjects import SubjectId
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository
from skydd.storage.repositories.subjects import INDEX_COLUMNS
from skydd.storage.tables import ConsentEventRow, ConsentStateRow, SubjectRow
from skydd.storage.upserts import upsert

BATCH = 5000
"""Rows read at a time when the whole ledger is walked."""
CHUNK = 10_000
"""Blind indexes per query of a bulk check: far below every engine's parameter limit."""


class SqlConsentRepository(EncryptedRepository):
    """The consent ledger and its projection in one database."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        super().__init__(crypto)
        self._session = session

    def consenting(
        self, organisation_id: OrganisationId, purpose: str, identifiers: Sequence[Identifier]
    ) -> list[bool]:
        """For each identifier, whether its person consents to ``purpose`` now.

        Matched by blind index (every key's, while a rotation runs), a chunk of indexes
        per query; the answer is in the order asked.
        """
        wanted: dict[IdentifierKind, dict[str, list[int]]] = {}
        for n, identifier in enumerate(identifiers):
            for index in self.crypto.lookups(identifier):
                wanted.setdefault(identifier.kind, {}).setdefault(index, []).append(n)
        answers = [False] * len(identifiers)
        for kind, by_index in wanted.items():
            column = INDEX_COLUMNS[kind]
            indexes = list(by_index)
            for start in range(0, len(indexes), CHUNK):
                found = self._session.scalars(
                    select(column)
                    .join(ConsentStateRow, ConsentStateRow.subject_id == SubjectRow.id)
                    .where(SubjectRow.organisation_id == organisation_id)
                    .where(ConsentStateRow.purpose == purpose)
                    .where(ConsentStateRow.status == ConsentStatus.GIVEN.value)
                    .where(ConsentStateRow.categories != "[]")
                    .where(column.in_(indexes[start : start + CHUNK]))
                )
                for hit in found:
                    for n in by_index.get(hit or "", ()):
                        answers[n] = True
        return answers

    def append(self, organisation_id: OrganisationId, event: ConsentEvent) -> None:
        """Add ``event`` at the end of the ledger."""
        self._session.execute(
            insert(ConsentEventRow).values(organisation_id=organisation_id, **_event_values(event))
        )

    def event(self, record_id: ConsentEventId) -> ConsentEvent | None:
        """The ledger entry ``record_id``, if the ledger holds it."""
        row = self._session.scalar(
            select(ConsentEventRow).where(ConsentEventRow.record_id == record_id)
        )
        return None if row is None else _event_of(row)

    def state(self, subject_id: SubjectId, purpose: str) -> ConsentState | None:
        """The subject's current consent to ``purpose``, if any was ever recorded."""
        row = self._session.get(ConsentStateRow, (subject_id, purpose))
        return None if row is None else _state_of(row)

    def states_of(self, subject_id: SubjectId) -> list[ConsentState]:
        """The subject's current consent to every purpose recorded, by purpose."""
        rows = self._session.scalars(
            select(ConsentStateRow)
            .where(ConsentStateRow.subject_id == subject_id)
            .order_by(ConsentStateRow.purpose)
        )
        return [_state_of(row) for row in rows]

    def save_state(self, organisation_id: OrganisationId, state: ConsentState) -> None:
        """Store the subject's state for the purpose, replacing the one before."""
        values = {"organisation_id": organisation_id, **_state_values(state)}
        key = {name: values.pop(name) for name in ("subject_id", "purpose")}
        self._session.execute(upsert(self._session, ConsentStateRow, key, values))

    def events(self, organisation_id: OrganisationId) -> Iterator[ConsentEvent]:
        """The whole ledger of the organisation, in order, read a batch at a time."""
        after = 0
        while True:
            rows = self._session.scalars(
                select(ConsentEventRow)
                .where(ConsentEventRow.organisation_id == organisation_id)
                .where(ConsentEventRow.sequence > after)
                .order_by(ConsentEventRow.sequence)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            yield from (_event_of(row) for row in rows)
            after = rows[-1].sequence

    def events_of(self, subject_id: SubjectId) -> list[ConsentEvent]:
        """One subject's events, in ledger order."""
        rows = self._session.scalars(
            select(ConsentEventRow)
            .where(ConsentEventRow.subject_id == subject_id)
            .order_by(ConsentEventRow.sequence)
        )
        return [_event_of(row) for row in rows]

    def all_states(self, organisation_id: OrganisationId) -> list[ConsentState]:
        """Every state of the organisation."""
        rows = self._session.scalars(
            select(ConsentStateRow).where(ConsentStateRow.organisation_id == organisation_id)
        )
        return [_state_of(row) for row in rows]

    def replace_states(
        self, organisation_id: OrganisationId, states: Iterable[ConsentState]
    ) -> None:
        """Drop the organisation's projection and store ``states`` instead (a rebuild)."""
        self._session.execute(
            delete(ConsentStateRow).where(ConsentStateRow.organisation_id == organisation_id)
        )
        rows = [{"organisation_id": organisation_id, **_state_values(s)} for s in states]
        for start in range(0, len(rows), BATCH):
            self._session.execute(insert(ConsentStateRow), rows[start : start + BATCH])


def _event_values(event: ConsentEvent) -> dict[str, object]:
    return {
        "record_id": event.record_id,
        "subject_id": event.subject_id,
        "purpose": event.purpose,
        "status": event.status.value,
        "categories": json.dumps(list(event.categories)),
        "method": event.method.value,
        "notice_id": event.notice_id,
        "policy_version": event.policy_version,
        "language": event.language,
        "event_time": event.event_time,
        "source": event.source,
        "terms": event.terms,
    }


def _event_of(row: ConsentEventRow) -> ConsentEvent:
    return ConsentEvent(
        record_id=ConsentEventId(row.record_id),
        subject_id=SubjectId(row.subject_id),
        purpose=row.purpose,
        status=ConsentStatus(row.status),
        categories=_categories(row.categories),
        method=CollectionMethod(row.method),
        notice_id=row.notice_id,
        policy_version=row.policy_version,
        language=row.language,
        event_time=row.event_time,
        source=row.source,
        terms=row.terms,
    )


def _state_values(state: ConsentState) -> dict[str, object]:
    return {
        "subject_id": state.subject_id,
        "purpose": state.purpose,
        "status": state.status.value,
        "categories": json.dumps(list(state.categories)),
        "since": state.since,
        "last_record_id": state.last_record_id,
        "policy_version": state.policy_version,
        "notice_id": state.notice_id,
        "terms": state.terms,
    }


def _state_of(row: ConsentStateRow) -> ConsentState:
    return ConsentState(
        subject_id=SubjectId(row.subject_id),
        purpose=row.purpose,
        status=ConsentStatus(row.status),
        categories=_categories(row.categories),
        since=row.since,
        last_record_id=ConsentEventId(row.last_record_id),
        policy_version=row.policy_version,
        notice_id=row.notice_id,
        terms=row.terms,
    )


def _categories(text: str) -> tuple[str, ...]:
    found: Sequence[str] = json.loads(text)
    return tuple(found)
