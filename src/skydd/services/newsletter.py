"""Newsletters on consent (P5): double opt-in, one-click unsubscribe, suppression imports respect.

A subscription is a consent like any other, recorded in the ledger by
:func:`~skydd.services.consent.record_consent`; what this module adds is the way the
person gives and withdraws it, by mail:

- **Subscribe** (:func:`subscribe`) finds or adds the person by blind index and mails a
  signed confirmation link that expires. Nothing is recorded in the ledger until the
  link is followed and its page's button pressed (:func:`confirm`): mail scanners fetch
  links, so only a POST changes anything. The form's answer is the same whether the
  address is new, subscribed or suppressed; what differs is only the mail.
- **Unsubscribe** (:func:`unsubscribe`) withdraws the consent from a signed link that
  never expires, as the POST of RFC 8058 or from its page.
- **The suppression list** is the ledger itself: a person whose last word on the purpose
  was "withdrawn" or "refused", or who objected to direct marketing (the processing
  limits of ADR 0020), is suppressed (:func:`is_suppressed`). An import
  (:mod:`skydd.services.consent_import`) never records consent for them, and records
  nothing for anyone the ledger already knows for the purpose; only the person's own
  confirmed subscription brings them back.

Nothing about a particular newsletter is fixed here: any purpose resting on consent
can be subscribed to. The links carry the subject's pseudonymous id, never the address.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import (
    CollectionMethod,
    ConsentChange,
    ConsentState,
    ConsentStatus,
    consent_purpose,
    is_stale,
)
from skydd.domain.errors import ConflictError, InvalidLink, MailNotSent
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.processing_limits import may_process
from skydd.domain.purposes import Purpose
from skydd.domain.register import Register
from skydd.domain.schema import text_in
from skydd.domain.subjects import Subject, SubjectId, checked_name, single_match
from skydd.services.consent import Recorded, record_consent
from skydd.services.consent_links import GONE, linked_subject
from skydd.services.notices import sender_of
from skydd.services.ports import (
    LinkSigner,
    Mailer,
    MailMessage,
    NewsletterMail,
    ReceiptSigner,
    StoredRegister,
)
from skydd.services.register import current_register
from skydd.services.subjects import Who, audit_subject, parse_identifier, subject_for
from skydd.services.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

CONFIRM_LINK = "consent-confirm"
"""Links that record a consent when their page's button is pressed (subscribe, renew)."""
UNSUBSCRIBE_LINK = "newsletter-unsubscribe"
"""Links that withdraw a consent; they never expire."""
SUBSCRIBER = "subscriber"
"""The audit actor of a person acting through the form or a mailed link."""
RENEWAL = "renew"
SUBSCRIPTION = "subscribe"
OBJECTED = "this address is on the suppression list for direct marketing; contact us to change it"


@dataclass(frozen=True)
class Newsletters:
    """What the newsletter use cases need from the deployment."""

    mailer: Mailer
    writer: NewsletterMail
    links: LinkSigner
    receipts: ReceiptSigner
    public_url: str
    confirm_hours: int
    renewal_days: int
    sender: str | None = None
    """The From address; ``None``: the register's intake contact point."""

    def url(self, path: str, token: str, language: str) -> str:
        """The public URL of the page at ``path`` for ``token``, shown in ``language``.

        The language is in the clear beside the token, so even the page saying the link
        has expired (its claims no longer read) is in the person's language.
        """
        return f"{self.public_url.rstrip('/')}{path}?t={token}&lang={language}"


@dataclass(frozen=True)
class Subscription:
    """What the subscription form sends."""

    purpose: str
    email: str = field(repr=False)
    name: str | None = field(default=None, repr=False)
    language: str = ""
    categories: tuple[str, ...] = ()
    notice_id: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A mail to send once its transaction is committed; the address is held in memory only."""

    register: Register
    to: str = field(repr=False)
    message: MailMessage = field(repr=False)
    about: str
    """What the mail is about, for the log (a purpose and a pseudonym)."""


@dataclass(frozen=True)
class LinkView:
    """What a confirm or unsubscribe page shows, read from its link; nothing is changed."""

    organisation: str
    purpose: str
    name: str
    description: str
    language: str
    renewal: bool = False


@dataclass(frozen=True)
class Confirmed:
    """A followed confirmation link: the ledger's answer and whether a welcome mail went."""

    recorded: Recorded
    renewal: bool
    welcomed: bool


CONFIRM_PATH = "/newsletter/confirm"
UNSUBSCRIBE_PATH = "/newsletter/unsubscribe"


def subscribe(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    newsletters: Newsletters,
    subscription: Subscription,
    *,
    who: Who,
) -> Outgoing | None:
    """Find or add the person and write the confirmation mail; ``None`` when none is due.

    None is due for someone suppressed by an objection to direct marketing, or already
    consenting to the purpose's current terms and the categories asked. The caller
    sends the mail (:func:`deliver`), after answering the same in every case. The name
    is kept only for a person skydd did not know: a form anyone can send does not
    change what is stored about someone else.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        purpose = consent_purpose(register, subscription.purpose, subscription.categories)
        email = parse_identifier(IdentifierKind.EMAIL, subscription.email, register, clock)
        name = checked_name(subscription.name)
        language = reader_language(register, subscription.language)
        if is_objected(uow, org_id, purpose, [email]):
            return None
        found = single_match(uow.subjects.find(org_id, email))
        if found is not None:
            audit_subject(
                uow, clock, who, AuditAction.PERSONAL_DATA_READ, found, register, what="consent"
            )
            state = uow.consents.state(found.id, purpose.key)
            if _covers(state, register, subscription.categories or purpose.data_categories):
                uow.commit()
                return None
        subject = found or subject_for(
            uow, clock, org_id, register, {IdentifierKind.EMAIL: email.value}, name=name, who=who
        )
        uow.commit()
    expires_at = clock.now() + dt.timedelta(hours=newsletters.confirm_hours)
    claims = {
        "s": str(subject.id),
        "p": purpose.key,
        "c": ",".join(sorted(set(subscription.categories))),
        "n": subscription.notice_id,
        "l": language,
        "w": SUBSCRIPTION,
    }
    token = newsletters.links.sign(CONFIRM_LINK, link_claims(claims), expires_at)
    url = newsletters.url(CONFIRM_PATH, token, language)
    message = newsletters.writer.confirmation(register, purpose.key, language, url, expires_at)
    return Outgoing(register, email.value, message, about(purpose, subject))


def deliver(newsletters: Newsletters, outgoing: Outgoing) -> bool:
    """Send ``outgoing``; ``False`` (logged without the address) when the server refused it."""
    sender = newsletters.sender or sender_of(outgoing.register)
    try:
        newsletters.mailer.send(sender, outgoing.to, outgoing.message)
    except MailNotSent as exc:
        logger.warning("mail about %s not sent: %s", outgoing.about, exc)
        return False
    return True


def read_link(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    links: LinkSigner,
    purpose_of_link: str,
    token: str,
) -> LinkView:
    """What a link's page shows: its purpose in the person's language. Reads no personal data."""
    claims = links.verify(purpose_of_link, token, clock.now())
    with uow:
        register = current_register(uow, organisation_key).register
    purpose = register.purpose(claims.get("p", ""))
    if purpose is None:
        raise InvalidLink(GONE)
    language = reader_language(register, claims.get("l", ""))
    default = register.organisation.default_language
    return LinkView(
        organisation=register.organisation.name,
        purpose=purpose.key,
        name=text_in(purpose.name, language, default),
        description=text_in(purpose.description, language, default).strip(),
        language=language,
        renewal=claims.get("w") == RENEWAL,
    )


def confirm(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    newsletters: Newsletters,
    token: str,
    *,
    who: Who,
) -> Confirmed:
    """Record the consent a confirmation (or renewal) link stands for; welcome a new subscriber.

    Following the link again records nothing new and sends no second welcome. An
    objection to direct marketing made since the link was mailed refuses it (409).
    """
    claims = newsletters.links.verify(CONFIRM_LINK, token, clock.now())
    renewal = claims.get("w") == RENEWAL
    with uow:
        stored, subject = _linked_subject(uow, clock, organisation_key, claims, who, "confirm")
        register = stored.register
        purpose = consent_purpose(register, claims.get("p", ""))
        if is_objected(uow, stored.organisation_id, purpose, subject.identifiers):
            raise ConflictError(OBJECTED)
        change = ConsentChange(
            purpose=purpose.key,
            status=ConsentStatus.GIVEN,
            categories=_categories(claims.get("c", ""), purpose),
            method=CollectionMethod.EMAIL_LINK,
            notice_id=claims.get("n", ""),
            language=claims.get("l", ""),
            source="consent-renewal" if renewal else "newsletter-confirmation",
        )
        recorded = record_consent(
            uow, clock, organisation_key, _email_of(subject), change, newsletters.receipts, who=who
        )
    welcomed = False
    if recorded.event is not None and not renewal:
        welcomed = deliver(newsletters, _welcome(newsletters, register, purpose, subject, change))
    return Confirmed(recorded, renewal, welcomed)


def unsubscribe(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    newsletters: Newsletters,
    token: str,
    *,
    who: Who,
    source: str,
) -> Recorded:
    """Withdraw the consent an unsubscribe link names; at once, and as often as it is used."""
    claims = newsletters.links.verify(UNSUBSCRIBE_LINK, token, clock.now())
    with uow:
        _, subject = _linked_subject(uow, clock, organisation_key, claims, who, "unsubscribe")
        change = ConsentChange(
            purpose=claims.get("p", ""),
            status=ConsentStatus.WITHDRAWN,
            method=CollectionMethod.EMAIL_LINK,
            language=claims.get("l", ""),
            source=source,
        )
        return record_consent(
            uow, clock, organisation_key, _email_of(subject), change, newsletters.receipts, who=who
        )


def unsubscribe_url(
    newsletters: Newsletters, subject_id: SubjectId, purpose: str, language: str
) -> str:
    """The one-click unsubscribe link of one subscriber's newsletter mail (never expires)."""
    claims = {"s": str(subject_id), "p": purpose, "l": language}
    token = newsletters.links.sign(UNSUBSCRIBE_LINK, claims, None)
    return newsletters.url(UNSUBSCRIBE_PATH, token, language)


def is_suppressed(
    uow: UnitOfWork, organisation_key: str | None, purpose_key: str, identifier: Identifier
) -> bool:
    """True when nothing but the person's own confirmed subscription may add them to ``purpose``.

    They withdrew or refused it (their last word in the ledger), or objected to direct
    marketing or restricted processing (ADR 0020).
    """
    with uow:
        stored = current_register(uow, organisation_key)
        org_id = stored.organisation_id
        purpose = consent_purpose(stored.register, purpose_key)
        if is_objected(uow, org_id, purpose, [identifier]):
            return True
        found = single_match(uow.subjects.find(org_id, identifier))
        state = uow.consents.state(found.id, purpose.key) if found is not None else None
        return state is not None and state.status is not ConsentStatus.GIVEN


def link_claims(claims: dict[str, str]) -> dict[str, str]:
    """``claims`` without the empty ones: a shorter link, read back as the same."""
    return {key: value for key, value in claims.items() if value}


def is_objected(
    uow: UnitOfWork, org_id: OrganisationId, purpose: Purpose, identifiers: Sequence[Identifier]
) -> bool:
    """True when a restriction, objection or suppression (ADR 0020) stops ``purpose``."""
    return not may_process(uow.limits.of_person(org_id, identifiers), purpose)


def _covers(state: ConsentState | None, register: Register, categories: Sequence[str]) -> bool:
    """True when a consent in force to today's terms already includes ``categories``."""
    if state is None or not state.active or is_stale(state, register):
        return False
    return set(categories) <= set(state.categories)


def _linked_subject(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    claims: dict[str, str],
    who: Who,
    what: str,
) -> tuple[StoredRegister, Subject]:
    """The register and the person a genuine link names; reading them is audited."""
    stored = current_register(uow, organisation_key)
    subject = linked_subject(uow, stored, claims)
    if subject.email is None:
        raise InvalidLink(GONE)
    audit_subject(
        uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, stored.register, what=what
    )
    return stored, subject


def _welcome(
    newsletters: Newsletters,
    register: Register,
    purpose: Purpose,
    subject: Subject,
    change: ConsentChange,
) -> Outgoing:
    language = reader_language(register, change.language)
    url = unsubscribe_url(newsletters, subject.id, purpose.key, language)
    message = newsletters.writer.welcome(register, purpose.key, language, url)
    return Outgoing(
        register, _email_of(subject)[IdentifierKind.EMAIL], message, about(purpose, subject)
    )


def _email_of(subject: Subject) -> dict[IdentifierKind, str]:
    if subject.email is None:  # a link is only ever made for a subject found by e-mail
        raise InvalidLink(GONE)
    return {IdentifierKind.EMAIL: subject.email.value}


def _categories(joined: str, purpose: Purpose) -> tuple[str, ...]:
    """The categories a link names that the purpose still processes (none named: all).

    A link naming only categories the purpose has dropped since no longer applies:
    confirming it must not widen the consent to every category.
    """
    named = [c for c in joined.split(",") if c]
    kept = tuple(c for c in named if c in purpose.data_categories)
    if named and not kept:
        raise InvalidLink(GONE)
    return kept


def reader_language(register: Register, language: str) -> str:
    """``language`` when the organisation publishes in it, else its default."""
    org = register.organisation
    return language if language in org.languages else org.default_language


def about(purpose: Purpose, subject: Subject) -> str:
    """What a mail is about, for the log: the purpose and the person's pseudonym."""
    return f"{purpose.key} for {subject.pseudonym}"
