"""The work a verified request needs: one step per system that may hold the person's data.

A system whose datasets skydd can reach (a configured database connection) gets a
connector step that skydd runs itself; every other system of the register gets a
manual task for staff, with instructions drawn from the register. A request completes
when every step is done. Steps are stored one by one as they finish, so a worker that
dies half-way resumes with the steps still pending and does none twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType

from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.processors import System
from skydd.domain.register import Register
from skydd.domain.requests import DataSubjectRequest, RequestId, RequestType

StepId = NewType("StepId", uuid.UUID)

MAX_ATTEMPTS = 5
"""A connector step failing this often is left failed for staff, not retried for ever."""


class StepKind(StrEnum):
    """Who does a step: skydd through a connector, or a person by hand."""

    CONNECTOR = "connector"
    MANUAL = "manual"


class StepStatus(StrEnum):
    """Where a step stands."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class RequestStep:
    """One system's part of one request."""

    id: StepId
    request_id: RequestId
    system: str
    kind: StepKind
    status: StepStatus = StepStatus.PENDING
    attempts: int = 0
    instructions: str | None = None
    assignee: str | None = None
    due_on: dt.date | None = None
    finished_at: dt.datetime | None = None
    error: str | None = None
    """Why the last attempt failed, without personal data (staff see it)."""

    @property
    def is_open(self) -> bool:
        """True while the step still has to be done."""
        return self.status is StepStatus.PENDING


_VERBS = {
    RequestType.ACCESS: "find and export",
    RequestType.PORTABILITY: "export, in a machine-readable format,",
    RequestType.ERASURE: "erase (or anonymise)",
    RequestType.RECTIFICATION: "correct",
    RequestType.RESTRICTION: "mark as restricted (no processing but storage)",
    RequestType.OBJECTION: "stop processing, for the purpose objected to,",
}


def plan_steps(
    register: Register, request: DataSubjectRequest, connected: frozenset[str]
) -> list[RequestStep]:
    """The steps of ``request``: connector steps where skydd can act, tasks for the rest.

    A connected system needs datasets in the register to be searched (and, for a
    restriction, a flag column to set); every other system the request concerns is a
    manual task due by the internal target. An objection concerns only the systems
    serving the purpose objected to, or every direct-marketing purpose when it is one;
    staff stop that processing there by hand.
    """
    steps = []
    for system in systems_concerned(register, request):
        automatic = system.key in connected and _can_act(system, request.type)
        steps.append(
            RequestStep(
                id=StepId(uuid.uuid4()),
                request_id=request.id,
                system=system.key,
                kind=StepKind.CONNECTOR if automatic else StepKind.MANUAL,
                instructions=None if automatic else manual_instructions(system, request, register),
                due_on=None if automatic else request.deadlines.target_on,
            )
        )
    return steps


def systems_concerned(register: Register, request: DataSubjectRequest) -> list[System]:
    """The systems a request has to reach: all of them, but for an objection or a scope.

    An erasure a withdrawal of consent made due reaches only the systems its scope
    names (those serving the purpose, with something only that consent allowed).
    """
    if request.erasure_scope is not None:
        scope = request.erasure_scope
        return [s for s in register.systems if scope.categories_in(s.key)]
    if request.type is not RequestType.OBJECTION:
        return list(register.systems)
    purpose = register.purpose(request.purpose or "")
    if purpose is None:
        return []
    stopped = {purpose.key}
    if purpose.is_direct_marketing:
        stopped |= {p.key for p in register.purposes if p.is_direct_marketing}
    return [s for s in register.systems if stopped & set(s.purposes)]


def _can_act(system: System, request_type: RequestType) -> bool:
    if not system.datasets or request_type is RequestType.OBJECTION:
        return False
    if request_type is RequestType.RESTRICTION:
        return system.restriction_flag is not None
    return True


def manual_instructions(system: System, request: DataSubjectRequest, register: Register) -> str:
    """What staff do in a system skydd cannot reach, from what the register says of it.

    Never the person's data: the values to correct are shown with the request, to
    staff who may see them.
    """
    vendor = f" (run by {system.vendor.legal_name})" if system.vendor is not None else ""
    categories = ", ".join(system.data_categories) or "any personal data"
    verb = _VERBS[request.type]
    if request.erasure_scope is not None:
        scope = request.erasure_scope
        categories = ", ".join(scope.categories_in(system.key))
        verb = f"erase, and only this (consent to {scope.purpose!r} was withdrawn),"
    purpose = register.purpose(request.purpose or "")
    if purpose is not None:
        verb = f"stop processing, for the purpose {purpose.key!r} the person objected to,"
    lines = [
        f"In {system.name}{vendor}: {verb} the data of the person this "
        f"request names ({categories}).",
        "Search by every identifier the request gives.",
        *_FOLLOW_UP.get(request.type, ()),
    ]
    if purpose is not None and purpose.is_direct_marketing:
        lines.append("Direct marketing: take the person off every marketing list, for good.")
    return " ".join(lines)


_FOLLOW_UP = {
    RequestType.ACCESS: ("Upload what you export here; it goes into the person's answer.",),
    RequestType.PORTABILITY: ("Upload what you export here; it goes into the person's answer.",),
    RequestType.ERASURE: ("Keep what a legal hold requires and note what was kept and why.",),
    RequestType.RECTIFICATION: ("The corrected values are shown with the request, to staff.",),
}


def finish_step(step: RequestStep, at: dt.datetime) -> RequestStep:
    """The step done; a step already done cannot be done again."""
    if step.status is StepStatus.DONE:
        msg = "the step is already done"
        raise ConflictError(msg)
    return replace(step, status=StepStatus.DONE, finished_at=at, error=None)


def fail_attempt(step: RequestStep, error: str) -> RequestStep:
    """One more failed attempt; after ``MAX_ATTEMPTS`` the step is failed for staff to see."""
    attempts = step.attempts + 1
    status = StepStatus.FAILED if attempts >= MAX_ATTEMPTS else StepStatus.PENDING
    return replace(step, attempts=attempts, status=status, error=error)


MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""An exported file staff upload to a manual task: at most 20 MiB (stored encrypted)."""


def assign(step: RequestStep, assignee: str) -> RequestStep:
    """The task given to ``assignee`` (a staff username); only manual tasks are assigned."""
    if step.kind is not StepKind.MANUAL:
        msg = "only manual tasks are assigned; skydd runs the others"
        raise ConflictError(msg)
    cleaned = assignee.strip()
    if not cleaned or len(cleaned) > 200:
        msg = "an assignee is 1-200 characters"
        raise InvalidInput(msg)
    return replace(step, assignee=cleaned)


def check_manual(step: RequestStep) -> None:
    """Refuse to mark a connector step done by hand: skydd's own run is the record."""
    if step.kind is not StepKind.MANUAL:
        msg = "this step is run by skydd, not done by hand"
        raise ConflictError(msg)


def retry(step: RequestStep) -> RequestStep:
    """A failed connector step pending again with fresh attempts (staff fixed the cause)."""
    if step.kind is not StepKind.CONNECTOR or step.status is not StepStatus.FAILED:
        msg = "only a failed step that skydd runs can be retried"
        raise ConflictError(msg)
    return replace(step, status=StepStatus.PENDING, attempts=0)
