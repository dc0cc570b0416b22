"""Data subject requests' rows ↔ :class:`DataSubjectRequest` and :class:`Requester`.

The lifecycle is read without touching a key; the requester is decrypted only when a
use case asks for it (sending a code, running the request), so listing a queue or the
requests due this week reads no personal data.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from skydd.domain.errors import NotFoundError
from skydd.domain.ids import OrganisationId
from skydd.domain.rectification import Correction
from skydd.domain.request_deadlines import RequestDeadlines
from skydd.domain.requesters import Requester
from skydd.domain.requests import (
    Channel,
    DataSubjectRequest,
    RequestId,
    RequestStatus,
    RequestType,
    Verification,
)
from skydd.domain.verification import CodeChallenge, VerificationMethod
from skydd.domain.withdrawal import ErasureScope
from skydd.storage.field_crypto import CryptoSource, EncryptedRepository, FieldCrypto
from skydd.storage.identity_tokens import open_identifiers, open_name, seal_identity
from skydd.storage.tables import RequestCodeRow, RequestRow

REQUESTS = "requests"
DETAILS_CATEGORY = "user"
"""What the person wrote may be about anything: it is encrypted under the top category."""

OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)

_DUE_IN_FORCE = case(
    (RequestRow.extended_because.is_not(None), RequestRow.extended_due_on),
    else_=RequestRow.due_on,
)


class SqlRequestRepository(EncryptedRepository):
    """Requests of one database; keys come from ``crypto`` when a requester is read."""

    def __init__(self, session: Session, crypto: CryptoSource) -> None:
        super().__init__(crypto)
        self._session = session

    def add(
        self,
        organisation_id: OrganisationId,
        request: DataSubjectRequest,
        requester: Requester,
        at: dt.datetime,
    ) -> None:
        """Store a new request and who it is from."""
        row = RequestRow(
            id=request.id, organisation_id=organisation_id, created_at=at, **_lifecycle(request)
        )
        seal_requester(row, requester, self.crypto)
        self._session.add(row)
        self._session.flush()

    def save(self, request: DataSubjectRequest) -> None:
        """Store a request's changed lifecycle (never its requester): one UPDATE by key."""
        changed = self._session.execute(
            update(RequestRow).where(RequestRow.id == request.id).values(**_lifecycle(request))
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            msg = "no such request"
            raise NotFoundError(msg)

    def get(
        self, organisation_id: OrganisationId, request_id: RequestId
    ) -> DataSubjectRequest | None:
        """The request with ``request_id`` in the organisation, if any."""
        row = self._session.get(RequestRow, request_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return request_of(row)

    def by_reference(
        self, organisation_id: OrganisationId, reference: str
    ) -> DataSubjectRequest | None:
        """The request with ``reference`` in the organisation, if any."""
        row = self._session.scalar(
            select(RequestRow)
            .where(RequestRow.organisation_id == organisation_id)
            .where(RequestRow.reference == reference)
        )
        return None if row is None else request_of(row)

    def open_due_by(
        self, organisation_id: OrganisationId, last_day: dt.date | None
    ) -> list[DataSubjectRequest]:
        """Open requests whose deadline in force is on or before ``last_day`` (all if None).

        Soonest deadline first.
        """
        query = (
            select(RequestRow)
            .where(RequestRow.organisation_id == organisation_id)
            .where(RequestRow.status.in_([s.value for s in OPEN_STATUSES]))
            .order_by(_DUE_IN_FORCE, RequestRow.received_on, RequestRow.reference)
        )
        if last_day is not None:
            query = query.where(_DUE_IN_FORCE <= last_day)  # noqa: SIM300 - a column
        return [request_of(row) for row in self._session.scalars(query)]

    def unnotified(self, organisation_id: OrganisationId) -> list[DataSubjectRequest]:
        """Completed requests whose person has not been told yet, oldest change first."""
        rows = self._session.scalars(
            select(RequestRow)
            .where(RequestRow.organisation_id == organisation_id)
            .where(RequestRow.status == RequestStatus.COMPLETED.value)
            .where(RequestRow.notified_at.is_(None))
            .order_by(RequestRow.changed_at)
        )
        return [request_of(row) for row in rows]

    def requester(self, request_id: RequestId) -> Requester:
        """Who the request is from, decrypted."""
        row = self._session.get(RequestRow, request_id)
        if row is None:
            msg = "no such request"
            raise NotFoundError(msg)
        return requester_of(row, self.crypto)

    def code(self, request_id: RequestId) -> CodeChallenge | None:
        """The code last sent for the request, if any."""
        row = self._session.get(RequestCodeRow, request_id)
        if row is None:
            return None
        return CodeChallenge(
            code_hash=row.code_hash, issued_at=row.issued_at, attempts=row.attempts, sends=row.sends
        )

    def save_code(self, request_id: RequestId, challenge: CodeChallenge) -> None:
        """Store the request's current code challenge, replacing any earlier one."""
        row = self._session.get(RequestCodeRow, request_id)
        if row is None:
            row = RequestCodeRow(request_id=request_id)
            self._session.add(row)
        row.code_hash = challenge.code_hash
        row.issued_at = challenge.issued_at
        row.attempts = challenge.attempts
        row.sends = challenge.sends
        self._session.flush()

    def drop_code(self, request_id: RequestId) -> None:
        """Forget the request's code: once verified it must not be usable again."""
        self._session.execute(delete(RequestCodeRow).where(RequestCodeRow.request_id == request_id))


def request_of(row: RequestRow) -> DataSubjectRequest:
    """A row's lifecycle as a :class:`DataSubjectRequest` (no decryption)."""
    verification = None
    if row.verification_method is not None and row.verified_at is not None:
        verification = Verification(
            method=VerificationMethod(row.verification_method),
            at=row.verified_at,
            by=row.verified_by or "",
            reason=row.verification_reason,
        )
    return DataSubjectRequest(
        id=RequestId(row.id),
        type=RequestType(row.type),
        channel=Channel(row.channel),
        deadlines=RequestDeadlines(
            received_on=row.received_on,
            due_on=row.due_on,
            extended_due_on=row.extended_due_on,
            target_on=row.target_on,
        ),
        status=RequestStatus(row.status),
        changed_at=row.changed_at,
        extended_because=row.extended_because,
        rejected_because=row.rejected_because,
        reference=row.reference,
        language=row.language,
        registered_by=row.registered_by,
        verification=verification,
        purpose=row.purpose,
        notified_at=row.notified_at,
        erasure_scope=_scope_of(row.erasure_scope),
    )


def _scope_of(stored: str | None) -> ErasureScope | None:
    """The erasure scope from its JSON column."""
    if stored is None:
        return None
    data = json.loads(stored)
    systems = {k: tuple(v) for k, v in data["systems"].items()}
    return ErasureScope(data["purpose"], data["record_id"], systems)


def _scope_json(scope: ErasureScope | None) -> str | None:
    if scope is None:
        return None
    systems = {k: list(v) for k, v in sorted(scope.systems.items())}
    data = {"purpose": scope.purpose, "record_id": scope.record_id, "systems": systems}
    return json.dumps(data, sort_keys=True)


def _lifecycle(request: DataSubjectRequest) -> dict[str, object]:
    """The plain columns of a request's row: everything but who it is from."""
    verification = request.verification
    return {
        "reference": request.reference,
        "type": request.type.value,
        "channel": request.channel.value,
        "status": request.status.value,
        "language": request.language,
        "received_on": request.deadlines.received_on,
        "due_on": request.deadlines.due_on,
        "extended_due_on": request.deadlines.extended_due_on,
        "target_on": request.deadlines.target_on,
        "changed_at": request.changed_at,
        "registered_by": request.registered_by,
        "purpose": request.purpose,
        "notified_at": request.notified_at,
        "erasure_scope": _scope_json(request.erasure_scope),
        "extended_because": request.extended_because,
        "rejected_because": request.rejected_because,
        "verification_method": None if verification is None else verification.method.value,
        "verified_at": None if verification is None else verification.at,
        "verified_by": None if verification is None else verification.by,
        "verification_reason": None if verification is None else verification.reason,
    }


def requester_of(row: RequestRow, crypto: FieldCrypto) -> Requester:
    """Decrypt who a request is from."""
    identifiers = open_identifiers(row, REQUESTS, crypto)
    corrections = _open_text(row, "corrections", row.corrections_token, crypto)
    return Requester(
        identifiers=tuple(identifiers.values()),
        name=open_name(row, REQUESTS, crypto),
        details=_open_text(row, "details", row.details_token, crypto),
        corrections=tuple(Correction(c, v) for c, v in json.loads(corrections or "[]")),
    )


def seal_requester(row: RequestRow, requester: Requester, crypto: FieldCrypto) -> None:
    """Write who the request is from into ``row``, encrypted under the active key."""
    by_kind = {i.kind: i for i in requester.identifiers}
    seal_identity(row, REQUESTS, by_kind, requester.name, crypto)
    row.details_token = _sealed_text(row, "details", requester.details, crypto)
    corrections = [[c.category, c.value] for c in requester.corrections]
    text = json.dumps(corrections) if corrections else None
    row.corrections_token = _sealed_text(row, "corrections", text, crypto)


def _sealed_text(
    row: RequestRow, column: str, text: str | None, crypto: FieldCrypto
) -> bytes | None:
    """What the person wrote or asked, encrypted under the top category (it may be anything)."""
    if text is None:
        return None
    return crypto.seal(
        text,
        table=REQUESTS,
        column=column,
        row_id=row.id,
        category=DETAILS_CATEGORY,
        sensitive=False,
    )


def _open_text(
    row: RequestRow, column: str, token: bytes | None, crypto: FieldCrypto
) -> str | None:
    if token is None:
        return None
    return crypto.open(
        token,
        table=REQUESTS,
        column=column,
        row_id=row.id,
        category=DETAILS_CATEGORY,
        sensitive=False,
    )
