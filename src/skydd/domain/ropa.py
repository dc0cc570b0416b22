"""The record of processing activities of GDPR Art. 30(1), built from the register.

One record per processing activity, and an activity is a purpose: that is the
unit the law describes (purposes, categories, recipients, time limits) and the
unit the register is organised by. Every Art. 30(1) point is a column, and no
cell is ever empty: where the register holds nothing (no joint controller, no
transfer) the record says so in words, because a blank cell in front of the
authority reads as "forgot to check".

Cells are tuples of lines, so exports decide how lines are joined (a newline in
a spreadsheet cell, a list in JSON) without re-parsing text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from skydd.domain import ropa_vocabulary as words
from skydd.domain.errors import UnknownLanguageError
from skydd.domain.organisation import Organisation
from skydd.domain.processors import System, is_in_eea
from skydd.domain.purposes import Purpose
from skydd.domain.register import Register
from skydd.domain.retention import RetentionRule
from skydd.domain.schema import LocalizedText, text_in
from skydd.domain.taxonomy import DataCategory

ROPA_LANGUAGES = words.ROPA_LANGUAGES


class RopaColumn(NamedTuple):
    """One column of the record: its id, its Swedish and English label, its legal source."""

    id: str
    sv: str
    en: str
    article: str

    def label(self, language: str) -> str:
        """The column heading in ``language``."""
        return self.sv if language == "sv" else self.en

    @property
    def is_required(self) -> bool:
        """True for the points Art. 30(1) itself requires."""
        return self.article.startswith("Art. 30(1)")


ROPA_COLUMNS: tuple[RopaColumn, ...] = (
    RopaColumn("key", "Id", "Id", ""),
    RopaColumn("activity", "Behandling", "Processing activity", "Art. 30(1)(b)"),
    RopaColumn("controller", "Personuppgiftsansvarig", "Controller", "Art. 30(1)(a)"),
    RopaColumn(
        "controller_contact",
        "Kontaktuppgifter till den personuppgiftsansvarige",
        "Contact details of the controller",
        "Art. 30(1)(a)",
    ),
    RopaColumn(
        "joint_controllers",
        "Gemensamt personuppgiftsansvariga",
        "Joint controllers",
        "Art. 30(1)(a)",
    ),
    RopaColumn("representative", "Företrädare", "Representative", "Art. 30(1)(a)"),
    RopaColumn("dpo", "Dataskyddsombud", "Data protection officer", "Art. 30(1)(a)"),
    RopaColumn("purpose", "Ändamål", "Purposes of the processing", "Art. 30(1)(b)"),
    RopaColumn("legal_basis", "Rättslig grund", "Legal basis", "Art. 6(1)"),
    RopaColumn(
        "art9_condition",
        "Undantag för känsliga personuppgifter",
        "Condition for special categories",
        "Art. 9(2)",
    ),
    RopaColumn(
        "data_subjects",
        "Kategorier av registrerade",
        "Categories of data subjects",
        "Art. 30(1)(c)",
    ),
    RopaColumn(
        "data_categories",
        "Kategorier av personuppgifter",
        "Categories of personal data",
        "Art. 30(1)(c)",
    ),
    RopaColumn(
        "recipients", "Kategorier av mottagare", "Categories of recipients", "Art. 30(1)(d)"
    ),
    RopaColumn(
        "transfers",
        "Överföringar till tredjeland och skyddsåtgärder",
        "Transfers to third countries and safeguards",
        "Art. 30(1)(e)",
    ),
    RopaColumn("retention", "Tidsfrister för radering", "Time limits for erasure", "Art. 30(1)(f)"),
    RopaColumn(
        "security_measures",
        "Tekniska och organisatoriska säkerhetsåtgärder",
        "Technical and organisational security measures",
        "Art. 30(1)(g)",
    ),
    RopaColumn("sources", "Insamlingskanaler", "Sources and channels", "Art. 14(2)(f)"),
    RopaColumn("systems", "System", "Systems", ""),
)
"""Every column, in order; the one place column ids, labels and legal sources are defined."""

Cell = tuple[str, ...]
"""The lines of one cell; never empty."""


@dataclass(frozen=True)
class RopaRecord:
    """One processing activity of the Art. 30 record; one attribute per :data:`ROPA_COLUMNS` id."""

    key: Cell
    activity: Cell
    controller: Cell
    controller_contact: Cell
    joint_controllers: Cell
    representative: Cell
    dpo: Cell
    purpose: Cell
    legal_basis: Cell
    art9_condition: Cell
    data_subjects: Cell
    data_categories: Cell
    recipients: Cell
    transfers: Cell
    retention: Cell
    security_measures: Cell
    sources: Cell
    systems: Cell

    def cell(self, column_id: str) -> Cell:
        """The lines of the column ``column_id``."""
        value: Cell = getattr(self, column_id)
        return value


CONTROLLER_COLUMNS = (
    "controller",
    "controller_contact",
    "joint_controllers",
    "representative",
    "dpo",
    "security_measures",
)
"""Columns about the controller rather than the activity: the same in every record."""


def check_ropa_language(language: str) -> str:
    """Refuse a language the record has no labels in."""
    if language not in ROPA_LANGUAGES:
        msg = "the Art. 30 record has no such language; choose one of: sv, en"
        raise UnknownLanguageError(msg)
    return language


def default_ropa_language(register: Register) -> str:
    """The organisation's default language when the record speaks it, else English."""
    default = register.organisation.default_language
    return default if default in ROPA_LANGUAGES else "en"


def ropa_records(register: Register, language: str) -> list[RopaRecord]:
    """The Art. 30(1) record of ``register`` in ``language``: one record per purpose."""
    return [_Writer(register, check_ropa_language(language)).record(p) for p in register.purposes]


def ropa_controller(register: Register, language: str) -> list[tuple[RopaColumn, Cell]]:
    """The controller's part of the record (Art. 30(1)(a) and (g)), once, as ``(column, lines)``."""
    writer = _Writer(register, check_ropa_language(language))
    cells = {
        "controller": writer.controller,
        "controller_contact": writer.contacts,
        "joint_controllers": writer.joint_controllers(None),
        "representative": writer.representative,
        "dpo": writer.dpo,
        "security_measures": writer.measures,
    }
    return [
        (column, cells[column.id]) for column in ROPA_COLUMNS if column.id in CONTROLLER_COLUMNS
    ]


class _Writer:
    """Renders one register's record in one language."""

    def __init__(self, register: Register, language: str) -> None:
        self.reg = register
        self.lang = language
        org = register.organisation
        self.controller = _controller(org, language)
        self.contacts = self._contacts(org)
        self.dpo = self._dpo(org)
        self.measures = tuple(self.text(m) for m in org.security_measures) or self.word(
            words.NO_SECURITY_MEASURES
        )
        if org.representative is not None:
            rep = org.representative
            self.representative: Cell = (f"{rep.name}, {rep.email}",)
        else:
            self.representative = self.word(
                words.NO_REPRESENTATIVE_NEEDED
                if is_in_eea(org.country)
                else words.NO_REPRESENTATIVE
            )

    def text(self, text: LocalizedText) -> str:
        return text_in(text, self.lang, self.reg.organisation.default_language)

    def word(self, term: words.Term) -> Cell:
        return (words.say(term, self.lang),)

    def record(self, purpose: Purpose) -> RopaRecord:
        systems = self.reg.systems_for(purpose.key)
        return RopaRecord(
            key=(purpose.key,),
            activity=(self.text(purpose.name),),
            controller=self.controller,
            controller_contact=self.contacts,
            joint_controllers=self.joint_controllers(purpose),
            representative=self.representative,
            dpo=self.dpo,
            purpose=(self.text(purpose.description),),
            legal_basis=self._bases(purpose),
            art9_condition=self._art9(purpose),
            data_subjects=self._subjects(purpose),
            data_categories=self._categories(purpose),
            recipients=self._recipients(purpose, systems),
            transfers=self._transfers(systems),
            retention=self._retention(purpose),
            security_measures=self.measures,
            sources=self._sources(purpose),
            systems=tuple(s.name for s in systems) or self.word(words.NONE),
        )

    def joint_controllers(self, purpose: Purpose | None) -> Cell:
        """Joint controllers of ``purpose`` (Art. 26), or of any purpose when None."""
        joint = [
            j
            for j in self.reg.organisation.joint_controllers
            if purpose is None or purpose.key in j.purposes
        ]
        return tuple(f"{j.name}, {j.email}" for j in joint) or self.word(words.NO_JOINT_CONTROLLERS)

    def _contacts(self, org: Organisation) -> Cell:
        lines = [_contact_line(c.email, c.phone) for c in org.contact_points]
        if org.website:
            lines.append(org.website)
        return tuple(lines) or self.word(words.NOT_STATED)

    def _dpo(self, org: Organisation) -> Cell:
        if org.dpo is None:
            return self.word(words.NO_DPO)
        contact = org.dpo_contact()
        if contact is None:
            return (org.dpo.name,)
        return (f"{org.dpo.name}, {_contact_line(contact.email, contact.phone)}",)

    def _bases(self, purpose: Purpose) -> Cell:
        lines = []
        for claim in purpose.legal_bases:
            line = f"{claim.basis.article} {words.say(words.LEGAL_BASES[claim.basis], self.lang)}"
            if claim.applies_to:
                line += f": {self.text(claim.applies_to)}"
            if claim.law:
                line += f" ({claim.law})"
            if claim.balancing_test:
                line += f" ({words.say(words.BALANCING_TEST, self.lang)}: {claim.balancing_test})"
            lines.append(line)
        return tuple(lines) or self.word(words.MISSING)

    def _art9(self, purpose: Purpose) -> Cell:
        if purpose.art9_condition is not None:
            condition = purpose.art9_condition
            return (
                f"{condition.article} {words.say(words.ART9_CONDITIONS[condition], self.lang)}",
            )
        special = [c for c in self._purpose_categories(purpose) if c.needs_art9_condition]
        return self.word(words.MISSING if special else words.NOT_APPLICABLE)

    def _subjects(self, purpose: Purpose) -> Cell:
        lines = []
        for key in purpose.data_subjects:
            subject = self.reg.data_subject(key)
            lines.append(self.text(subject.name) if subject else key)
        return tuple(lines) or self.word(words.NOT_STATED)

    def _purpose_categories(self, purpose: Purpose) -> list[DataCategory]:
        found = (self.reg.data_category(key) for key in purpose.data_categories)
        return [c for c in found if c is not None]

    def _categories(self, purpose: Purpose) -> Cell:
        lines = []
        for category in self._purpose_categories(purpose):
            line = self.text(category.name)
            if category.art9 is not None:
                flag = category.art9
                revealed = ", ".join(
                    words.say(words.SPECIAL_CATEGORIES[s], self.lang) for s in flag.reveals
                )
                exposure = words.say(words.ART9_EXPOSURES[flag.exposure], self.lang)
                line += f" [{words.say(words.ART9, self.lang)}: {exposure}: {revealed}]"
            lines.append(line)
        return tuple(lines) or self.word(words.NOT_STATED)

    def _recipients(self, purpose: Purpose, systems: list[System]) -> Cell:
        lines = []
        for system in systems:
            if not system.is_processor:
                continue
            line = f"{system.name} – {words.say(words.PROCESSOR, self.lang)}"
            if system.vendor is not None:
                line += f" ({system.vendor.legal_name}, {system.vendor.country})"
            lines.append(line)
        for recipient in self.reg.recipients:
            if purpose.key in recipient.purposes:
                kind = words.say(words.RECIPIENT_KINDS[recipient.kind], self.lang)
                lines.append(f"{self.text(recipient.name)} – {kind}")
        return tuple(lines) or self.word(words.NONE)

    def _transfers(self, systems: list[System]) -> Cell:
        lines = [line for system in systems for line in self._system_transfers(system)]
        return tuple(lines) or self.word(words.NO_TRANSFERS)

    def _system_transfers(self, system: System) -> Iterator[str]:
        for country in system.third_countries():
            listed = [t for t in system.transfers if t.country == country]
            if not listed:
                where = words.say(words.HOSTED_IN, self.lang)
                missing = words.say(words.NO_SAFEGUARD_REGISTERED, self.lang)
                yield f"{system.name}: {country} ({where}) – {missing}"
            for transfer in listed:
                safeguards = ", ".join(
                    words.say(words.SAFEGUARDS[s], self.lang) for s in transfer.safeguards
                )
                line = f"{system.name}: {country} – {safeguards}"
                yield f"{line} ({transfer.reference})" if transfer.reference else line

    def _retention(self, purpose: Purpose) -> Cell:
        rules = [r for r in self.reg.retention if r.purpose == purpose.key]
        lines = [self._rule(rule) for rule in rules]
        covered = {key for rule in rules for key in rule.data_categories}
        uncovered = [c for c in self._purpose_categories(purpose) if c.key not in covered]
        if uncovered:
            names = ", ".join(self.text(c.name) for c in uncovered)
            lines.append(f"{names}: {words.say(words.NO_RETENTION_RULE, self.lang)}")
        return tuple(lines) or self.word(words.NOT_STATED)

    def _rule(self, rule: RetentionRule) -> str:
        names = []
        for key in rule.data_categories:
            category = self.reg.data_category(key)
            names.append(self.text(category.name) if category else key)
        period = (
            words.say_period(rule.period, self.lang)
            if rule.period is not None
            else words.say(words.PERIOD_NOT_SET, self.lang)
        )
        trigger = words.say(
            words.TRIGGERS[rule.trigger] if rule.trigger else words.TRIGGER_NOT_SET, self.lang
        )
        action = words.say(words.ACTIONS[rule.action], self.lang)
        line = (
            f"{', '.join(names)}: {period} {trigger}, {words.say(words.THEN, self.lang)} {action}"
        )
        if rule.statutory_hold is not None:
            line += f"; {words.say(words.HOLDS[rule.statutory_hold], self.lang)}"
        return line

    def _sources(self, purpose: Purpose) -> Cell:
        channels = [words.say(words.CHANNELS[c], self.lang) for c in purpose.channels]
        return (", ".join(channels),) if channels else self.word(words.NOT_STATED)


def _controller(org: Organisation, language: str) -> Cell:
    number = (
        f" ({words.say(words.ORG_NUMBER, language)} {org.org_number})" if org.org_number else ""
    )
    address = org.address
    return (
        f"{org.legal_name}{number}",
        f"{address.street}, {address.postal_code} {address.city}, {address.country}",
    )


def _contact_line(email: str, phone: str | None) -> str:
    return f"{email}, {phone}" if phone else email
