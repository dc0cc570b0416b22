"""Manual tasks: a system skydd cannot reach is searched, exported or erased by staff.

Staff see the task's instructions (drawn from the register), assign it, and mark it
done, with the exported file for an access or portability request. The file is stored
encrypted with the step and goes into the person's answer. When the last step of a
request is done the request is answered, exactly as when a worker finishes it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.request_work import (
    MAX_UPLOAD_BYTES,
    RequestStep,
    assign,
    check_manual,
    finish_step,
    retry,
)
from skydd.domain.requests import DataSubjectRequest
from skydd.services.register import current_register
from skydd.services.request_execution import Execution, complete_if_done
from skydd.services.requests import audit_request, find_request
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Upload:
    """A file staff exported from a system by hand."""

    filename: str
    content: bytes


def request_tasks(
    uow: UnitOfWork, organisation_key: str | None, reference: str
) -> tuple[DataSubjectRequest, list[RequestStep]]:
    """A request and its steps (empty until a worker has planned them)."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, reference)
        return request, uow.work.steps(request.id)


def assign_task(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    reference: str,
    system: str,
    assignee: str,
    *,
    who: Who,
) -> RequestStep:
    """Give a request's manual task in ``system`` to a member of staff."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, reference)
        step = assign(_step(uow.work.steps(request.id), system), assignee)
        uow.work.save_step(step)
        audit_request(
            uow,
            clock,
            who,
            AuditAction.REQUEST_TASK_ASSIGNED,
            request,
            stored.register,
            system=system,
        )
        uow.commit()
    return step


def complete_task(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    reference: str,
    system: str,
    execution: Execution,
    *,
    note: str | None = None,
    upload: Upload | None = None,
    who: Who,
) -> DataSubjectRequest:
    """Mark a manual task done, with what staff exported; answer the request if it was the last."""
    if upload is not None and len(upload.content) > MAX_UPLOAD_BYTES:
        msg = f"an uploaded file is at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB"
        raise InvalidInput(msg)
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, reference)
        step = _step(uow.work.steps(request.id), system)
        check_manual(step)
        uow.work.save_step(finish_step(step, clock.now()), _manual_result(note, upload))
        audit_request(
            uow,
            clock,
            who,
            AuditAction.REQUEST_TASK_DONE,
            request,
            stored.register,
            system=system,
            upload="yes" if upload is not None else "no",
        )
        uow.commit()
    return complete_if_done(uow, clock, organisation_key, request.id, execution)


def retry_task(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    reference: str,
    system: str,
    *,
    who: Who,
) -> DataSubjectRequest:
    """Set a failed connector step pending again; the caller queues the request."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = find_request(uow, stored.organisation_id, reference)
        uow.work.save_step(retry(_step(uow.work.steps(request.id), system)))
        audit_request(
            uow,
            clock,
            who,
            AuditAction.REQUEST_TASK_RETRIED,
            request,
            stored.register,
            system=system,
        )
        uow.commit()
    return request


def _step(steps: list[RequestStep], system: str) -> RequestStep:
    found = next((s for s in steps if s.system == system), None)
    if found is None:
        msg = "the request has no task for that system"
        raise NotFoundError(msg)
    return found


def _manual_result(note: str | None, upload: Upload | None) -> str:
    """A manual step's result: staff's note and the uploaded file, as JSON."""
    if note is not None and len(note) > 5000:
        msg = "a note is at most 5000 characters"
        raise InvalidInput(msg)
    return json.dumps(
        {
            "manual": True,
            "note": note,
            "upload": None
            if upload is None
            else {
                "filename": upload.filename,
                "content": base64.b64encode(upload.content).decode("ascii"),
            },
        }
    )
