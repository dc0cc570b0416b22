"""Request and response bodies of data subject requests."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from skydd.api.schemas.people import PersonIn
from skydd.domain.processing_limits import LimitKind, ProcessingLimit
from skydd.domain.rectification import MAX_CORRECTIONS
from skydd.domain.request_work import RequestStep, StepKind, StepStatus
from skydd.domain.requests import Channel, DataSubjectRequest, RequestStatus, RequestType
from skydd.services.request_corrections import Corrections
from skydd.services.requests import Submission


class SubmissionIn(PersonIn):
    """A request from the person: the right and at least one identifier."""

    type: RequestType = Field(description="The right exercised.")
    name: str | None = Field(None, max_length=300, description="The person's name.")
    details: str | None = Field(
        None, max_length=5000, description="Anything the person wants to add, in their words."
    )
    language: str | None = Field(None, max_length=16, description="Language to answer in.")
    corrections: dict[str, str] | None = Field(
        None,
        max_length=MAX_CORRECTIONS,
        description=(
            "Rectification only: the right value per data category, named by the register's"
            ' key or fideslang\'s (`{"name": "Anna Berg"}`).'
        ),
    )
    purpose: str | None = Field(
        None, max_length=200, description="Objection only: the register purpose objected to."
    )

    def submission(self, channel: Channel, received_on: dt.date | None = None) -> Submission:
        """The use case's submission of this body."""
        return Submission(
            type=self.type,
            identifiers=self.identifiers(),
            channel=channel,
            name=self.name,
            details=self.details,
            language=self.language,
            received_on=received_on,
            corrections=self.corrections or {},
            purpose=self.purpose,
        )


class RegisteredIn(SubmissionIn):
    """A request that reached staff by e-mail, letter, phone or in person."""

    channel: Channel = Field(description="How the request arrived.")
    received_on: dt.date = Field(
        description="The true day of receipt: the deadline counts from it."
    )


class VerificationState(StrEnum):
    """What happens next about the requester's identity."""

    CODE_SENT = "code_sent"
    CODE_NOT_SENT = "code_not_sent"
    MANUAL = "manual"


class ReceiptOut(BaseModel):
    """The answer to a submission: the same whether or not skydd knows the person."""

    reference: str
    status: RequestStatus
    verification: VerificationState
    received_on: dt.date
    due_on: dt.date


class CodeIn(BaseModel):
    """The code the person received by e-mail."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=20, description="The six-digit code.")


class CodeSentOut(BaseModel):
    """Whether a new code went out."""

    sent: bool


class ReasonIn(BaseModel):
    """A reason staff record: why an extension, a rejection or a manual verification."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class DueQuery(BaseModel):
    """The filter of the request queue; an unknown parameter is refused (422)."""

    model_config = ConfigDict(extra="forbid")

    due_within_days: int | None = Field(
        None, ge=0, le=3650, description="Only requests due within this many days (overdue too)."
    )


class RequestOut(BaseModel):
    """A request as staff see it in a queue: its lifecycle and dates, no personal data."""

    reference: str
    type: RequestType
    article: int
    channel: Channel
    status: RequestStatus
    language: str
    received_on: dt.date
    due_on: dt.date
    target_on: dt.date
    extended: bool
    extended_because: str | None
    rejected_because: str | None
    verified_by: str | None
    registered_by: str
    purpose: str | None = Field(description="For an objection: the purpose objected to.")

    @classmethod
    def from_domain(cls, request: DataSubjectRequest) -> RequestOut:
        """The API form of a request."""
        verification = request.verification
        return cls(
            reference=request.reference,
            type=request.type,
            article=request.type.article,
            channel=request.channel,
            status=request.status,
            language=request.language,
            received_on=request.deadlines.received_on,
            due_on=request.due_on,
            target_on=request.deadlines.target_on,
            extended=request.is_extended,
            extended_because=request.extended_because,
            rejected_because=request.rejected_because,
            verified_by=None if verification is None else verification.method.value,
            registered_by=request.registered_by,
            purpose=request.purpose,
        )


class AssigneeIn(BaseModel):
    """Who a manual task goes to."""

    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=200, description="A staff username.")


class TaskOut(BaseModel):
    """One system's part of a request: run by skydd, or a manual task for staff."""

    system: str
    kind: StepKind
    status: StepStatus
    instructions: str | None
    assignee: str | None
    due_on: dt.date | None
    attempts: int
    error: str | None

    @classmethod
    def from_domain(cls, step: RequestStep) -> TaskOut:
        """The API form of a step."""
        return cls(
            system=step.system,
            kind=step.kind,
            status=step.status,
            instructions=step.instructions,
            assignee=step.assignee,
            due_on=step.due_on,
            attempts=step.attempts,
            error=step.error,
        )


class AskedCorrectionOut(BaseModel):
    """A correction the person asked for."""

    category: str
    value: str


class FieldChangeOut(BaseModel):
    """One field corrected in one system: rows changed, old values, the new value."""

    system: str
    collection: str
    field: str
    rows: int
    old: list[object]
    new: str


class CorrectionsOut(BaseModel):
    """A rectification's corrections, old → new (staff only; every read is audited)."""

    asked: list[AskedCorrectionOut]
    made: list[FieldChangeOut]

    @classmethod
    def from_domain(cls, corrections: Corrections) -> CorrectionsOut:
        """The API form of the corrections."""
        return cls(
            asked=[
                AskedCorrectionOut(category=c.category, value=c.value) for c in corrections.asked
            ],
            made=[
                FieldChangeOut(
                    system=m.system,
                    collection=m.collection,
                    field=m.field,
                    rows=m.rows,
                    old=list(m.old),
                    new=m.new,
                )
                for m in corrections.made
            ],
        )


class LimitOut(BaseModel):
    """A restriction, objection or suppression a request set (no personal data)."""

    kind: LimitKind
    purpose: str | None
    since: dt.datetime
    active: bool
    lifted_at: dt.datetime | None
    lifted_because: str | None

    @classmethod
    def from_domain(cls, limit: ProcessingLimit) -> LimitOut:
        """The API form of a limit."""
        return cls(
            kind=limit.kind,
            purpose=limit.purpose,
            since=limit.since,
            active=limit.active,
            lifted_at=limit.lifted_at,
            lifted_because=limit.lifted_because,
        )
