"""Response models of the breach register (Art. 33(5))."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from skydd.domain.breaches import Breach, BreachRisk, BreachStatus


class BreachOut(BaseModel):
    """One documented breach: what happened, its effects and the measures taken."""

    reference: str
    status: BreachStatus
    risk: BreachRisk
    opened_at: dt.datetime
    aware_at: dt.datetime
    occurred_at: dt.datetime | None
    description: str
    data_categories: list[str]
    approx_subjects: int
    consequences: str
    measures: str
    notified_authority_at: dt.datetime | None
    subjects_informed: bool
    closed_at: dt.datetime | None

    @classmethod
    def from_domain(cls, breach: Breach) -> BreachOut:
        """The API form of a breach."""
        return cls(
            reference=breach.reference,
            status=breach.status,
            risk=breach.risk,
            opened_at=breach.opened_at,
            aware_at=breach.aware_at,
            occurred_at=breach.occurred_at,
            description=breach.description,
            data_categories=list(breach.data_categories),
            approx_subjects=breach.approx_subjects,
            consequences=breach.consequences,
            measures=breach.measures,
            notified_authority_at=breach.notified_authority_at,
            subjects_informed=breach.subjects_informed,
            closed_at=breach.closed_at,
        )
