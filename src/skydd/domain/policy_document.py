"""The published policy as a structure: what it states, section by section (P1–P20).

A :class:`PolicyDocument` is what the policy of one register says in one language,
already decided: the organisation's own texts picked in that language, fixed terms
as English msgids from :mod:`skydd.domain.policy_terms`, translated where they are
rendered. :func:`skydd.domain.policy_assembly.build_policy_document` fills it from
a register; the renderer (``skydd.documents``) decides only *how* it looks. The
shape lives apart from its assembly so the renderer depends on the shape alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from skydd.domain.organisation import MonthDay
from skydd.domain.policy_terms import N_, Cited
from skydd.domain.spans import Span

SECTIONS: tuple[tuple[str, str], ...] = (
    ("controller", N_("Controller")),
    ("dpo", N_("Data protection officer")),
    ("purposes", N_("How we process personal data")),
    ("categories", N_("Categories of personal data")),
    ("cookies", N_("Cookies and pixel tags")),
    ("retention", N_("How long we keep the data")),
    ("recipients", N_("Who can see the data")),
    ("transfers", N_("Transfers outside the EU/EEA")),
    ("security", N_("Protection of personal data")),
    ("rights", N_("Your rights")),
    ("complaint", N_("Right to lodge a complaint")),
    ("contact", N_("Questions and comments")),
    ("changes", N_("Changes to this policy")),
)
"""Every section in order: its anchor (the same in every language) and its heading msgid."""


@dataclass(frozen=True)
class Section:
    """A top-level section: ``anchor`` for deep links, ``heading`` a msgid."""

    anchor: str
    heading: str


@dataclass(frozen=True)
class Contact:
    """A contact point as the policy shows it; ``roles`` are msgids."""

    email: str
    phone: str | None
    description: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Controller:
    """Who the controller is and how to reach it (P1, Art. 13(1)(a))."""

    name: str
    legal_name: str
    org_number: str | None
    street: str
    postal_code: str
    city: str
    country: str
    website: str | None
    email: str | None


@dataclass(frozen=True)
class Dpo:
    """The data protection officer and how to reach them (P2, Art. 13(1)(b))."""

    name: str
    mandate: str
    contact: Contact | None


@dataclass(frozen=True)
class BasisLine:
    """One legal basis of a purpose and what it covers (for legitimate interests: which)."""

    term: Cited
    legitimate_interests: bool
    applies_to: str
    law: str | None
    balancing_test: bool


@dataclass(frozen=True)
class SourceLine:
    """A source of a purpose's data other than the person, and whether it is public."""

    description: str
    publicly_accessible: bool


@dataclass(frozen=True)
class PurposeEntry:
    """A purpose with its bases, people, data, channels and ways out (P3–P7)."""

    anchor: str
    name: str
    description: tuple[str, ...]
    bases: tuple[BasisLine, ...]
    subjects: tuple[str, ...]
    categories: tuple[str, ...]
    channels: tuple[str, ...]
    withdrawal_channels: tuple[str, ...]
    sources: tuple[SourceLine, ...]
    """Where the data comes from besides the person; empty: only from them."""
    art9: Cited | None
    on_consent: bool
    direct_marketing: bool
    requirement: str
    automated_decisions: bool
    processors: tuple[str, ...]


@dataclass(frozen=True)
class CategoryEntry:
    """A data category; ``exposure`` is a msgid when it is or may reveal Art. 9 data (P8)."""

    name: str
    description: str
    exposure: str | None
    reveals: tuple[str, ...]
    conditions: tuple[Cited, ...]
    bookkeeping_record: bool


@dataclass(frozen=True)
class TrackerRow:
    """A cookie or pixel tag; ``lifetime`` None means ``lifetime_text`` is shown as written."""

    name: str
    kind: str
    provider: str
    category: str
    purpose: str
    session: bool
    lifetime: Span | None
    lifetime_text: str
    consent_required: bool


@dataclass(frozen=True)
class RetentionRow:
    """How long a purpose keeps some categories; ``kept`` is a msgid taking ``%(period)s``."""

    purpose: str
    categories: tuple[str, ...]
    kept: str
    period: Span
    action: str
    ground: str


@dataclass(frozen=True)
class BookkeepingHold:
    """The Bookkeeping Act statement: which data it holds, and when the fiscal year ends."""

    categories: tuple[str, ...]
    fiscal_year_end: MonthDay


@dataclass(frozen=True)
class Transfer:
    """Data leaving the EU/EEA: through which system, to where, on which safeguards (P14)."""

    system: str
    country: str
    safeguards: tuple[Cited, ...]
    reference: str | None


@dataclass(frozen=True)
class ProcessorRow:
    """A processor in the processor table (P13, P15)."""

    name: str
    entity: str | None
    description: str
    services: tuple[str, ...]
    purposes: tuple[str, ...]
    stored_in: str
    transfers: tuple[Transfer, ...]


@dataclass(frozen=True)
class RecipientRow:
    """A recipient that is not a processor (Art. 13(1)(e)); ``kind`` is a msgid."""

    name: str
    kind: str
    purposes: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Authority:
    """The supervisory authority people may complain to (Art. 13(2)(d))."""

    name: str
    website: str


@dataclass(frozen=True)
class PolicyDocument:
    """Everything the published policy of one register states, in one language."""

    language: str
    title: str | None
    updated_on: str | None
    organisation_name: str
    sections: tuple[Section, ...]
    prose: dict[str, tuple[str, ...]]
    controller: Controller
    dpo: Dpo | None
    intake: Contact | None
    contacts: tuple[Contact, ...]
    purposes: tuple[PurposeEntry, ...]
    subjects: tuple[str, ...]
    categories: tuple[CategoryEntry, ...]
    trackers: tuple[TrackerRow, ...]
    retention: tuple[RetentionRow, ...]
    bookkeeping: BookkeepingHold | None
    any_consent: bool
    processors: tuple[ProcessorRow, ...]
    services: tuple[str, ...]
    agreements_with_all: bool
    recipients: tuple[RecipientRow, ...]
    transfers: tuple[Transfer, ...]
    security_measures: tuple[str, ...]
    automated_purposes: tuple[str, ...]
    authority: Authority | None

    def paragraphs(self, fragment: str) -> tuple[str, ...]:
        """The organisation's own paragraphs for ``fragment`` (``intro``, ``rights`` …)."""
        return self.prose.get(fragment, ())
