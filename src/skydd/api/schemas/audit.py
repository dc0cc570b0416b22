"""Response models of the audit endpoints: the chain's verdict and its anchor."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from skydd.domain.audit import Anchor, ChainReport


class ChainReportOut(BaseModel):
    """Whether the audit chain recomputes; ``count`` and ``head_hash`` cover the intact prefix."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    ok: bool
    """True when every event's hash recomputes and links to the one before."""
    count: int
    """Events in the intact prefix (all of them when ``ok``)."""
    head_hash: str
    """The hash of the last intact event."""
    first_broken_sequence: int | None = None
    """The first event that does not verify, if any."""
    reason: str | None = None
    """Why that event does not verify."""

    @classmethod
    def from_domain(cls, report: ChainReport) -> ChainReportOut:
        """The API form of a chain report."""
        return cls(
            ok=report.ok,
            count=report.count,
            head_hash=report.head_hash,
            first_broken_sequence=report.first_broken_sequence,
            reason=report.reason,
        )


class AnchorOut(BaseModel):
    """The head of the chain now: publish it, and verify a later export against it."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    sequence: int
    """The head event's sequence number (0 for an empty log)."""
    head_hash: str
    """The head event's hash."""
    at: dt.datetime | None
    """When the head event occurred; none for an empty log."""

    @classmethod
    def from_domain(cls, anchor: Anchor) -> AnchorOut:
        """The API form of an anchor."""
        return cls(sequence=anchor.sequence, head_hash=anchor.head_hash, at=anchor.at)
