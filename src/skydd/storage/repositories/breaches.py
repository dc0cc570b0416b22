"""The breach register's rows ↔ :class:`Breach`."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skydd.domain.breaches import Breach, BreachId, BreachRisk, BreachStatus
from skydd.domain.errors import NotFoundError
from skydd.storage.tables import BreachRow


class SqlBreachRepository:
    """Breaches in the SQL database, looked up by their reference."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, reference: str) -> Breach | None:
        """The breach with ``reference``, if any."""
        row = self._row(reference)
        return None if row is None else _to_breach(row)

    def list_all(self) -> list[Breach]:
        """Every breach, oldest reference first."""
        rows = self._session.scalars(
            select(BreachRow).order_by(BreachRow.opened_at, BreachRow.reference)
        )
        return [_to_breach(row) for row in rows]

    def count_with_prefix(self, prefix: str) -> int:
        """How many references start with ``prefix`` (e.g. ``BR-2026-``)."""
        found = self._session.scalar(
            select(func.count())
            .select_from(BreachRow)
            .where(BreachRow.reference.startswith(prefix))
        )
        return int(found or 0)

    def add(self, breach: Breach) -> None:
        """Store a new breach."""
        row = BreachRow(id=breach.id, reference=breach.reference)
        _fill(row, breach)
        self._session.add(row)
        self._session.flush()

    def save(self, breach: Breach) -> None:
        """Store the changed fields of a breach already stored."""
        row = self._row(breach.reference)
        if row is None:
            msg = f"no breach with reference {breach.reference!r}"
            raise NotFoundError(msg)
        _fill(row, breach)
        self._session.flush()

    def _row(self, reference: str) -> BreachRow | None:
        return self._session.scalar(select(BreachRow).where(BreachRow.reference == reference))


def _fill(row: BreachRow, breach: Breach) -> None:
    row.opened_at = breach.opened_at
    row.aware_at = breach.aware_at
    row.occurred_at = breach.occurred_at
    row.description = breach.description
    row.data_categories = json.dumps(list(breach.data_categories))
    row.approx_subjects = breach.approx_subjects
    row.consequences = breach.consequences
    row.measures = breach.measures
    row.risk = breach.risk.value
    row.status = breach.status.value
    row.notified_authority_at = breach.notified_authority_at
    row.subjects_informed = breach.subjects_informed
    row.closed_at = breach.closed_at


def _to_breach(row: BreachRow) -> Breach:
    return Breach(
        id=BreachId(row.id),
        reference=row.reference,
        opened_at=row.opened_at,
        aware_at=row.aware_at,
        occurred_at=row.occurred_at,
        description=row.description,
        data_categories=tuple(json.loads(row.data_categories)),
        approx_subjects=row.approx_subjects,
        consequences=row.consequences,
        measures=row.measures,
        risk=BreachRisk(row.risk),
        status=BreachStatus(row.status),
        notified_authority_at=row.notified_authority_at,
        subjects_informed=row.subjects_informed,
        closed_at=row.closed_at,
    )
