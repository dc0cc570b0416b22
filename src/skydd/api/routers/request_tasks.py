"""Manual tasks of requests under /api/v1/requests/{reference}/tasks (requests.read / .manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from skydd.api.auth import PROTECTED_RESPONSES, ManagesRequests, ReadsRequests
from skydd.api.deps import ContainerDep
from skydd.api.hardening import NUL_DETAIL
from skydd.api.problems import INVALID_REQUEST, problem_responses
from skydd.api.schemas.requests import AssigneeIn, RequestOut, TaskOut
from skydd.bootstrap import Container
from skydd.domain.errors import InvalidInput
from skydd.domain.request_work import MAX_UPLOAD_BYTES
from skydd.jobs.queue import WorkQueue
from skydd.services.request_tasks import (
    Upload,
    assign_task,
    complete_task,
    request_tasks,
    retry_task,
)
from skydd.services.subjects import Who

router = APIRouter(prefix="/api/v1/requests/{reference}/tasks", tags=["requests"])

ERRORS = {
    **PROTECTED_RESPONSES,
    **problem_responses(
        {
            400: "Invalid input (an empty assignee, a file over 20 MiB).",
            404: "No register, no request with that reference, or no task for that system.",
            409: "The task is done already, or skydd runs it itself.",
            422: INVALID_REQUEST,
        }
    ),
}


@router.get("", responses=ERRORS)
def list_tasks(reference: str, container: ContainerDep, _actor: ReadsRequests) -> list[TaskOut]:
    """The request's steps: what skydd ran and the manual tasks left to staff."""
    _, steps = request_tasks(container.uow(), container.organisation_key, reference)
    return [TaskOut.from_domain(s) for s in steps]


@router.post("/{system}/assignment", responses=ERRORS)
def assign(
    reference: str, system: str, body: AssigneeIn, container: ContainerDep, actor: ManagesRequests
) -> TaskOut:
    """Give a manual task to a member of staff."""
    step = assign_task(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        body.assignee,
        who=Who(actor.id, "api"),
    )
    return TaskOut.from_domain(step)


@router.post("/{system}/completion", responses=ERRORS)
async def complete(
    reference: str,
    system: str,
    container: ContainerDep,
    actor: ManagesRequests,
    note: Annotated[str | None, Form(max_length=5000)] = None,
    file: Annotated[UploadFile | None, File(description="The exported file.")] = None,
) -> RequestOut:
    """Mark a manual task done, with the exported file.

    When it was the request's last open step, the request is answered now.
    """
    if note is not None and "\x00" in note:  # the body of an upload is not scanned at the edge
        raise InvalidInput(NUL_DETAIL)
    upload = None
    if file is not None:
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            msg = "an uploaded file is at most 20 MiB"
            raise InvalidInput(msg)
        upload = Upload(file.filename or "export", content)
    request = await run_in_threadpool(
        complete_task,
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        container.execution(),
        note=note,
        upload=upload,
        who=Who(actor.id, "api"),
    )
    return RequestOut.from_domain(request)


@router.post("/{system}/retry", responses=ERRORS)
def retry(reference: str, system: str, http: Request, actor: ManagesRequests) -> RequestOut:
    """Run a failed step again (after its database is reachable again)."""
    container: Container = http.app.state.container
    request = retry_task(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        who=Who(actor.id, "api"),
    )
    queue: WorkQueue = http.app.state.work_queue
    queue.dispatch(request.id)
    return RequestOut.from_domain(request)
