"""Restriction (Art. 18) and objection (Art. 21): what skydd may no longer do with a person's data.

A limit is recorded when a verified restriction or objection request starts, and
every processing skydd does itself (mailing, exports, retention purges) asks
:func:`may_process` first; connectors are told where a system can take it (a
restriction flag column), and staff get a task where it cannot.

- **Restriction** stops all processing but storage until it is lifted; the person is
  told before it is lifted (Art. 18(3)), so lifting needs a reason and sends a notice.
- **Objection** names one purpose. Where that purpose is direct marketing (a fideslang
  ``marketing`` data use), the objection is absolute (Art. 21(3)): the person goes on
  the suppression list, which stops *every* direct-marketing purpose and which no
  later import or consent form can override. Any other purpose resting on legitimate
  interests or a public task (Art. 6(1)(e)/(f)) stops; staff may still reject the
  request with the compelling grounds that override (Art. 21(1)), through the normal
  rejection and its Art. 12(4) notice. A purpose resting only on consent, contract or
  law is no ground for objection, and intake says what applies instead.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType

from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.register import Register
from skydd.domain.requests import MAX_REASON_LENGTH, RequestId

LimitId = NewType("LimitId", uuid.UUID)

OBJECTABLE_BASES = frozenset({LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK})


class LimitKind(StrEnum):
    """What a limit stops."""

    RESTRICTED = "restricted"
    """Every purpose: the data is only stored (Art. 18(2))."""
    OBJECTED = "objected"
    """One purpose the person objected to (Art. 21(1))."""
    SUPPRESSED = "suppressed"
    """Every direct-marketing purpose (Art. 21(3)); never lifted by skydd."""


@dataclass(frozen=True)
class ProcessingLimit:
    """One limit on one person's data, from the request that set it."""

    id: LimitId
    request_id: RequestId
    kind: LimitKind
    since: dt.datetime
    purpose: str | None = None
    """The purpose objected to; ``None`` for a restriction or the suppression list."""
    lifted_at: dt.datetime | None = None
    lifted_because: str | None = None

    @property
    def active(self) -> bool:
        """True until the limit is lifted."""
        return self.lifted_at is None

    def stops(self, purpose: Purpose) -> bool:
        """True while this limit forbids processing for ``purpose``."""
        if not self.active:
            return False
        if self.kind is LimitKind.RESTRICTED:
            return True
        if self.kind is LimitKind.SUPPRESSED:
            return purpose.is_direct_marketing
        return purpose.key == self.purpose


def objected_purpose(register: Register, key: str | None) -> Purpose:
    """The purpose an objection names, when Art. 21 lets the person object to it."""
    if key is None or not key.strip():
        msg = "an objection names the purpose objected to"
        raise InvalidInput(msg)
    purpose = register.purpose(key.strip())
    if purpose is None:
        known = ", ".join(p.key for p in register.purposes)
        msg = f"unknown purpose; known: {known}"
        raise InvalidInput(msg)
    if purpose.is_direct_marketing:
        return purpose
    bases = {claim.basis for claim in purpose.legal_bases}
    if bases & OBJECTABLE_BASES:
        return purpose
    if LegalBasis.CONSENT in bases:
        msg = f"{purpose.key!r} rests on consent: withdraw the consent instead of objecting"
        raise InvalidInput(msg)
    msg = (
        f"{purpose.key!r} rests on neither legitimate interests nor a public task, and is "
        "not direct marketing: Art. 21 gives no right to object to it"
    )
    raise InvalidInput(msg)


def limits_for_objection(
    request_id: RequestId, purpose: Purpose, at: dt.datetime
) -> list[ProcessingLimit]:
    """The limits an objection sets: the purpose stopped, and for marketing suppression."""
    limits = [_limit(request_id, LimitKind.OBJECTED, at, purpose.key)]
    if purpose.is_direct_marketing:
        limits.append(_limit(request_id, LimitKind.SUPPRESSED, at))
    return limits


def restriction(request_id: RequestId, at: dt.datetime) -> ProcessingLimit:
    """The limit a restriction request sets: storage only, until lifted."""
    return _limit(request_id, LimitKind.RESTRICTED, at)


def lift(limit: ProcessingLimit, reason: str, at: dt.datetime) -> ProcessingLimit:
    """The restriction lifted, with the reason the person is told first (Art. 18(3)).

    Only a restriction is lifted here: an objection ends when staff reject the request
    with overriding grounds, and the suppression list is for good.
    """
    if limit.kind is not LimitKind.RESTRICTED:
        msg = "only a restriction can be lifted"
        raise ConflictError(msg)
    if not limit.active:
        msg = "the restriction is already lifted"
        raise ConflictError(msg)
    cleaned = reason.strip()
    if not cleaned or len(cleaned) > MAX_REASON_LENGTH:
        msg = f"a reason is 1-{MAX_REASON_LENGTH} characters"
        raise InvalidInput(msg)
    return replace(limit, lifted_at=at, lifted_because=cleaned)


def ended_by_rejection(limits: Iterable[ProcessingLimit], at: dt.datetime) -> list[ProcessingLimit]:
    """A rejected request's limits, lifted: the rejection notice told the person why.

    The suppression list stays: an objection to direct marketing is absolute, and
    keeping someone off marketing wrongs nobody.
    """
    return [
        replace(limit, lifted_at=at, lifted_because="the request was rejected")
        for limit in limits
        if limit.active and limit.kind is not LimitKind.SUPPRESSED
    ]


def may_process(limits: Iterable[ProcessingLimit], purpose: Purpose) -> bool:
    """True when none of a person's ``limits`` stops ``purpose``."""
    return not any(limit.stops(purpose) for limit in limits)


def _limit(
    request_id: RequestId, kind: LimitKind, at: dt.datetime, purpose: str | None = None
) -> ProcessingLimit:
    return ProcessingLimit(LimitId(uuid.uuid4()), request_id, kind, at, purpose)
