"""Renewal of stale consents (P20): ask each person again, by mail, with a signed link.

A consent given to a purpose whose substance has changed since (``skydd consent
stale``) no longer covers what the purpose is now. The mail says what it is now and
links to the page that confirms a subscription, which records the consent again to the
current terms. Reading each address to mail it is audited under the person's pseudonym.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import ConsentState
from skydd.services.audit import record
from skydd.services.newsletter import (
    CONFIRM_LINK,
    CONFIRM_PATH,
    RENEWAL,
    Newsletters,
    Outgoing,
    about,
    deliver,
    is_objected,
    reader_language,
)
from skydd.services.register import current_register
from skydd.services.subjects import Who, audit_subject
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Renewals:
    """What mailing the renewal requests came to."""

    sent: int
    failed: int
    skipped: int
    """Consents whose person has no e-mail address or objected since, or whose categories
    the purpose no longer has (renewing those would be a new consent, not this one)."""


def mail_renewals(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    newsletters: Newsletters,
    stale: Sequence[ConsentState],
    *,
    who: Who,
) -> Renewals:
    """Ask each person whose consent is ``stale`` to renew it, in the language they gave it in.

    The mail links to the confirmation page, which records the consent again to the
    purpose's current terms. Reading each address is audited under the person's
    pseudonym; one more event records how many mails went, without any address.
    """
    sent = failed = skipped = 0
    expires_at = clock.now() + dt.timedelta(days=newsletters.renewal_days)
    for state in stale:
        outgoing = _renewal(uow, clock, organisation_key, newsletters, state, expires_at, who)
        if outgoing is None:
            skipped += 1
        elif deliver(newsletters, outgoing):
            sent += 1
        else:
            failed += 1
    with uow:
        stored = current_register(uow, organisation_key)
        record(
            uow,
            clock,
            actor=who.actor,
            action=AuditAction.PERSONAL_DATA_READ,
            target="consent:renewal",
            origin=who.origin,
            organisation=stored.register.organisation.key,
            details={"what": "renewal-mail", "sent": sent, "failed": failed, "skipped": skipped},
        )
        uow.commit()
    return Renewals(sent, failed, skipped)


def _renewal(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    newsletters: Newsletters,
    state: ConsentState,
    expires_at: dt.datetime,
    who: Who,
) -> Outgoing | None:
    """The renewal mail of one stale consent (its person's e-mail read and audited)."""
    with uow:
        stored = current_register(uow, organisation_key)
        register = stored.register
        subject = uow.subjects.get(stored.organisation_id, state.subject_id)
        purpose = register.purpose(state.purpose)
        if subject is None or subject.email is None or purpose is None:
            return None
        kept = [c for c in state.categories if c in purpose.data_categories]
        if not kept:
            return None
        if is_objected(uow, stored.organisation_id, purpose, subject.identifiers):
            return None
        deciding = uow.consents.event(state.last_record_id)
        language = reader_language(register, deciding.language if deciding is not None else "")
        audit_subject(
            uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, what="renewal-mail"
        )
        uow.commit()
    claims = {
        "s": str(subject.id),
        "p": purpose.key,
        "c": ",".join(kept),
        "l": language,
        "w": RENEWAL,
    }
    token = newsletters.links.sign(CONFIRM_LINK, claims, expires_at)
    url = newsletters.url(CONFIRM_PATH, token, language)
    message = newsletters.writer.renewal(register, purpose.key, language, url, expires_at)
    return Outgoing(register, subject.email.value, message, about(purpose, subject))
