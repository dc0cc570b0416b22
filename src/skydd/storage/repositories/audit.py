"""The audit log's rows ↔ :class:`AuditEvent`; appends are serialised so the chain never forks.

Appending is on the path of every change skydd audits, so its statements are plain
Core statements built once (no ORM flush for an insert-only row), and a transaction
that appends several events locks and reads the chain's head once: while it holds the
lock nobody else can append, so the head is the event it appended last.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from skydd.domain.audit import (
    EMPTY_CHAIN,
    AuditEvent,
    ChainHead,
    DetailValue,
    UnreadableEvent,
    canonical_json,
)
from skydd.storage.tables import AuditEventRow

AUDIT_LOCK_KEY = 0x736B_7964_6461_7564
"""``pg_advisory_xact_lock`` key of the chain's head: the bytes of ``"skyddaud"``."""

_COLUMNS = (
    AuditEventRow.sequence,
    AuditEventRow.occurred_at,
    AuditEventRow.actor,
    AuditEventRow.action,
    AuditEventRow.target,
    AuditEventRow.origin,
    AuditEventRow.organisation,
    AuditEventRow.subject,
    AuditEventRow.purpose,
    AuditEventRow.details,
    AuditEventRow.prev_hash,
    AuditEventRow.hash,
)
_ROWS = select(*_COLUMNS).order_by(AuditEventRow.sequence)
_TABLE = cast("Table", AuditEventRow.__table__)
_LOCK = select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY))
_HEAD = select(_TABLE.c.sequence, _TABLE.c.hash).order_by(_TABLE.c.sequence.desc()).limit(1)
_INSERT = insert(_TABLE)


class SqlAuditRepository:
    """Audit events in the SQL database; rows are inserted and never updated."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._held: _Held | None = None

    def lock_head(self) -> ChainHead:
        """The chain's head, locked until the transaction ends so no other writer forks it.

        PostgreSQL takes a transaction-level advisory lock: a second writer waits here
        and, under READ COMMITTED, then reads the head the first one committed. SQLite
        needs nothing more: skydd begins every transaction with ``BEGIN IMMEDIATE``, so
        writers are already one at a time. The primary key on ``sequence`` is the last
        guard: a forked append fails instead of being stored.

        Once this transaction holds the lock, the head is what it read or appended last
        and is not read again; a new transaction (after a commit or rollback) or a
        savepoint begun or ended since locks and reads afresh.
        """
        connection = self._session.connection()  # begins the transaction if need be
        held = self._held
        if held is not None and held.is_current(self._session):
            return held.head
        if connection.dialect.name == "postgresql":
            connection.execute(_LOCK)
        found = connection.execute(_HEAD).first()
        head = EMPTY_CHAIN if found is None else ChainHead(found.sequence, found.hash)
        self._held = _Held.now(self._session, head)
        return head

    def append(self, event: AuditEvent) -> None:
        """Store ``event``, sealed after the head :meth:`lock_head` returned."""
        self._session.connection().execute(
            _INSERT,
            {
                "sequence": event.sequence,
                "occurred_at": event.occurred_at,
                "actor": event.actor,
                "action": event.action,
                "target": event.target,
                "origin": event.origin,
                "organisation": event.organisation,
                "subject": event.subject,
                "purpose": event.purpose,
                "details": canonical_json(event.details),
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            },
        )
        held = self._held
        if held is not None and held.is_current(self._session):
            self._held = _Held.now(self._session, ChainHead(event.sequence, event.hash))

    def head(self) -> AuditEvent | UnreadableEvent | None:
        """The newest event, if any."""
        newest = self._session.scalar(select(func.max(AuditEventRow.sequence)))
        return None if newest is None else self._read_one(newest)

    def page(
        self,
        after: int,
        limit: int,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[AuditEvent | UnreadableEvent]:
        """Up to ``limit`` events after ``after``, in order; optionally in [since, until).

        A row altered into something no event can hold (a timestamp that is not one,
        details that are not JSON) comes back as :class:`UnreadableEvent` in its place,
        so verification names it instead of failing on it.
        """
        query = _ROWS.where(AuditEventRow.sequence > after)
        if since is not None:
            query = query.where(AuditEventRow.occurred_at >= since)
        if until is not None:
            query = query.where(AuditEventRow.occurred_at < until)
        query = query.limit(limit)
        try:
            return [_to_event(row) for row in self._session.execute(query)]
        except (ValueError, TypeError):
            # Some row does not decode: read the page one row at a time to name it.
            wanted = self._session.scalars(query.with_only_columns(AuditEventRow.sequence))
            return [self._read_one(number) for number in wanted]

    def _read_one(self, sequence: int) -> AuditEvent | UnreadableEvent:
        try:
            row = self._session.execute(_ROWS.where(AuditEventRow.sequence == sequence)).one()
            return _to_event(row)
        except (ValueError, TypeError) as exc:
            return UnreadableEvent(sequence, f"the stored row cannot be read: {exc}")


@dataclass(frozen=True)
class _Held:
    """The head as one transaction (and savepoint) locked and moved it."""

    transaction: SessionTransaction
    savepoint: SessionTransaction | None
    head: ChainHead

    @classmethod
    def now(cls, session: Session, head: ChainHead) -> _Held:
        transaction = session.get_transaction()
        assert transaction is not None  # noqa: S101 - a statement has just run in it
        return cls(transaction, session.get_nested_transaction(), head)

    def is_current(self, session: Session) -> bool:
        """True while the session is still in the transaction and savepoint that read it."""
        return (
            self.transaction.is_active
            and session.get_transaction() is self.transaction
            and session.get_nested_transaction() is self.savepoint
        )


def _to_event(row: Row[*tuple[Any, ...]]) -> AuditEvent:
    details = json.loads(row.details)
    if not isinstance(details, dict):
        msg = "details are not a JSON object"
        raise ValueError(msg)
    return AuditEvent(
        sequence=row.sequence,
        occurred_at=row.occurred_at,
        actor=_text(row.actor),
        action=_text(row.action),
        target=_text(row.target),
        origin=_text(row.origin),
        organisation=_optional_text(row.organisation),
        subject=_optional_text(row.subject),
        purpose=_optional_text(row.purpose),
        details=_details(details),
        prev_hash=_text(row.prev_hash),
        hash=_text(row.hash),
    )


def _details(raw: dict[Any, Any]) -> dict[str, DetailValue]:
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            msg = f"detail {key!r} is neither text nor a whole number"
            raise ValueError(msg)
    return raw


def _text(value: object) -> str:
    # SQLite stores whatever it is given; a number where text belongs is tampering.
    if not isinstance(value, str):
        msg = f"{value!r} is not text"
        raise ValueError(msg)
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)
