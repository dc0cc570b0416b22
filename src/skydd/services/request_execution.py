"""Running a verified request: plan its steps, run the connector steps, answer when all are done.

Each connector step is one unit of work on each side: the system is read (or erased, in
its own single transaction) and then the step is marked done together with its
encrypted result and an audit event. A worker killed between the two reruns the step:
a read is simply read again, and an erasure is idempotent (what was masked stays
masked), so nothing is lost and nothing is done twice. Manual steps wait for staff.
When every step is done the request is answered: an access or portability request
with an encrypted zip behind a link that expires, an erasure with what was kept and
why; the person is told by mail.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import secrets
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skydd.domain.access_answer import AnsweredRequest, FoundCollection, FoundSystem
from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.erasure_rules import erasure_policy
from skydd.domain.errors import NotFoundError, SkyddError
from skydd.domain.masking import ErasureResult
from skydd.domain.rectification import RectificationResult
from skydd.domain.register import Register
from skydd.domain.request_notices import KeptRecord
from skydd.domain.request_work import (
    RequestStep,
    StepKind,
    StepStatus,
    fail_attempt,
    finish_step,
    plan_steps,
)
from skydd.domain.requesters import Requester
from skydd.domain.requests import (
    DataSubjectRequest,
    RequestId,
    RequestStatus,
    RequestType,
    advance,
    mark_notified,
)
from skydd.services.notices import Postman
from skydd.services.ports import (
    AnswerLink,
    PersonalDataSystems,
    StoredRegister,
    TokenHasher,
)
from skydd.services.processing_limits import set_limits
from skydd.services.register import current_register
from skydd.services.requests import audit_request
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

WORKER = Who(actor="system:worker", origin="worker")


@dataclass(frozen=True)
class Execution:
    """Everything running a request needs besides the unit of work and the clock.

    ``notify`` queues the completion notice to be sent apart (a worker's task, retried
    until the mail server takes it); without it the notice is sent at once.
    """

    systems: PersonalDataSystems
    hasher: TokenHasher
    postman: Postman
    public_url: str
    download_days: int = 7
    downloads: int = 3
    notify: Callable[[RequestId], None] | None = None


READ_ONLY = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})
"""Rights whose steps only read: all their results are stored in one transaction."""


@dataclass(frozen=True)
class _Outcome:
    """One connector step run: the step as it now stands, its result and audit event."""

    step: RequestStep
    result: str | None = None
    action: AuditAction | None = None
    counts: dict[str, str] = field(default_factory=dict)


def run_request(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    request_id: RequestId,
    execution: Execution,
) -> DataSubjectRequest:
    """Start the request if it is just verified, run what is pending, answer when done.

    A step that writes (erasure, rectification, a restriction flag) is recorded as
    soon as it has run, so a worker killed after it does not run it again. Steps that
    only read are recorded together with the answer, in one transaction: a worker
    killed before it simply reads again.
    """
    request, stored, requester, steps = _started(
        uow, clock, organisation_key, request_id, execution
    )
    if request.status is not RequestStatus.IN_PROGRESS:
        return request
    pending = [s for s in steps if s.kind is StepKind.CONNECTOR and s.is_open]
    if request.type in READ_ONLY:
        outcomes = [_run(clock, stored.register, request, s, requester, execution) for s in pending]
        done = _record_and_complete(uow, clock, stored, request, steps, outcomes, execution)
        if done is not request:
            _announce(uow, clock, organisation_key, done, execution)
        return done
    for step in pending:
        outcome = _run(clock, stored.register, request, step, requester, execution)
        with uow:
            uow.work.save_step(outcome.step, outcome.result)
            _audit_outcome(uow, clock, stored.register, request, outcome)
            uow.commit()
    return complete_if_done(uow, clock, organisation_key, request.id, execution)


def complete_if_done(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    request_id: RequestId,
    execution: Execution,
) -> DataSubjectRequest:
    """Answer and complete the request once every step is done; else leave it as it is."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = _request(uow, stored, request_id)
        steps = uow.work.steps(request_id)
        completed = _complete(uow, clock, stored, request, steps, {}, execution)
        if completed is not request:
            audit_request(
                uow, clock, WORKER, AuditAction.REQUEST_COMPLETED, completed, stored.register
            )
        uow.commit()
    if completed is not request:
        _announce(uow, clock, organisation_key, completed, execution)
    return completed


def _record_and_complete(
    uow: UnitOfWork,
    clock: Clock,
    stored: StoredRegister,
    request: DataSubjectRequest,
    steps: Sequence[RequestStep],
    outcomes: Sequence[_Outcome],
    execution: Execution,
) -> DataSubjectRequest:
    """Store what the read steps found and, when nothing is left, answer: one transaction.

    The audit events go last: appending one holds the audit chain's lock until commit,
    and every other worker's transaction that audits waits for it.
    """
    with uow:
        for outcome in outcomes:
            uow.work.save_step(outcome.step, outcome.result)
        ran = {o.step.id: o.step for o in outcomes}
        now = [ran.get(s.id, s) for s in steps]
        found = {o.step.system: o.result for o in outcomes if o.result is not None}
        completed = _complete(uow, clock, stored, request, now, found, execution)
        for outcome in outcomes:
            _audit_outcome(uow, clock, stored.register, request, outcome)
        if completed is not request:
            audit_request(
                uow, clock, WORKER, AuditAction.REQUEST_COMPLETED, completed, stored.register
            )
        uow.commit()
    return completed


def _complete(
    uow: UnitOfWork,
    clock: Clock,
    stored: StoredRegister,
    request: DataSubjectRequest,
    steps: Sequence[RequestStep],
    known: dict[str, str],
    execution: Execution,
) -> DataSubjectRequest:
    """Inside ``uow``: the request answered and completed if every step is done, else itself.

    ``known`` holds results already in hand by system; the others are read back. The
    caller audits the completion.
    """
    if request.status is not RequestStatus.IN_PROGRESS or any(
        s.status is not StepStatus.DONE for s in steps
    ):
        return request
    if request.type in READ_ONLY:
        results = {s.system: known.get(s.system) or uow.work.result(s.id) for s in steps}
        _store_answer(uow, clock, stored.register, request, results, execution)
    completed = advance(request, RequestStatus.COMPLETED, clock.now())
    uow.requests.save(completed)
    return completed


def _announce(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    request: DataSubjectRequest,
    execution: Execution,
) -> None:
    """Have the person told: queued when a worker sends notices, else sent now."""
    if execution.notify is not None:
        execution.notify(request.id)
    else:
        notify_completion(uow, clock, organisation_key, request.id, execution)


def notify_completion(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    request_id: RequestId,
    execution: Execution,
) -> bool:
    """Tell the person their request is complete; ``False`` when the mail server refused.

    The download link is issued here, with the mail that carries it: a notice sent
    again (the first was refused) carries a new link and the old one stops working.
    Telling twice is avoided: a request already told is left alone.
    """
    secret = secrets.token_urlsafe(32)
    with uow:
        stored = current_register(uow, organisation_key)
        request = _request(uow, stored, request_id)
        if request.status is not RequestStatus.COMPLETED or request.notified_at is not None:
            return True
        requester = uow.requests.requester(request_id)
        if requester.email is None:  # staff tell the person another way
            uow.requests.save(mark_notified(request, clock.now()))
            uow.commit()
            return True
        link = _issue_link(uow, clock, request, secret, execution)
        kept: list[KeptRecord] = []
        if request.type is RequestType.ERASURE:
            results = {s.system: uow.work.result(s.id) for s in uow.work.steps(request_id)}
            kept = kept_records(stored.register, request.language, results)
        uow.commit()
    message = execution.postman.writer.completion(stored.register, request, link, kept)
    about = f"request {request.reference}"
    if not execution.postman.send(stored.register, requester.email.value, message, about):
        return False
    with uow:
        uow.requests.save(mark_notified(request, clock.now()))
        uow.commit()
    return True


def _issue_link(
    uow: UnitOfWork,
    clock: Clock,
    request: DataSubjectRequest,
    secret: str,
    execution: Execution,
) -> AnswerLink | None:
    """A fresh link to the request's answer file, if it has one."""
    expires_at = clock.now() + dt.timedelta(days=execution.download_days)
    issued = uow.work.issue_link(
        request.id,
        answer_hash(execution.hasher, secret),
        expires_at=expires_at,
        downloads=execution.downloads,
    )
    if not issued:
        return None
    url = f"{execution.public_url.rstrip('/')}/api/v1/requests/answers/{secret}"
    return AnswerLink(url, expires_at.date(), execution.downloads)


def _started(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    request_id: RequestId,
    execution: Execution,
) -> tuple[DataSubjectRequest, StoredRegister, Requester, list[RequestStep]]:
    """The request, started now if it was just verified, with who it is from and its steps."""
    with uow:
        stored = current_register(uow, organisation_key)
        request = _request(uow, stored, request_id)
        if request.status is RequestStatus.VERIFIED:
            steps = plan_steps(stored.register, request, execution.systems.connected())
            uow.work.add_steps(steps)
            request = advance(request, RequestStatus.IN_PROGRESS, clock.now())
            uow.requests.save(request)
            requester = uow.requests.requester(request.id)
            audit_request(uow, clock, WORKER, AuditAction.REQUEST_STARTED, request, stored.register)
            set_limits(uow, clock, WORKER, stored, request)
        elif request.status is RequestStatus.IN_PROGRESS:
            steps = uow.work.steps(request.id)
            requester = uow.requests.requester(request.id)
        else:
            return request, stored, Requester(()), []
        uow.commit()
    return request, stored, requester, steps


def _run(
    clock: Clock,
    register: Register,
    request: DataSubjectRequest,
    step: RequestStep,
    requester: Requester,
    execution: Execution,
) -> _Outcome:
    """Run one connector step; a failure is one more failed attempt, nothing personal kept."""
    try:
        result, action, counts = _carry_out(clock, register, request, step, requester, execution)
    except SkyddError as exc:
        logger.warning("request %s: system %s failed: %s", request.reference, step.system, exc.code)
        return _Outcome(fail_attempt(step, f"{exc.code}: {exc.message}"))
    return _Outcome(finish_step(step, clock.now()), result, action, counts)


def _audit_outcome(
    uow: UnitOfWork,
    clock: Clock,
    register: Register,
    request: DataSubjectRequest,
    outcome: _Outcome,
) -> None:
    """Audit a step that ran (inside ``uow``); a failed attempt is no event."""
    if outcome.action is not None:
        audit_request(
            uow,
            clock,
            WORKER,
            outcome.action,
            request,
            register,
            system=outcome.step.system,
            **outcome.counts,
        )


def _carry_out(
    clock: Clock,
    register: Register,
    request: DataSubjectRequest,
    step: RequestStep,
    requester: Requester,
    execution: Execution,
) -> tuple[str, AuditAction, dict[str, str]]:
    """Run one connector step: its stored result, the audit action and its counts."""
    systems, identities = execution.systems, requester.identities
    if request.type is RequestType.ERASURE:
        scope = request.erasure_scope
        only = None if scope is None else scope.categories_in(step.system)
        policy = erasure_policy(register, clock.today(), only=only)
        erased = systems.erase(register, step.system, identities, policy)
        counts = {"fields_masked": str(len(erased.masked)), "fields_kept": str(len(erased.kept))}
        return _erasure_json(erased), AuditAction.PERSONAL_DATA_ERASED, counts
    if request.type is RequestType.RECTIFICATION:
        corrected = systems.rectify(register, step.system, identities, requester.corrections)
        counts = {"fields_corrected": str(len(corrected.corrected))}
        return _rectification_json(corrected), AuditAction.PERSONAL_DATA_CHANGED, counts
    if request.type is RequestType.RESTRICTION:
        flagged = systems.restrict(register, step.system, identities, restricted=True)
        return (
            json.dumps({"flagged": flagged}),
            AuditAction.PROCESSING_LIMITED,
            {"rows": str(flagged)},
        )
    found = systems.access(register, step.system, identities)
    rows = sum(len(c.rows) for c in found.collections)
    return _found_json(found), AuditAction.PERSONAL_DATA_EXPORTED, {"rows": str(rows)}


def _store_answer(
    uow: UnitOfWork,
    clock: Clock,
    register: Register,
    request: DataSubjectRequest,
    results: dict[str, str | None],
    execution: Execution,
) -> None:
    """Build and store the answer file, when anything was found or uploaded.

    Its link is issued with the notice (:func:`notify_completion`): until then the
    answer is behind a secret nobody was given.
    """
    parsed = {system: json.loads(text) for system, text in results.items() if text is not None}
    found = [found_of(data) for data in parsed.values() if "collections" in data]
    uploads = {
        system: data["upload"] for system, data in parsed.items() if data.get("upload") is not None
    }
    if not uploads and not any(system.collections for system in found):
        return
    answered = AnsweredRequest(
        id=request.id,
        type=request.type,
        received_on=request.deadlines.received_on,
        answered_on=clock.today(),
        reference=request.reference,
    )
    content = execution.postman.writer.access_package(register, request.language, answered, found)
    content = with_uploads(content, uploads, answered.answered_on)
    uow.work.save_answer(
        request.id,
        content,
        answer_hash(execution.hasher, secrets.token_urlsafe(32)),
        at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=execution.download_days),
        downloads=execution.downloads,
    )


def answer_hash(hasher: TokenHasher, secret: str) -> str:
    """The stored form of an answer link's secret."""
    return hasher.digest(f"request-answer:{secret}")


def kept_records(
    register: Register, language: str, results: dict[str, str | None]
) -> list[KeptRecord]:
    """What erasures kept, per retention rule: the categories, the latest end, the ground."""
    until: dict[str, dt.date] = {}
    for text in results.values():
        if text is None:
            continue
        for kept in json.loads(text).get("kept", []):
            day = dt.date.fromisoformat(kept["until"])
            until[kept["reason"]] = max(day, until.get(kept["reason"], day))
    records = []
    for rule_key, day in sorted(until.items()):
        rule = next((r for r in register.retention if r.key == rule_key), None)
        if rule is None:
            continue
        names = [
            c.name.get(language) or next(iter(c.name.values()))
            for key in rule.data_categories
            if (c := register.data_category(key)) is not None
        ]
        ground = rule.legal_ground.get(language) or next(iter(rule.legal_ground.values()), "")
        records.append(KeptRecord(", ".join(names), day, ground))
    return records


def _request(uow: UnitOfWork, stored: StoredRegister, request_id: RequestId) -> DataSubjectRequest:
    request = uow.requests.get(stored.organisation_id, request_id)
    if request is None:
        msg = "no such request"
        raise NotFoundError(msg)
    return request


def _found_json(found: FoundSystem) -> str:
    return json.dumps(
        {
            "system": found.key,
            "collections": [
                {"name": c.name, "rows": list(c.rows), "categories": dict(c.field_categories)}
                for c in found.collections
            ],
        },
        default=str,
    )


def with_uploads(content: bytes, uploads: dict[str, dict[str, str]], on: dt.date) -> bytes:
    """The zip with the files staff exported by hand, under ``uploads/<system>/``."""
    if not uploads:
        return content
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for system, upload in sorted(uploads.items()):
            name = _safe_name(upload["filename"]) or "export"
            info = zipfile.ZipInfo(
                f"uploads/{_safe_name(system)}/{name}", (on.year, on.month, on.day, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, base64.b64decode(upload["content"]))
    return buffer.getvalue()


def _safe_name(name: str) -> str:
    """A file name that stays in its folder: letters, digits, ``._-`` only, no leading dot."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name.rsplit("/", 1)[-1])
    return cleaned.lstrip(".")[:120]


def found_of(data: dict[str, Any]) -> FoundSystem:
    """A stored access result back as a :class:`FoundSystem`."""
    return FoundSystem(
        data["system"],
        tuple(
            FoundCollection(
                c["name"],
                tuple(c["rows"]),
                {k: tuple(v) for k, v in c["categories"].items()},
            )
            for c in data["collections"]
        ),
    )


def _rectification_json(result: RectificationResult) -> str:
    """What a rectification changed, old and new values included (encrypted; staff only)."""
    return json.dumps(
        {
            "corrected": [
                {
                    "collection": str(c.collection),
                    "field": c.field,
                    "rows": c.rows,
                    "old": list(c.old),
                    "new": c.new,
                }
                for c in result.corrected
            ]
        },
        default=str,
    )


def _erasure_json(result: ErasureResult) -> str:
    return json.dumps(
        {
            "masked": [
                {"collection": str(m.collection), "field": m.field, "rows": m.rows}
                for m in result.masked
            ],
            "kept": [
                {
                    "collection": str(k.collection),
                    "field": k.field,
                    "rows": k.rows,
                    "until": k.until.isoformat(),
                    "reason": k.reason,
                }
                for k in result.kept
            ],
        }
    )
