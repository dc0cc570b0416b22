"""Events and their sign-ups: rows ↔ :class:`Event` and :class:`Signup`.

Nothing here is personal data beyond a subject's pseudonymous id; what a person gave
when signing up is on ``subject_attributes``, encrypted under its category's key.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skydd.domain.events import Event, EventId, Signup
from skydd.domain.ids import OrganisationId
from skydd.domain.subjects import SubjectId
from skydd.storage.tables import EventRow, EventSignupRow
from skydd.storage.upserts import upsert


class SqlEventRepository:
    """Events of one database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, organisation_id: OrganisationId, event: Event) -> None:
        """Store a new event (the service has checked its key is free)."""
        self._session.add(
            EventRow(
                id=event.id,
                organisation_id=organisation_id,
                key=event.key,
                name=event.name,
                purpose=event.purpose,
                starts_on=event.starts_on,
                created_at=event.created_at,
            )
        )
        self._session.flush()

    def by_key(self, organisation_id: OrganisationId, key: str) -> Event | None:
        """The organisation's event ``key``, if any."""
        row = self._session.scalar(
            select(EventRow)
            .where(EventRow.organisation_id == organisation_id)
            .where(EventRow.key == key)
        )
        return None if row is None else event_of(row)

    def all(self, organisation_id: OrganisationId) -> list[tuple[Event, int]]:
        """Every event of the organisation by date, with how many signed up."""
        counted = (
            select(EventSignupRow.event_id, func.count().label("signups"))
            .group_by(EventSignupRow.event_id)
            .subquery()
        )
        rows = self._session.execute(
            select(EventRow, func.coalesce(counted.c.signups, 0))
            .outerjoin(counted, counted.c.event_id == EventRow.id)
            .where(EventRow.organisation_id == organisation_id)
            .order_by(EventRow.starts_on, EventRow.key)
        )
        return [(event_of(row), int(count)) for row, count in rows]

    def save_signup(self, signup: Signup) -> bool:
        """Record a sign-up; True when new, else only its language changes (one row each).

        Two first sign-ups racing meet in the upsert, not in a duplicate-key error.
        """
        known = self._session.get(EventSignupRow, (signup.event_id, signup.subject_id))
        if known is not None:
            known.language = signup.language
            self._session.flush()
            return False
        self._session.execute(
            upsert(
                self._session,
                EventSignupRow,
                {"event_id": signup.event_id, "subject_id": signup.subject_id},
                {"signed_up_at": signup.signed_up_at, "language": signup.language},
            )
        )
        return True

    def signups(self, event_id: EventId) -> list[Signup]:
        """Who signed up for the event, in the order they did."""
        rows = self._session.scalars(
            select(EventSignupRow)
            .where(EventSignupRow.event_id == event_id)
            .order_by(EventSignupRow.signed_up_at, EventSignupRow.subject_id)
        )
        return [
            Signup(EventId(r.event_id), SubjectId(r.subject_id), r.signed_up_at, r.language)
            for r in rows
        ]

    def of_subject(self, subject_id: SubjectId) -> list[Event]:
        """The events a subject signed up for, by date."""
        rows = self._session.scalars(
            select(EventRow)
            .join(EventSignupRow, EventSignupRow.event_id == EventRow.id)
            .where(EventSignupRow.subject_id == subject_id)
            .order_by(EventRow.starts_on, EventRow.key)
        )
        return [event_of(row) for row in rows]


def event_of(row: EventRow) -> Event:
    """An event row as the domain knows it."""
    return Event(
        id=EventId(row.id),
        key=row.key,
        name=row.name,
        starts_on=row.starts_on,
        purpose=row.purpose,
        created_at=row.created_at,
    )
