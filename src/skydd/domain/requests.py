"""Data subject requests: which right, through which channel, and the states they pass.

A request is received (its true receipt date counts, even when staff register it days
later), verified, worked on and then completed or rejected. Nothing runs before
verification. Extension (Art. 12(3)) is not a state of its own: a request being
verified or worked on can be extended once, with a reason and while the notice can
still reach the person within the first month; it stays in its state, with a later
deadline. A rejection needs the reason the person is told, with their right to
complain and to a judicial remedy (Art. 12(4)). Completed and rejected are final.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType

from skydd.domain.errors import ConflictError, InvalidInput, parse_choice
from skydd.domain.request_deadlines import RequestDeadlines
from skydd.domain.verification import VerificationMethod
from skydd.domain.withdrawal import ErasureScope

RequestId = NewType("RequestId", uuid.UUID)

MAX_REASON_LENGTH = 2000


class RequestType(StrEnum):
    """The rights a request exercises, by GDPR article."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"

    @property
    def article(self) -> int:
        """The GDPR article of the right."""
        return {
            RequestType.ACCESS: 15,
            RequestType.RECTIFICATION: 16,
            RequestType.ERASURE: 17,
            RequestType.RESTRICTION: 18,
            RequestType.PORTABILITY: 20,
            RequestType.OBJECTION: 21,
        }[self]


class Channel(StrEnum):
    """How the request reached the organisation."""

    WEB = "web"
    API = "api"
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    IN_PERSON = "in_person"


class RequestStatus(StrEnum):
    """Where a request stands."""

    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


NEXT_STATUSES: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.RECEIVED: frozenset({RequestStatus.VERIFIED, RequestStatus.REJECTED}),
    RequestStatus.VERIFIED: frozenset({RequestStatus.IN_PROGRESS, RequestStatus.REJECTED}),
    RequestStatus.IN_PROGRESS: frozenset({RequestStatus.COMPLETED, RequestStatus.REJECTED}),
    RequestStatus.COMPLETED: frozenset(),
    RequestStatus.REJECTED: frozenset(),
}
"""The states each state may move to; the final ones move nowhere."""


@dataclass(frozen=True)
class Verification:
    """How, when and by whom the requester's identity was confirmed."""

    method: VerificationMethod
    at: dt.datetime
    by: str
    """``requester`` for a code the person entered; the staff actor otherwise."""
    reason: str | None = None
    """For manual verification: what staff checked (required then)."""


@dataclass(frozen=True)
class DataSubjectRequest:
    """One request, with the dates it is measured against.

    Holds no personal data: who the request is from (:class:`Requester`) is stored
    and read apart, so queues and deadline lists never decrypt anything.
    """

    id: RequestId
    type: RequestType
    channel: Channel
    deadlines: RequestDeadlines
    status: RequestStatus = RequestStatus.RECEIVED
    changed_at: dt.datetime | None = None
    extended_because: str | None = None
    rejected_because: str | None = None
    reference: str = ""
    """What the person and staff call the request by (``R-7K3F-9QXA``)."""
    language: str = "en"
    """The language the person is answered in."""
    registered_by: str = "requester"
    """``requester`` when the person submitted it; the staff actor otherwise."""
    verification: Verification | None = None
    purpose: str | None = None
    """For an objection: the key of the register purpose objected to."""
    notified_at: dt.datetime | None = None
    """When the person was told the request is complete (or found to have no address)."""
    erasure_scope: ErasureScope | None = None
    """For an erasure a withdrawal of consent made due: only these categories, per system."""

    @property
    def is_final(self) -> bool:
        """True once completed or rejected."""
        return not NEXT_STATUSES[self.status]

    @property
    def is_extended(self) -> bool:
        """True once the deadline was extended."""
        return self.extended_because is not None

    @property
    def due_on(self) -> dt.date:
        """The deadline in force."""
        return self.deadlines.due(extended=self.is_extended)


def parse_request_type(value: str) -> RequestType:
    """The right named by ``value``; the error lists the known ones, never the input."""
    return parse_choice(RequestType, value, "unknown request type")


def new_request(
    request_type: RequestType,
    channel: Channel,
    deadlines: RequestDeadlines,
    *,
    language: str = "en",
    registered_by: str = "requester",
    purpose: str | None = None,
    erasure_scope: ErasureScope | None = None,
) -> DataSubjectRequest:
    """A request just received, with a fresh id and reference."""
    return DataSubjectRequest(
        purpose=purpose,
        erasure_scope=erasure_scope,
        id=RequestId(uuid.uuid4()),
        type=request_type,
        channel=channel,
        deadlines=deadlines,
        reference=new_reference(),
        language=language,
        registered_by=registered_by,
    )


_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
"""No 0/O, 1/I/L or U: a reference read out on the phone is not misheard."""


def new_reference() -> str:
    """A random reference like ``R-7K3F-9QXA`` (about 39 bits: not guessable in bulk)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


def verify(request: DataSubjectRequest, verification: Verification) -> DataSubjectRequest:
    """The request verified; a manual verification must say what staff checked."""
    if verification.method is VerificationMethod.MANUAL:
        verification = replace(verification, reason=_checked_reason(verification.reason or ""))
    _check_move(request, RequestStatus.VERIFIED)
    return replace(
        request,
        status=RequestStatus.VERIFIED,
        changed_at=verification.at,
        verification=verification,
    )


def advance(request: DataSubjectRequest, to: RequestStatus, at: dt.datetime) -> DataSubjectRequest:
    """The request in state ``to``; a move the lifecycle does not allow is a conflict.

    Rejection goes through :func:`reject`, which needs the reason, and verification
    through :func:`verify`, which needs its record.
    """
    if to is RequestStatus.REJECTED:
        msg = "a rejection needs its reason: use reject"
        raise InvalidInput(msg)
    if to is RequestStatus.VERIFIED:
        msg = "a verification needs its record: use verify"
        raise InvalidInput(msg)
    _check_move(request, to)
    return replace(request, status=to, changed_at=at)


def reject(request: DataSubjectRequest, reason: str, at: dt.datetime) -> DataSubjectRequest:
    """The request rejected, with the reason the person is told (Art. 12(4))."""
    _check_move(request, RequestStatus.REJECTED)
    return replace(
        request,
        status=RequestStatus.REJECTED,
        changed_at=at,
        rejected_because=_checked_reason(reason),
    )


def extend(
    request: DataSubjectRequest, reason: str, today: dt.date, at: dt.datetime
) -> DataSubjectRequest:
    """The request with its deadline extended to three months from receipt.

    Allowed once, on a request not yet final, while the notice to the person can still
    be sent within the first month (Art. 12(3)).
    """
    if request.is_final:
        msg = f"a {request.status.value} request cannot be extended"
        raise ConflictError(msg)
    if request.is_extended:
        msg = "the request has already been extended"
        raise ConflictError(msg)
    if not request.deadlines.can_extend(today):
        msg = (
            "too late to extend: the notice had to reach the person by "
            f"{request.deadlines.extension_notice_by.isoformat()}"
        )
        raise ConflictError(msg)
    return replace(request, extended_because=_checked_reason(reason), changed_at=at)


def mark_notified(request: DataSubjectRequest, at: dt.datetime) -> DataSubjectRequest:
    """The completed request with its notice sent; told once is enough."""
    if request.status is not RequestStatus.COMPLETED:
        msg = f"a {request.status.value} request has no completion notice to send"
        raise ConflictError(msg)
    return replace(request, notified_at=request.notified_at or at)


def _check_move(request: DataSubjectRequest, to: RequestStatus) -> None:
    if to not in NEXT_STATUSES[request.status]:
        msg = f"a {request.status.value} request cannot become {to.value}"
        raise ConflictError(msg)


def _checked_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned or len(cleaned) > MAX_REASON_LENGTH:
        msg = f"a reason is 1-{MAX_REASON_LENGTH} characters"
        raise InvalidInput(msg)
    return cleaned
