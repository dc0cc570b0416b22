"""The consent ledger's rows ↔ :class:`ConsentEvent`, and the projection's ↔ :class:`ConsentState`.

Events are inserted and never changed; the projection is upserted beside each event in
the same transaction, and can be replaced wholesale by a rebuild from the ledger.

Recording a consent is a web form's hot path (issue 6 asks for thousands a second), so
every statement here is a Core statement built once, at import or once per dialect,
and run with plain parameters: building an ``insert().values(...)`` or an ORM ``get``
per call cost 0.2–0.7 ms each on SQLite, several times the statement itself
(``bench/consent.py``). Reads return rows, never ORM objects, so nothing here is held
in a session's identity map that a later upsert could leave stale.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Executable,
    Insert,
    Select,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
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
from skydd.storage.fast_reads import Record, execute
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository
from skydd.storage.repositories.subjects import INDEX_COLUMNS
from skydd.storage.tables import ConsentEventRow, ConsentStateRow, SubjectRow

BATCH = 5000
"""Rows read at a time when the whole ledger is walked."""
CHUNK = 10_000
"""Blind indexes per query of a bulk check: far below every engine's parameter limit."""

_EVENTS = cast("Table", ConsentEventRow.__table__)
_STATES = cast("Table", ConsentStateRow.__table__)
_EVENT_COLUMNS = [c for c in _EVENTS.c if c.key not in ("sequence", "organisation_id")]
_STATE_COLUMNS = [c for c in _STATES.c if c.key != "organisation_id"]
_INSERT_EVENT = insert(_EVENTS)
_EVENT_BY_RECORD = select(*_EVENT_COLUMNS).where(_EVENTS.c.record_id == bindparam("record_id"))
_STATE = select(*_STATE_COLUMNS).where(
    _STATES.c.subject_id == bindparam("subject_id"), _STATES.c.purpose == bindparam("purpose")
)
_STATES_OF = (
    select(*_STATE_COLUMNS)
    .where(_STATES.c.subject_id == bindparam("subject_id"))
    .order_by(_STATES.c.purpose)
)
_ALL_STATES = select(*_STATE_COLUMNS).where(
    _STATES.c.organisation_id == bindparam("organisation_id")
)
_LEDGER_PAGE = (
    select(_EVENTS.c.sequence, *_EVENT_COLUMNS)
    .where(_EVENTS.c.organisation_id == bindparam("organisation_id"))
    .where(_EVENTS.c.sequence > bindparam("after"))
    .order_by(_EVENTS.c.sequence)
    .limit(BATCH)
)
_EVENTS_OF = (
    select(*_EVENT_COLUMNS)
    .where(_EVENTS.c.subject_id == bindparam("subject_id"))
    .order_by(_EVENTS.c.sequence)
)


def _state_upsert(dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (subject_id, purpose) DO UPDATE`` from the row's own values."""
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_of(_STATES)
    keys = ("subject_id", "purpose")
    return statement.on_conflict_do_update(
        index_elements=[_STATES.c[k] for k in keys],
        set_={c.key: statement.excluded[c.key] for c in _STATES.c if c.key not in keys},
    )


_UPSERT_STATE = {name: _state_upsert(name) for name in ("sqlite", "postgresql")}


@functools.cache
def _consenting(dialect: str, kind: IdentifierKind) -> Executable:
    """The blind indexes of ``kind`` among ``:indexes`` whose person consents to ``:purpose``.

    The indexes are one parameter: a JSON array that SQLite's ``json_each`` reads, an
    array on PostgreSQL (``= ANY``). As an ``IN`` list, SQLAlchemy spent more time
    rendering 10,000 placeholders per query than the database took to answer it. Each
    row names its organisation: on SQLite the caller keeps its own organisation's,
    since asked for it SQLite reads every subject of the organisation (its index on
    ``organisation_id``) instead of looking each index up.
    """
    column = INDEX_COLUMNS[kind]
    consenting = (
        (ConsentStateRow.subject_id == SubjectRow.id)
        & (ConsentStateRow.purpose == bindparam("purpose"))
        & (ConsentStateRow.status == ConsentStatus.GIVEN.value)
        & (ConsentStateRow.categories != "[]")
    )
    if dialect == "sqlite":  # each listed index looked up in turn
        listed = func.json_each(bindparam("indexes")).table_valued("value")
        return (
            select(column, SubjectRow.organisation_id)
            .select_from(listed)
            .join(SubjectRow, column == listed.c.value)
            .join(ConsentStateRow, consenting)
        )
    return (
        select(column, SubjectRow.organisation_id)
        .join(ConsentStateRow, consenting)
        .where(column == any_(bindparam("indexes", type_=ARRAY(String))))
        .where(SubjectRow.organisation_id == bindparam("organisation_id"))
    )


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
        lookups = self.crypto.lookups
        for n, identifier in enumerate(identifiers):
            by_index = wanted.get(identifier.kind)
            if by_index is None:
                by_index = wanted[identifier.kind] = {}
            for index in lookups(identifier):
                where = by_index.get(index)
                if where is None:
                    by_index[index] = [n]
                else:
                    where.append(n)
        answers = [False] * len(identifiers)
        connection = self._session.connection()
        dialect = connection.dialect.name
        for kind, by_index in wanted.items():
            statement = _consenting(dialect, kind)
            indexes = list(by_index)
            for start in range(0, len(indexes), CHUNK):
                chunk = indexes[start : start + CHUNK]
                params = {
                    "organisation_id": organisation_id,
                    "purpose": purpose,
                    "indexes": json.dumps(chunk) if dialect == "sqlite" else chunk,
                }
                for hit, organisation in connection.execute(statement, params):
                    if organisation == organisation_id:
                        for n in by_index.get(hit or "", ()):
                            answers[n] = True
        return answers

    def append(self, organisation_id: OrganisationId, event: ConsentEvent) -> None:
        """Add ``event`` at the end of the ledger."""
        values = _event_values(event)
        values["organisation_id"] = organisation_id
        execute(self._session, _INSERT_EVENT, values)

    def event(self, record_id: ConsentEventId) -> ConsentEvent | None:
        """The ledger entry ``record_id``, if the ledger holds it."""
        rows = self._run(_EVENT_BY_RECORD, record_id=record_id)
        return _event_of(rows[0]) if rows else None

    def state(self, subject_id: SubjectId, purpose: str) -> ConsentState | None:
        """The subject's current consent to ``purpose``, if any was ever recorded."""
        rows = self._run(_STATE, subject_id=subject_id, purpose=purpose)
        return _state_of(rows[0]) if rows else None

    def states_of(self, subject_id: SubjectId) -> list[ConsentState]:
        """The subject's current consent to every purpose recorded, by purpose."""
        return [_state_of(row) for row in self._run(_STATES_OF, subject_id=subject_id)]

    def save_state(self, organisation_id: OrganisationId, state: ConsentState) -> None:
        """Store the subject's state for the purpose, replacing the one before."""
        values = _state_values(state)
        values["organisation_id"] = organisation_id
        execute(self._session, _UPSERT_STATE[self._session.get_bind().dialect.name], values)

    def events(self, organisation_id: OrganisationId) -> Iterator[ConsentEvent]:
        """The whole ledger of the organisation, in order, read a batch at a time."""
        after = 0
        while True:
            rows = self._run(_LEDGER_PAGE, organisation_id=organisation_id, after=after)
            if not rows:
                return
            yield from (_event_of(row) for row in rows)
            after = rows[-1].sequence

    def events_of(self, subject_id: SubjectId) -> list[ConsentEvent]:
        """One subject's events, in ledger order."""
        return [_event_of(row) for row in self._run(_EVENTS_OF, subject_id=subject_id)]

    def all_states(self, organisation_id: OrganisationId) -> list[ConsentState]:
        """Every state of the organisation."""
        return [_state_of(row) for row in self._run(_ALL_STATES, organisation_id=organisation_id)]

    def replace_states(
        self, organisation_id: OrganisationId, states: Iterable[ConsentState]
    ) -> None:
        """Drop the organisation's projection and store ``states`` instead (a rebuild)."""
        self._session.execute(
            delete(ConsentStateRow).where(ConsentStateRow.organisation_id == organisation_id)
        )
        rows = [{"organisation_id": organisation_id, **_state_values(s)} for s in states]
        for start in range(0, len(rows), BATCH):
            self._session.connection().execute(insert(_STATES), rows[start : start + BATCH])

    def _run(self, statement: Select[Any], **params: object) -> list[Record]:
        """``statement`` in the unit of work's transaction (begun if need be), prepared."""
        return execute(self._session, statement, params)


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


def _event_of(row: Any) -> ConsentEvent:
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


def _state_of(row: Any) -> ConsentState:
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
