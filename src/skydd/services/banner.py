"""Use cases of the cookie banner: what it shows now, and recording a visitor's choice (P9).

A choice is one ledger event per purpose the banner offers, collected by ``banner``,
under the notice ``banner:<version>``, so the ledger says exactly which banner the
person answered. The visitor is a subject without identifiers, found again by a
random id the browser keeps (:meth:`SubjectRepository.device`); nothing else links a
browser to its events. Each answer goes through
:func:`skydd.services.consent.apply_change`, as every consent does, so a choice
that changes nothing appends nothing and answers with the receipt of the event that
decided the state.

Global Privacy Control is an opt-out the person has already made: a choice sent
under it counts as "no" to everything, recorded with its source marked ``gpc:``,
unless the person opened the banner's dialog and chose (``explicit``).

Neither finding nor adding the visitor's subject is audited: the subject holds no
personal data to read, and the consent events are themselves the record of what
happened (ADR 0022).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace

from skydd.domain.banner import (
    Banner,
    Wordings,
    banner_notice,
    banner_of,
    banner_version,
    check_version,
    checked_choices,
)
from skydd.domain.clock import Clock
from skydd.domain.consent import (
    CollectionMethod,
    ConsentChange,
    ConsentState,
    ConsentStatus,
)
from skydd.domain.ids import OrganisationId
from skydd.domain.register import Register
from skydd.domain.subjects import Subject
from skydd.services.consent import Applied, Recorded, apply_change
from skydd.services.ports import ReceiptSigner
from skydd.services.register import current_register
from skydd.services.subjects import Who
from skydd.services.unit_of_work import UnitOfWork

GPC_SOURCE = "gpc:"
"""The prefix of the source of a refusal that Global Privacy Control decided."""


@dataclass(frozen=True)
class CurrentBanner:
    """The banner of the register in force, and the version a choice must be made on."""

    banner: Banner
    version: str
    register_hash: str
    """The content hash of the register it was built from (what a cache keys on)."""


@dataclass(frozen=True)
class BannerChoice:
    """What a visitor chose on the banner, as the script sends it."""

    visitor: uuid.UUID
    version: str
    language: str
    choices: Mapping[str, bool]
    explicit: bool = False
    """The person chose in the dialog, rather than the banner deciding for them."""
    gpc: bool = False
    """The browser sends Global Privacy Control."""
    origin: str = ""
    """The site the banner ran on."""

    @property
    def decided_by_gpc(self) -> bool:
        """True when Global Privacy Control answers for the person: no to everything."""
        return self.gpc and not self.explicit

    @property
    def source(self) -> str:
        """The ledger's source: the site, marked when Global Privacy Control decided."""
        return GPC_SOURCE + self.origin if self.decided_by_gpc else self.origin


def current_banner(
    uow: UnitOfWork, organisation_key: str | None, wordings: Wordings
) -> CurrentBanner:
    """The banner of the newest stored register, with its version."""
    with uow:
        stored = current_register(uow, organisation_key)
    banner = banner_of(stored.register)
    return CurrentBanner(banner, banner_version(banner, wordings), stored.content_hash)


def record_banner_choice(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    choice: BannerChoice,
    wordings: Wordings,
    signer: ReceiptSigner,
) -> list[Recorded]:
    """Record ``choice``: one event per purpose offered, none for an unchanged one.

    An unknown or missing purpose is refused (400) and so is a choice made on a banner
    that is no longer the current one (409, :class:`~skydd.domain.banner.BannerChanged`).
    """
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        banner = banner_of(register)
        choices = checked_choices(register, banner, choice.choices)
        version = banner_version(banner, wordings)
        check_version(version, choice.version)
        subject = uow.subjects.device(org_id, choice.visitor, clock.now())
        published = uow.policies.numbers(org_id)  # the number only: no rendition is read
        policy_version = published[-1] if published else None
        template = ConsentChange(
            purpose="",
            status=ConsentStatus.REFUSED,
            method=CollectionMethod.BANNER,
            notice_id=banner_notice(version),
            language=choice.language,
            source=choice.source,
        )
        applied = [
            _record_one(
                uow,
                clock,
                (org_id, register, subject),
                replace(template, purpose=key),
                given=yes and not choice.decided_by_gpc,
                policy_version=policy_version,
            )
            for key, yes in choices.items()
        ]
        uow.commit()
    return [one.signed(signer) for one in applied]


VISITOR = Who(actor="visitor", origin="banner")
"""Who records a banner choice: the visitor, whom nothing identifies."""


def _record_one(
    uow: UnitOfWork,
    clock: Clock,
    whose: tuple[OrganisationId, Register, Subject],
    change: ConsentChange,
    *,
    given: bool,
    policy_version: int | None,
) -> Applied:
    """Apply one answer as every consent is applied; nothing if it changes nothing.

    A "no" withdraws a consent in force and refuses one not given; said again to the
    same banner, it repeats the state it is in, and so appends nothing.
    """
    _, _, subject = whose
    before = uow.consents.state(subject.id, change.purpose)
    change = replace(change, status=_status(before, change, given=given))
    return apply_change(
        uow, clock, whose, change, policy_version=policy_version, erase=None, who=VISITOR
    )


def _status(before: ConsentState | None, change: ConsentChange, *, given: bool) -> ConsentStatus:
    if given:
        return ConsentStatus.GIVEN
    if before is None:
        return ConsentStatus.REFUSED
    if before.active:
        return ConsentStatus.WITHDRAWN
    return before.status if before.notice_id == change.notice_id else ConsentStatus.REFUSED
