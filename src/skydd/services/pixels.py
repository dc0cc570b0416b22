"""E-mail open pixels (P9): issue one per mail and recipient, record an open only under consent.

A pixel's token is random (``secrets.token_urlsafe(16)``: 128 bits), so it carries
nothing about the person and cannot be guessed; only its SHA-256 is stored, so the
database cannot hand out a working pixel URL. 128 random bits need no key to resist
guessing, which keeps :func:`issue_pixel` free of secrets a mail composer would need.

Which purpose an open serves is the register's word, not this module's: the
purposes of its trackers of kind ``pixel`` (Mestro's: ``analytics``). An open is
recorded only when the recipient's consent to every such purpose is in force now,
includes the purpose's e-mail engagement category when it has one (so withdrawing
just that category stops it, P6), and no restriction or objection stops the purpose.
Otherwise nothing is written at all: not the open, not an audit event.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import ConsentState
from skydd.domain.cookies import TrackerKind
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.events import category_on
from skydd.domain.processing_limits import ProcessingLimit
from skydd.domain.processing_limits import may_process as limits_allow
from skydd.domain.purposes import Purpose
from skydd.domain.register import Register
from skydd.domain.subjects import SubjectId
from skydd.services.ports import MailPixel
from skydd.services.register import current_register
from skydd.services.subjects import Who, audit_subject
from skydd.services.unit_of_work import UnitOfWork

MAILING = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
"""A mailing's key (``newsletter-2026-12``): which send a pixel belongs to."""
ENGAGEMENT_TAXONOMY = "user.behavior.media_consumption"
"""fideslang's category for how media (an e-mail) is taken in: what an open records."""
PIXEL_WHO = Who(actor="pixel", origin="mail")
"""The audit's actor and origin of a recorded open: the recipient's mail client."""

_MAILING = re.compile(MAILING)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def token_hash(token: str) -> str:
    """The stored form of a pixel token."""
    return hashlib.sha256(f"mail-pixel:{token}".encode()).hexdigest()


def issue_pixel(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    subject_id: SubjectId,
    mailing: str,
) -> str:
    """A new pixel token for one mail of ``mailing`` to the subject: ``/px/<token>.gif``.

    Issuing records nothing about the person beyond that the mail was composed;
    whether an open is ever recorded is decided when it happens.
    """
    if not _MAILING.fullmatch(mailing):
        msg = "a mailing key is 1-100 lowercase letters, digits, '.', '-' or '_'"
        raise InvalidInput(msg)
    token = secrets.token_urlsafe(16)
    with uow:
        stored = current_register(uow, organisation_key)
        if uow.subjects.get(stored.organisation_id, subject_id) is None:
            msg = "no such subject"
            raise NotFoundError(msg)
        uow.pixels.add(
            MailPixel(token_hash(token), stored.organisation_id, subject_id, mailing, clock.now())
        )
        uow.commit()
    return token


def pixel_purposes(register: Register) -> tuple[str, ...]:
    """The purposes the register's pixel trackers serve: what an open is processed for."""
    return tuple(
        sorted({t.purpose for t in register.cookies if t.kind is TrackerKind.PIXEL and t.purpose})
    )


def may_record_open(
    register: Register,
    states: dict[str, ConsentState | None],
    limits: list[ProcessingLimit],
) -> bool:
    """True when consent to every pixel purpose is in force and nothing stops one."""
    if not states:
        return False
    for key, state in states.items():
        purpose = register.purpose(key)
        if purpose is None or state is None or not state.active:
            return False
        engagement = _engagement(register, purpose)
        if engagement is not None and engagement not in state.categories:
            return False
        if not limits_allow(limits, purpose):
            return False
    return True


def record_open(uow: UnitOfWork, clock: Clock, token: str) -> bool:
    """Record an open of the pixel ``token`` if its recipient consents now; True if recorded.

    An unknown or malformed token, a person without consent, a purpose no longer in
    the register: all record nothing and say only False.
    """
    if not _TOKEN.fullmatch(token):
        return False
    with uow:
        pixel = uow.pixels.by_hash(token_hash(token))
        stored = None if pixel is None else uow.registers.latest(pixel.organisation_id)
        if pixel is None or stored is None:
            return False
        register = stored.register
        subject = uow.subjects.get(pixel.organisation_id, pixel.subject_id)
        if subject is None:
            return False
        states = {key: uow.consents.state(subject.id, key) for key in pixel_purposes(register)}
        limits = uow.limits.of_person(pixel.organisation_id, subject.identifiers)
        if not may_record_open(register, states, limits):
            return False
        uow.pixels.add_open(pixel.token_hash, clock.now())
        audit_subject(
            uow,
            clock,
            PIXEL_WHO,
            AuditAction.PERSONAL_DATA_CHANGED,
            subject,
            register,
            change="email-open",
            mailing=pixel.mailing,
            purposes=",".join(states),
        )
        uow.commit()
    return True


def _engagement(register: Register, purpose: Purpose) -> str | None:
    return category_on(register, purpose.data_categories, ENGAGEMENT_TAXONOMY)
