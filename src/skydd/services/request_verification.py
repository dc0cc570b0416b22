"""Verifying a request by an e-mail code: send it, check it, within the limits.

The code is stored only as a keyed hash (the deployment's token hasher, salted with
the request id so one code's hash says nothing about another's). The attempt is
counted and committed before the answer is given, so a guesser cannot avoid the count
by dropping the connection. A verified request's code is deleted at once.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.requests import DataSubjectRequest, RequestStatus, Verification, verify
from skydd.domain.verification import (
    MAX_ATTEMPTS,
    VALID_FOR,
    CodeOutcome,
    VerificationMethod,
    attempt,
    issue,
    looks_like_code,
    new_code,
)
from skydd.services.notices import Postman
from skydd.services.ports import TokenHasher
from skydd.services.register import current_register
from skydd.services.requests import (
    REQUESTER_ACTOR,
    audit_request,
    find_request,
)
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeMail:
    """What sending a code needs besides the unit of work: hashing, and the post."""

    hasher: TokenHasher
    postman: Postman


def send_code(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    reference: str,
    mail: CodeMail,
    *,
    who: Who,
) -> bool:
    """Mail a new code for the request; ``False`` when the mail server did not take it.

    The code is stored (and the resend limits counted) before the mail goes out: a
    server failure then costs one send, never lets a code through unrecorded.
    """
    code = new_code()
    with uow:
        stored = current_register(uow, organisation_key)
        register = stored.register
        request = find_request(uow, stored.organisation_id, reference)
        if request.status is not RequestStatus.RECEIVED:
            msg = f"the request is already {request.status.value}"
            raise ConflictError(msg)
        email = uow.requests.requester(request.id).email
        if email is None:
            msg = "the request names no e-mail address: staff verify it by other means"
            raise ConflictError(msg)
        challenge = issue(
            uow.requests.code(request.id), _hash(mail.hasher, request, code), clock.now()
        )
        uow.requests.save_code(request.id, challenge)
        audit_request(uow, clock, who, AuditAction.REQUEST_CODE_SENT, request, register)
        uow.commit()
    message = mail.postman.writer.verification_code(
        register, request.language, code, int(VALID_FOR.total_seconds() // 60)
    )
    return mail.postman.send(register, email.value, message, f"request {request.reference}")


def check_code(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    reference: str,
    code: str,
    hasher: TokenHasher,
    *,
    who: Who,
) -> DataSubjectRequest:
    """Verify the request when ``code`` is the one sent; every attempt counts."""
    cleaned = code.strip().replace(" ", "")
    if not looks_like_code(cleaned):
        msg = "a code is six digits"
        raise InvalidInput(msg)
    with uow:
        stored = current_register(uow, organisation_key)
        register = stored.register
        request = find_request(uow, stored.organisation_id, reference)
        challenge = uow.requests.code(request.id)
        if request.status is not RequestStatus.RECEIVED or challenge is None:
            msg = "no code is waiting for this request"
            raise ConflictError(msg)
        matches = hmac.compare_digest(challenge.code_hash, _hash(hasher, request, cleaned))
        counted, outcome = attempt(challenge, matches, clock.now())
        if outcome is CodeOutcome.VERIFIED:
            verification = Verification(VerificationMethod.EMAIL_CODE, clock.now(), REQUESTER_ACTOR)
            request = verify(request, verification)
            uow.requests.save(request)
            uow.requests.drop_code(request.id)
            audit_request(
                uow, clock, who, AuditAction.REQUEST_VERIFIED, request, register, method="code"
            )
        else:
            uow.requests.save_code(request.id, counted)
        uow.commit()
    _refuse_unless_verified(outcome, MAX_ATTEMPTS - counted.attempts)
    return request


def _hash(hasher: TokenHasher, request: DataSubjectRequest, code: str) -> str:
    return hasher.digest(f"request-code:{request.id}:{code}")


def _refuse_unless_verified(outcome: CodeOutcome, attempts_left: int) -> None:
    if outcome is CodeOutcome.WRONG:
        msg = f"wrong code; {attempts_left} attempts left" if attempts_left else "wrong code"
        if not attempts_left:
            msg += "; ask for a new code"
        raise InvalidInput(msg)
    if outcome is CodeOutcome.EXPIRED:
        msg = "the code has expired; ask for a new one"
        raise InvalidInput(msg)
    if outcome is CodeOutcome.EXHAUSTED:
        msg = "no attempts left on this code; ask for a new one"
        raise ConflictError(msg)
