"""Fetching an answer file by its link: counted, audited, refused alike when spent or unknown."""

from __future__ import annotations

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import NotFoundError
from skydd.domain.requests import DataSubjectRequest
from skydd.services.ports import TokenHasher
from skydd.services.register import current_register
from skydd.services.request_execution import answer_hash
from skydd.services.requests import audit_request
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

GONE = "no answer at this link: it is wrong, has expired or has been used up"


def download_answer(
    uow: UnitOfWork,
    clock: Clock,
    hasher: TokenHasher,
    organisation_key: str | None,
    secret: str,
    *,
    who: Who,
) -> tuple[DataSubjectRequest, bytes]:
    """The request and its answer file; each download is counted and audited.

    A wrong, expired or spent link gets the same answer, so a link cannot be probed.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        taken = uow.work.take_answer(answer_hash(hasher, secret.strip()), clock.now())
        request = None if taken is None else uow.requests.get(stored.organisation_id, taken[0])
        if taken is None or request is None:
            raise NotFoundError(GONE)
        audit_request(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_EXPORTED,
            request,
            stored.register,
            channel="download",
        )
        uow.commit()
    return request, taken[1]
