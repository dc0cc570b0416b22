"""A signed link to one's consent: keep the purpose, erase chosen categories, or withdraw it (P6).

The link names a person (their pseudonym) and a purpose, and expires: it is the
capability to *withdraw*, never to give consent, so the worst a leaked link can do is
what its owner could do. Its page shows the categories consented to now; the person
picks those to erase (the rest stay consented), or withdraws the whole purpose. The
withdrawal goes through :func:`~skydd.services.consent.record_consent`, which erases
what only that consent allowed in the same transaction (ADR 0025).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import (
    CollectionMethod,
    ConsentChange,
    ConsentState,
    ConsentStatus,
    consent_purpose,
)
from skydd.domain.errors import InvalidLink, NotFoundError
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.register import Register
from skydd.domain.schema import text_in
from skydd.domain.subjects import Subject, SubjectId
from skydd.services.consent import Recorded, record_consent
from skydd.services.ports import LinkSigner, ReceiptSigner, StoredRegister
from skydd.services.register import current_register
from skydd.services.subjects import Who, audit_subject, subjects_named
from skydd.services.unit_of_work import UnitOfWork

MANAGE_LINK = "consent-manage"
"""Links to one person's consent to one purpose, to withdraw it wholly or partly."""
MANAGE_PATH = "/consent/manage"
MANAGE_DAYS = 30
"""How long a mailed link to manage a consent works."""
GONE = "the link no longer applies: the person or the purpose it names is gone"
PERSON = "subject"
"""The audit actor of a person acting through a mailed link."""


@dataclass(frozen=True)
class ManagedConsent:
    """What the page of a consent link shows: the purpose and what is consented to now."""

    organisation: str
    purpose: str
    name: str
    language: str
    categories: tuple[tuple[str, str], ...]
    """(key, name in the person's language) of each category consented to now."""

    @property
    def active(self) -> bool:
        """True while anything is still consented to."""
        return bool(self.categories)

    def now(self, state: ConsentState) -> ManagedConsent:
        """The same page's view once ``state`` (what a withdrawal left) is in force."""
        held = set(state.categories) if state.active else set()
        return replace(self, categories=tuple(c for c in self.categories if c[0] in held))


def manage_link(
    links: LinkSigner,
    clock: Clock,
    public_url: str,
    subject_id: SubjectId,
    purpose: str,
    language: str,
) -> str:
    """The URL of the page where the person manages their consent to ``purpose``."""
    expires = clock.now() + dt.timedelta(days=MANAGE_DAYS)
    claims = {"s": str(subject_id), "p": purpose, "l": language}
    token = links.sign(MANAGE_LINK, claims, expires)
    return f"{public_url.rstrip('/')}{MANAGE_PATH}?t={token}&lang={language}"


def link_for(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    links: LinkSigner,
    public_url: str,
    identifiers: dict[IdentifierKind, str],
    purpose: str,
    *,
    language: str = "",
    who: Who,
) -> str:
    """A consent link for the person ``identifiers`` name, to send them (staff; audited)."""
    with uow:
        stored = current_register(uow, organisation_key)
        register = stored.register
        consent_purpose(register, purpose)
        found = subjects_named(uow, clock, stored.organisation_id, register, identifiers)
        if len(found) != 1:
            msg = "no one person with these identifiers is known"
            raise NotFoundError(msg)
        [subject] = found
        audit_subject(
            uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, what="consent-link"
        )
        uow.commit()
    org = register.organisation
    shown = language if language in org.languages else org.default_language
    return manage_link(links, clock, public_url, subject.id, purpose, shown)


def managed_consent(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    links: LinkSigner,
    token: str,
    *,
    who: Who,
) -> ManagedConsent:
    """The consent a genuine link names, as its page shows it; reading it is audited."""
    claims = links.verify(MANAGE_LINK, token, clock.now())
    with uow:
        stored, subject = _linked(uow, organisation_key, claims)
        state = uow.consents.state(subject.id, claims["p"])
        audit_subject(
            uow,
            clock,
            who,
            AuditAction.PERSONAL_DATA_READ,
            subject,
            stored.register,
            what="consent",
        )
        uow.commit()
    return _shown(stored.register, claims, state)


def withdraw_by_link(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    links: LinkSigner,
    receipts: ReceiptSigner,
    token: str,
    erase: Sequence[str] | None,
    *,
    who: Who,
) -> Recorded:
    """Withdraw through a link: the ``erase`` categories only, or (``None``) the whole purpose.

    The purpose stays consented to for every category not named.
    """
    claims = links.verify(MANAGE_LINK, token, clock.now())
    with uow:
        _, subject = _linked(uow, organisation_key, claims)
    identifiers = {i.kind: i.value for i in subject.identifiers}
    if not identifiers:
        raise InvalidLink(GONE)
    change = ConsentChange(
        purpose=claims["p"],
        status=ConsentStatus.WITHDRAWN,
        categories=tuple(erase or ()),
        method=CollectionMethod.EMAIL_LINK,
        language=claims.get("l", ""),
        source="consent-link",
    )
    return record_consent(uow, clock, organisation_key, identifiers, change, receipts, who=who)


def linked_subject(uow: UnitOfWork, stored: StoredRegister, claims: dict[str, str]) -> Subject:
    """The person a genuine link names (its ``s`` claim), or :class:`InvalidLink` if gone."""
    try:
        subject_id = SubjectId(uuid.UUID(claims.get("s", "")))
    except ValueError:
        raise InvalidLink(GONE) from None
    subject = uow.subjects.get(stored.organisation_id, subject_id)
    if subject is None:
        raise InvalidLink(GONE)
    return subject


def _linked(
    uow: UnitOfWork, organisation_key: str | None, claims: dict[str, str]
) -> tuple[StoredRegister, Subject]:
    """The register and the person the link names, while its purpose exists."""
    stored = current_register(uow, organisation_key)
    subject = linked_subject(uow, stored, claims)
    if stored.register.purpose(claims.get("p", "")) is None:
        raise InvalidLink(GONE)
    return stored, subject


def _shown(
    register: Register, claims: dict[str, str], state: ConsentState | None
) -> ManagedConsent:
    org = register.organisation
    language = claims.get("l", "")
    language = language if language in org.languages else org.default_language
    purpose = register.purpose(claims["p"])
    if purpose is None:
        raise InvalidLink(GONE)
    held = state.categories if state is not None and state.active else ()
    names = []
    for key in held:
        category = register.data_category(key)
        shown = key if category is None else text_in(category.name, language, org.default_language)
        names.append((key, shown))
    return ManagedConsent(
        organisation=org.name,
        purpose=purpose.key,
        name=text_in(purpose.name, language, org.default_language),
        language=language,
        categories=tuple(names),
    )
