"""Data subject requests under /api/v1/requests: public intake and verification, staff work.

Submitting, asking for a code and entering it are public and held to the intake's
own, stricter rate limit per client address (on top of the app-wide one). Everything
else needs a token whose roles allow reading or managing requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from skydd.api.auth import PROTECTED_RESPONSES, ManagesRequests, ReadsRequests
from skydd.api.deps import ContainerDep
from skydd.api.hardening import TokenBuckets
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.requests import (
    CodeIn,
    CodeSentOut,
    DueQuery,
    ReasonIn,
    ReceiptOut,
    RegisteredIn,
    RequestOut,
    SubmissionIn,
    VerificationState,
)
from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Actor
from skydd.domain.clock import Clock
from skydd.domain.errors import TooManyAttempts
from skydd.domain.requests import Channel, DataSubjectRequest, RequestStatus
from skydd.jobs.queue import WorkQueue
from skydd.services.request_answers import download_answer
from skydd.services.request_verification import check_code, send_code
from skydd.services.requests import (
    REQUESTER_ACTOR,
    StaffDecision,
    extend_request,
    get_request,
    open_requests,
    receive_request,
    reject_request,
    verify_manually,
)
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

router = APIRouter(prefix="/api/v1/requests", tags=["requests"])


PUBLIC_ERRORS = {
    400: "An identifier is malformed, or the code is wrong or expired.",
    404: "No register is stored, or no request with that reference.",
    409: "The request is not waiting for this step.",
    422: INVALID_REQUEST,
    429: "Too many submissions or code checks from this address; see Retry-After.",
}
STAFF_ERRORS = {
    400: "Invalid input.",
    404: "No register is stored, or no request with that reference.",
    409: "The request's state does not allow this.",
    422: INVALID_REQUEST,
}


def intake_limit(request: Request) -> None:
    """Count a public intake call against its client address (429 when used up)."""
    buckets: TokenBuckets = request.app.state.intake_buckets
    client = request.client.host if request.client else "unknown"
    wait = buckets.take(client)
    if wait > 0:
        retry_after = max(1, int(wait + 0.999))
        msg = f"too many requests from this address; retry after {retry_after} s"
        raise TooManyAttempts(msg, retry_after=retry_after)


def _requester(request: Request) -> Who:
    return Who(actor=REQUESTER_ACTOR, origin=request.client.host if request.client else "api")


def _staff(actor: Actor) -> Who:
    return Who(actor=actor.id, origin="api")


def _receipt(request: DataSubjectRequest, verification: VerificationState) -> ReceiptOut:
    return ReceiptOut(
        reference=request.reference,
        status=request.status,
        verification=verification,
        received_on=request.deadlines.received_on,
        due_on=request.due_on,
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(intake_limit)],
    responses=problem_responses(PUBLIC_ERRORS),
)
def submit(body: SubmissionIn, container: ContainerDep, http: Request) -> ReceiptOut:
    """Submit a request; with an e-mail address, a code is mailed to it.

    Nothing runs until the code is entered (or staff verify otherwise). The answer is
    the same whether or not the organisation holds anything about the person.
    """
    submission = body.submission(Channel.API)
    who = _requester(http)
    request, requester = receive_request(
        container.uow(),
        container.clock,
        container.organisation_key,
        submission,
        who=who,
        target_days=container.settings.requests.target_days,
    )
    if requester.email is None:
        return _receipt(request, VerificationState.MANUAL)
    sent = send_code(
        container.uow(),
        container.clock,
        container.organisation_key,
        request.reference,
        container.code_mail(),
        who=who,
    )
    return _receipt(
        request, VerificationState.CODE_SENT if sent else VerificationState.CODE_NOT_SENT
    )


@router.post(
    "/{reference}/code",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(intake_limit)],
    responses=problem_responses(PUBLIC_ERRORS),
)
def resend_code(reference: str, container: ContainerDep, http: Request) -> CodeSentOut:
    """Mail a new code (at most one a minute, five per request)."""
    sent = send_code(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        container.code_mail(),
        who=_requester(http),
    )
    return CodeSentOut(sent=sent)


@router.post(
    "/{reference}/verification",
    dependencies=[Depends(intake_limit)],
    responses=problem_responses(PUBLIC_ERRORS),
)
def enter_code(reference: str, body: CodeIn, container: ContainerDep, http: Request) -> ReceiptOut:
    """Enter the mailed code: five attempts per code, valid for 15 minutes."""
    request = check_code(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        body.code,
        container.token_hasher,
        who=_requester(http),
    )
    _dispatch(http, request)
    return _receipt(request, VerificationState.CODE_SENT)


@router.get(
    "/answers/{secret}",
    response_class=Response,
    dependencies=[Depends(intake_limit)],
    responses={
        200: {"content": {"application/zip": {}}, "description": "The answer, a zip file."},
        **problem_responses(
            {
                404: "The link is wrong, has expired or has been used up.",
                429: "Too many attempts from this address; see Retry-After.",
            }
        ),
    },
)
def download(secret: str, container: ContainerDep, http: Request) -> Response:
    """Download the answer to an access or portability request (limited, audited)."""
    request, content = download_answer(
        container.uow(),
        container.clock,
        container.token_hasher,
        container.organisation_key,
        secret,
        who=_requester(http),
    )
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{request.reference}.zip"',
            "Cache-Control": "no-store",
        },
    )


def _dispatch(http: Request, request: DataSubjectRequest) -> None:
    """Hand a verified request to the workers (the sweep picks it up if this fails)."""
    queue: WorkQueue = http.app.state.work_queue
    queue.dispatch(request.id)


@router.post(
    "/received",
    status_code=status.HTTP_201_CREATED,
    responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)},
)
def register_received(
    body: RegisteredIn, container: ContainerDep, actor: ManagesRequests
) -> RequestOut:
    """Register a request that reached staff another way, with its true day of receipt."""
    submission = body.submission(body.channel, body.received_on)
    request, _ = receive_request(
        container.uow(),
        container.clock,
        container.organisation_key,
        submission,
        who=_staff(actor),
        target_days=container.settings.requests.target_days,
    )
    return RequestOut.from_domain(request)


@router.get("", responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)})
def list_open(
    container: ContainerDep, _actor: ReadsRequests, query: Annotated[DueQuery, Query()]
) -> list[RequestOut]:
    """Open requests, soonest deadline first.

    ``due_within_days`` keeps those due by then, overdue ones included.
    """
    days = query.due_within_days
    within = None if days is None else dt.timedelta(days=days)
    found = open_requests(container.uow(), container.clock, container.organisation_key, within)
    return [RequestOut.from_domain(r) for r in found]


@router.get("/{reference}", responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)})
def get_one(reference: str, container: ContainerDep, _actor: ReadsRequests) -> RequestOut:
    """One request by reference (no personal data)."""
    return RequestOut.from_domain(
        get_request(container.uow(), container.organisation_key, reference)
    )


StaffUseCase = Callable[[UnitOfWork, Clock, str | None, StaffDecision], DataSubjectRequest]


def _decided(
    use_case: StaffUseCase, reference: str, body: ReasonIn, http: Request, actor: Actor
) -> RequestOut:
    container: Container = http.app.state.container
    decision = StaffDecision(reference, body.reason, _staff(actor))
    request = use_case(container.uow(), container.clock, container.organisation_key, decision)
    if request.status is RequestStatus.VERIFIED:
        _dispatch(http, request)
    return RequestOut.from_domain(request)


@router.post(
    "/{reference}/manual-verification",
    responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)},
)
def verify_by_staff(
    reference: str, body: ReasonIn, http: Request, actor: ManagesRequests
) -> RequestOut:
    """Record that staff confirmed the requester's identity, and how."""
    return _decided(verify_manually, reference, body, http, actor)


@router.post(
    "/{reference}/extension",
    responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)},
)
def extend(reference: str, body: ReasonIn, http: Request, actor: ManagesRequests) -> RequestOut:
    """Extend the deadline to three months from receipt (Art. 12(3)), with the reason."""
    postman = http.app.state.container.postman()
    return _decided(partial(extend_request, postman=postman), reference, body, http, actor)


@router.post(
    "/{reference}/rejection",
    responses={**PROTECTED_RESPONSES, **problem_responses(STAFF_ERRORS)},
)
def reject(reference: str, body: ReasonIn, http: Request, actor: ManagesRequests) -> RequestOut:
    """Refuse the request with the reason the person is told (Art. 12(4))."""
    postman = http.app.state.container.postman()
    return _decided(partial(reject_request, postman=postman), reference, body, http, actor)
