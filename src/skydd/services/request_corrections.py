"""What a rectification asks for and what it changed, old → new: shown to staff only.

The person's answer says that their data was rectified, never the values; staff see
both the corrections asked for (to carry out manual tasks) and, per system and field,
the old values replaced. Every such read is audited as a read of personal data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as attribute

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import ConflictError
from skydd.domain.rectification import Correction
from skydd.domain.requests import RequestType
from skydd.services.register import current_register
from skydd.services.requests import audit_request, find_request
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class FieldChange:
    """One field of one system corrected: in how many rows, from which values, to what."""

    system: str
    collection: str
    field: str
    rows: int
    old: tuple[object, ...] = attribute(repr=False)
    new: str = attribute(repr=False)


@dataclass(frozen=True)
class Corrections:
    """A rectification request's corrections asked for and the changes made so far."""

    asked: tuple[Correction, ...]
    made: tuple[FieldChange, ...]


def request_corrections(
    uow: UnitOfWork, clock: Clock, organisation_key: str | None, reference: str, *, who: Who
) -> Corrections:
    """The corrections of a rectification request, old and new values; the read audited."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, reference)
        if request.type is not RequestType.RECTIFICATION:
            msg = "only a rectification request has corrections"
            raise ConflictError(msg)
        asked = uow.requests.requester(request.id).corrections
        made = []
        for step in uow.work.steps(request.id):
            result = uow.work.result(step.id)
            for change in json.loads(result).get("corrected", []) if result else []:
                made.append(
                    FieldChange(
                        step.system,
                        change["collection"],
                        change["field"],
                        change["rows"],
                        tuple(change["old"]),
                        change["new"],
                    )
                )
        audit_request(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_READ,
            request,
            stored.register,
            what="corrections",
        )
        uow.commit()
    return Corrections(asked, tuple(made))
