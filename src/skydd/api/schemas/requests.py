"""Request and response bodies of data subject requests."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from skydd.domain.identifiers import IdentifierKind
from skydd.domain.request_work import RequestStep, StepKind, StepStatus
from skydd.domain.requests import Channel, DataSubjectRequest, RequestStatus, RequestType

_MAX_IDENTIFIER = 320


class SubmissionIn(BaseModel):
    """A request from the person: the right and at least one identifier."""

    model_config = ConfigDict(extra="forbid")

    type: RequestType = Field(description="The right exercised.")
    email: str | None = Field(None, max_length=_MAX_IDENTIFIER, description="E-mail address.")
    phone: str | None = Field(None, max_length=40, description="Phone number.")
    personnummer: str | None = Field(None, max_length=20, description="Swedish personnummer.")
    name: str | None = Field(None, max_length=300, description="The person's name.")
    details: str | None = Field(
        None, max_length=5000, description="What to correct, which purpose objected to, etc."
    )
    language: str | None = Field(None, max_length=16, description="Language to answer in.")

    def identifiers(self) -> dict[IdentifierKind, str]:
        """The identifiers given, by kind."""
        given = {
            IdentifierKind.EMAIL: self.email,
            IdentifierKind.PHONE: self.phone,
            IdentifierKind.PERSONNUMMER: self.personnummer,
        }
        return {kind: value for kind, value in given.items() if value is not None}


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
