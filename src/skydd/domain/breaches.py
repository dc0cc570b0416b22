"""The breach register (Art. 33–34): what happened, the 72-hour deadline, the draft notice.

Art. 33(1): the controller notifies the supervisory authority without undue delay and,
where feasible, within 72 hours of becoming aware of the breach, unless the breach is
unlikely to result in a risk to people. The 72 hours are calendar hours counted on the
UTC timeline, so a daylight-saving change in between neither adds nor removes an hour.
Art. 34(1): when the risk is high, the data subjects are told as well.

A breach record describes the incident, never the people in it: data categories are
taxonomy keys and the number of subjects is an approximate count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NewType
from uuid import UUID

from skydd.domain.errors import ConflictError, InvalidInput, UnknownLanguageError
from skydd.domain.organisation import Organisation

BreachId = NewType("BreachId", UUID)

NOTIFICATION_WINDOW = dt.timedelta(hours=72)
"""Art. 33(1): the authority is notified within 72 hours of awareness."""

_REFERENCE = re.compile(r"^BR-(\d{4})-(\d{3,})$")
_CATEGORY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


class BreachRisk(StrEnum):
    """How likely the breach is to harm people's rights and freedoms."""

    UNLIKELY = "unlikely"
    RISK = "risk"
    HIGH_RISK = "high_risk"


class BreachStatus(StrEnum):
    """Where the breach stands: open, the authority notified, or closed."""

    OPEN = "open"
    NOTIFIED = "notified"
    CLOSED = "closed"


@dataclass(frozen=True)
class Breach:
    """One personal data breach as documented under Art. 33(5)."""

    id: BreachId
    reference: str
    opened_at: dt.datetime
    aware_at: dt.datetime
    description: str
    data_categories: tuple[str, ...]
    approx_subjects: int
    consequences: str
    measures: str
    risk: BreachRisk
    status: BreachStatus = BreachStatus.OPEN
    occurred_at: dt.datetime | None = None
    notified_authority_at: dt.datetime | None = None
    subjects_informed: bool = False
    closed_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        for name in ("opened_at", "aware_at", "occurred_at", "notified_authority_at", "closed_at"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                msg = f"{name} has no time zone; give an aware time"
                raise InvalidInput(msg)
        if not _REFERENCE.match(self.reference):
            msg = f"{self.reference!r} is not a breach reference like BR-2026-001"
            raise InvalidInput(msg)
        if not self.description.strip():
            msg = "a breach needs a description of what happened"
            raise InvalidInput(msg)
        if self.approx_subjects < 0:
            msg = "the approximate number of subjects cannot be negative"
            raise InvalidInput(msg)
        for key in self.data_categories:
            if not _CATEGORY.match(key):
                msg = f"{key!r} is not a data category key such as user.contact.email"
                raise InvalidInput(msg)
        if self.occurred_at is not None and self.occurred_at > self.aware_at:
            msg = "the breach cannot have occurred after the controller became aware of it"
            raise InvalidInput(msg)
        if self.notified_authority_at is not None and self.notified_authority_at < self.aware_at:
            msg = "the authority cannot have been notified before the controller became aware"
            raise InvalidInput(msg)

    @property
    def notification_due_at(self) -> dt.datetime:
        """When the authority must have been notified (Art. 33(1))."""
        return notification_due_at(self.aware_at)


@dataclass(frozen=True)
class BreachChanges:
    """What an update changes; ``None`` leaves a field as it is."""

    description: str | None = None
    data_categories: tuple[str, ...] | None = None
    approx_subjects: int | None = None
    consequences: str | None = None
    measures: str | None = None
    risk: BreachRisk | None = None
    occurred_at: dt.datetime | None = None
    notified_authority_at: dt.datetime | None = None
    subjects_informed: bool | None = None


def parse_risk(value: str) -> BreachRisk:
    """The risk level named by ``value``; :class:`InvalidInput` for anything else."""
    try:
        return BreachRisk(value)
    except ValueError:
        allowed = ", ".join(r.value for r in BreachRisk)
        msg = f"unknown risk level {value!r}; use one of {allowed}"
        raise InvalidInput(msg) from None


def breach_reference(year: int, number: int) -> str:
    """The human reference of the ``number``-th breach opened in ``year``: ``BR-2026-001``."""
    return f"BR-{year:04d}-{number:03d}"


def notification_due_at(aware_at: dt.datetime) -> dt.datetime:
    """Exactly 72 real hours after awareness, in UTC (Art. 33(1))."""
    if aware_at.tzinfo is None:
        msg = "naive datetime; pass an aware UTC datetime"
        raise ValueError(msg)
    return aware_at.astimezone(dt.UTC) + NOTIFICATION_WINDOW


def is_notification_required(risk: BreachRisk) -> bool:
    """Art. 33(1): the authority is told unless the breach is unlikely to result in a risk."""
    return risk is not BreachRisk.UNLIKELY


def must_inform_subjects(risk: BreachRisk) -> bool:
    """Art. 34(1): the subjects are told when the breach is likely to result in a high risk."""
    return risk is BreachRisk.HIGH_RISK


def hours_left(breach: Breach, now: dt.datetime) -> float:
    """Hours until the notification deadline; negative once it has passed."""
    return (breach.notification_due_at - now).total_seconds() / 3600


def update(breach: Breach, changes: BreachChanges) -> Breach:
    """The breach with ``changes`` applied; notifying the authority marks it notified."""
    if breach.status is BreachStatus.CLOSED:
        msg = f"breach {breach.reference} is closed"
        raise ConflictError(msg)
    given = {name: value for name, value in vars(changes).items() if value is not None}
    changed = replace(breach, **given)
    if changed.notified_authority_at is not None:
        changed = replace(changed, status=BreachStatus.NOTIFIED)
    return changed


def close(breach: Breach, at: dt.datetime) -> Breach:
    """The breach closed at ``at``; one that had to be notified must have been (Art. 33)."""
    if breach.status is BreachStatus.CLOSED:
        msg = f"breach {breach.reference} is already closed"
        raise ConflictError(msg)
    if is_notification_required(breach.risk) and breach.notified_authority_at is None:
        msg = f"breach {breach.reference} must be notified to the authority before it is closed"
        raise ConflictError(msg)
    return replace(breach, status=BreachStatus.CLOSED, closed_at=at)


_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Personal data breach notification (Art. 33 GDPR)",
        "to": "To",
        "authority": "the supervisory authority",
        "controller": "Controller",
        "reference": "Our reference",
        "aware_at": "Became aware",
        "occurred_at": "Breach occurred",
        "unknown": "not yet known",
        "due": "Deadline to notify (72 hours)",
        "what": "What happened",
        "categories": "Categories of personal data concerned",
        "none": "none identified yet",
        "subjects": "Approximate number of data subjects concerned",
        "consequences": "Likely consequences",
        "measures": "Measures taken or proposed",
        "risk": "Assessed risk",
        "inform": "Data subjects informed (Art. 34)",
        "inform_required": "required: the risk is high",
        "inform_not_required": "not required: the risk is not high",
        "informed_yes": "yes",
        "informed_no": "not yet",
        "late": (
            "If this notification is made more than 72 hours after we became aware of the "
            "breach, the reasons for the delay are given here (Art. 33(1))."
        ),
    },
    "sv": {
        "title": "Anmälan av personuppgiftsincident (artikel 33 GDPR)",
        "to": "Till",
        "authority": "tillsynsmyndigheten",
        "controller": "Personuppgiftsansvarig",
        "reference": "Vår referens",
        "aware_at": "Kännedom om incidenten",
        "occurred_at": "Incidenten inträffade",
        "unknown": "ännu okänt",
        "due": "Sista tid för anmälan (72 timmar)",
        "what": "Vad som hänt",
        "categories": "Kategorier av personuppgifter som berörs",
        "none": "inga identifierade ännu",
        "subjects": "Ungefärligt antal registrerade som berörs",
        "consequences": "Sannolika konsekvenser",
        "measures": "Vidtagna eller föreslagna åtgärder",
        "risk": "Bedömd risk",
        "inform": "Registrerade informerade (artikel 34)",
        "inform_required": "krävs: risken är hög",
        "inform_not_required": "krävs inte: risken är inte hög",
        "informed_yes": "ja",
        "informed_no": "ännu inte",
        "late": (
            "Om anmälan görs senare än 72 timmar efter att vi fick kännedom om incidenten "
            "anges skälen till förseningen här (artikel 33.1)."
        ),
    },
}

_RISK_TEXT: dict[str, dict[BreachRisk, str]] = {
    "en": {
        BreachRisk.UNLIKELY: "unlikely to result in a risk",
        BreachRisk.RISK: "a risk to the rights and freedoms of people",
        BreachRisk.HIGH_RISK: "a high risk to the rights and freedoms of people",
    },
    "sv": {
        BreachRisk.UNLIKELY: "sannolikt ingen risk",
        BreachRisk.RISK: "en risk för fysiska personers rättigheter och friheter",
        BreachRisk.HIGH_RISK: "en hög risk för fysiska personers rättigheter och friheter",
    },
}

DRAFT_LANGUAGES = tuple(_TEMPLATES)


def draft_notification(breach: Breach, organisation: Organisation, language: str) -> str:
    """A plain-text draft of the notice to the supervisory authority, in ``sv`` or ``en``."""
    if language not in _TEMPLATES:
        msg = f"no breach notification template in {language!r}; use sv or en"
        raise UnknownLanguageError(msg)
    t = _TEMPLATES[language]
    authority = _authority_name(organisation, language) or t["authority"]
    controller = organisation.legal_name
    if organisation.org_number:
        controller += f" ({organisation.org_number})"
    inform = t["inform_required"] if must_inform_subjects(breach.risk) else t["inform_not_required"]
    informed = t["informed_yes"] if breach.subjects_informed else t["informed_no"]
    occurred = _moment(breach.occurred_at) if breach.occurred_at else t["unknown"]
    lines: Sequence[str] = (
        t["title"],
        "",
        f"{t['to']}: {authority}",
        f"{t['controller']}: {controller}",
        f"{t['reference']}: {breach.reference}",
        f"{t['aware_at']}: {_moment(breach.aware_at)}",
        f"{t['occurred_at']}: {occurred}",
        f"{t['due']}: {_moment(breach.notification_due_at)}",
        "",
        f"{t['what']}:",
        breach.description,
        "",
        f"{t['categories']}: {', '.join(breach.data_categories) or t['none']}",
        f"{t['subjects']}: {breach.approx_subjects}",
        "",
        f"{t['consequences']}:",
        breach.consequences,
        "",
        f"{t['measures']}:",
        breach.measures,
        "",
        f"{t['risk']}: {_RISK_TEXT[language][breach.risk]}",
        f"{t['inform']}: {inform}; {informed}",
        "",
        t["late"],
    )
    return "\n".join(lines) + "\n"


def _authority_name(organisation: Organisation, language: str) -> str | None:
    authority = organisation.supervisory_authority
    if authority is None:
        return None
    names = authority.name
    return names.get(language) or names.get(organisation.default_language) or None


def _moment(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
