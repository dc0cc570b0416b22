"""The daily reminder to staff: which requests are overdue and which fall due within a week.

It goes to the contact points the register gives the data protection officer's role
(else those handling privacy requests), in the organisation's default language, and
names requests by reference, right and date only: a reminder never carries personal
data. Nothing is sent when nothing is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skydd.domain.clock import Clock
from skydd.domain.organisation import ContactRole, Organisation
from skydd.domain.request_notices import DueRequest
from skydd.services.notices import Postman
from skydd.services.register import current_register
from skydd.services.unit_of_work import UnitOfWork

DUE_SOON = dt.timedelta(days=7)


@dataclass(frozen=True)
class Reminder:
    """What a reminder said, and to how many addresses it went."""

    overdue: tuple[DueRequest, ...]
    due_soon: tuple[DueRequest, ...]
    sent_to: int


def remind_staff(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    postman: Postman,
    within: dt.timedelta = DUE_SOON,
) -> Reminder:
    """Mail staff the open requests overdue or due within ``within``; nothing if none."""
    today = clock.today()
    with uow:
        stored = current_register(uow, organisation_key)
        requests = uow.requests.open_due_by(stored.organisation_id, today + within)
    due = [DueRequest(r.reference, r.type, r.due_on) for r in requests]
    overdue = tuple(d for d in due if d.due_on < today)
    soon = tuple(d for d in due if d.due_on >= today)
    if not due:
        return Reminder(overdue, soon, 0)
    org = stored.register.organisation
    message = postman.writer.reminder(org.default_language, overdue, soon)
    recipients = staff_addresses(org)
    sent = sum(
        postman.send(stored.register, to, message, "the daily reminder") for to in recipients
    )
    return Reminder(overdue, soon, sent)


def staff_addresses(org: Organisation) -> list[str]:
    """The DPO's contact points, else those for privacy requests, else the intake contact."""
    for role in (ContactRole.DPO, ContactRole.PRIVACY_REQUESTS):
        found = [str(p.email) for p in org.contact_points if role in p.roles]
        if found:
            return sorted(set(found))
    intake = next((p for p in org.contact_points if p.key == org.intake_contact), None)
    return [str(intake.email)] if intake is not None else []
