"""Which requests a worker should pick up again: verified or in progress, and gone quiet.

Also which completed requests still owe the person their notice (the mail server
refused it, or the worker died before sending).

A request is sent to the workers once when it is verified. A worker killed mid-request
loses that message; the sweep finds the request again from its own state. It leaves a
request alone while anything happened to it within ``quiet_for`` (a worker is on it,
or its message still waits in the queue), so a running request is not run twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from skydd.domain.request_work import RequestStep, StepKind
from skydd.domain.requests import DataSubjectRequest, RequestId, RequestStatus
from skydd.services.register import current_register
from skydd.services.unit_of_work import UnitOfWork


def requests_to_resume(
    uow: UnitOfWork, organisation_key: str | None, now: dt.datetime, quiet_for: dt.timedelta
) -> list[RequestId]:
    """Verified requests not started, and started ones with a connector step pending."""
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        return [
            request.id
            for request in uow.requests.open_due_by(org_id, None)
            if _stalled(request, partial(uow.work.steps, request.id), now - quiet_for)
        ]


def notices_to_send(
    uow: UnitOfWork, organisation_key: str | None, now: dt.datetime, quiet_for: dt.timedelta
) -> list[RequestId]:
    """Completed requests whose person is not told yet, completed before ``quiet_for`` ago."""
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        since = now - quiet_for
        return [
            r.id
            for r in uow.requests.unnotified(org_id)
            if r.changed_at is None or r.changed_at <= since
        ]


def _stalled(
    request: DataSubjectRequest, steps: Callable[[], list[RequestStep]], since: dt.datetime
) -> bool:
    """Work is left and nothing happened to the request after ``since``."""
    if request.status not in {RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS}:
        return False
    if request.changed_at is not None and request.changed_at > since:
        return False
    if request.status is RequestStatus.VERIFIED:
        return True
    found = steps()
    if any(s.finished_at is not None and s.finished_at > since for s in found):
        return False
    return any(s.kind is StepKind.CONNECTOR and s.is_open for s in found)
