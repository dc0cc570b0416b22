"""Response models of the register endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from skydd.services.ports import StoredRegister


class RegisterSummaryOut(BaseModel):
    """A stored register version and how much it holds."""

    organisation: str
    version: int
    content_hash: str
    loaded_at: dt.datetime
    purposes: int
    data_categories: int
    systems: int
    processors: int
    retention_rules: int
    cookies: int

    @classmethod
    def from_stored(cls, stored: StoredRegister) -> RegisterSummaryOut:
        """Summarise a stored register."""
        reg = stored.register
        return cls(
            organisation=reg.organisation.key,
            version=stored.number,
            content_hash=stored.content_hash,
            loaded_at=stored.loaded_at,
            purposes=len(reg.purposes),
            data_categories=len(reg.data_categories),
            systems=len(reg.systems),
            processors=len(reg.processors()),
            retention_rules=len(reg.retention),
            cookies=len(reg.cookies),
        )
