"""What the answer to an access or portability request tells the person (Art. 15, Art. 20).

Art. 15(1) and (2) list what a person asking for access is told besides the copy of
the data: the purposes, the categories, the recipients and the safeguards of transfers
outside the EU/EEA, the retention period or its criteria, the rights to rectification,
erasure, restriction and objection, the right to complain to the supervisory authority,
the source where the data was not collected from the person, and automated decisions.

All of it is in the register, and the published policy already states it:
:func:`build_access_report` takes the policy document of the register in the person's
language, so the answer uses the same words as the policy, and sorts each part into
what concerns the data found (``found``) and the rest of the register (``other``).
The report shows the first prominently and still lists the second: the general
information is always present, and the person sees what touches them first.

What "concerns the data found" means, from the register alone: the categories of the
fields that hold a value; the purposes of the systems the data was found in that use
one of those categories; the processors that hold a found category for such a purpose
(and the found systems themselves); the other recipients of a found category for such
a purpose; the retention rules of such a purpose that cover a found category.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from skydd.domain import policy_terms as terms
from skydd.domain.access_answer import AnsweredRequest, FoundSystem, Row, categories_found
from skydd.domain.policy_assembly import build_policy_document, names_of, retention_row
from skydd.domain.policy_document import (
    Authority,
    CategoryEntry,
    Contact,
    Controller,
    Dpo,
    ProcessorRow,
    PurposeEntry,
    RecipientRow,
    RetentionRow,
    Transfer,
)
from skydd.domain.portability import PortableSelection
from skydd.domain.register import Register
from skydd.domain.schema import LocalizedText, text_in

T = TypeVar("T")


@dataclass(frozen=True)
class Split(Generic[T]):
    """Entries of one part of the register: those concerning the data found, then the rest."""

    found: tuple[T, ...]
    other: tuple[T, ...]


def _split(items: Sequence[T], marks: Sequence[bool]) -> Split[T]:
    pairs = list(zip(items, marks, strict=True))
    return Split(tuple(i for i, m in pairs if m), tuple(i for i, m in pairs if not m))


@dataclass(frozen=True)
class DataTable:
    """One collection as the report shows it: the system's name, the columns, the rows."""

    system: str
    collection: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class AccessReport:
    """Everything the report of one answer states, in one language."""

    language: str
    request: AnsweredRequest
    organisation_name: str
    controller: Controller
    dpo: Dpo | None
    intake: Contact | None
    authority: Authority | None
    any_consent: bool
    automated_purposes: tuple[str, ...]
    purposes: Split[PurposeEntry]
    categories: Split[CategoryEntry]
    processors: Split[ProcessorRow]
    recipients: Split[RecipientRow]
    retention: Split[RetentionRow]
    transfers: tuple[Transfer, ...]
    """Transfers outside the EU/EEA of the systems that hold or receive the data found."""
    tables: tuple[DataTable, ...]
    portable: tuple[str, ...]
    """Portability: the names of the categories handed over."""
    left_out: tuple[str, ...]
    """Portability: the names of categories found but not handed over."""

    def by_system(self) -> list[tuple[str, tuple[DataTable, ...]]]:
        """The tables grouped under their system's name, in order."""
        groups: dict[str, list[DataTable]] = {}
        for table in self.tables:
            groups.setdefault(table.system, []).append(table)
        return [(name, tuple(tables)) for name, tables in groups.items()]


@dataclass(frozen=True)
class _Found:
    systems: frozenset[str]
    categories: frozenset[str]
    purposes: frozenset[str]


def build_access_report(
    register: Register,
    language: str,
    request: AnsweredRequest,
    systems: Sequence[FoundSystem],
    selection: PortableSelection | None = None,
) -> AccessReport:
    """What the report answering ``request`` says in ``language`` (one the register publishes).

    ``systems`` is everything found; ``selection`` its portable part, for portability.
    """
    doc = build_policy_document(register, language)
    found = _found(register, systems)
    receiving = {
        s.key
        for s in register.processors()
        if s.key in found.systems or _receives(found, s.purposes, s.data_categories)
    }
    holders = {s.name for s in register.systems if s.key in found.systems | receiving}

    def pick(text: LocalizedText) -> str:
        return " ".join(text_in(text, language, register.organisation.default_language).split())

    def names(keys: frozenset[str]) -> tuple[str, ...]:
        return tuple(pick(c.name) for c in register.data_categories if c.key in keys)

    shown = selection.systems if selection is not None else systems
    return AccessReport(
        language=language,
        request=request,
        organisation_name=doc.organisation_name,
        controller=doc.controller,
        dpo=doc.dpo,
        intake=doc.intake,
        authority=doc.authority,
        any_consent=doc.any_consent,
        automated_purposes=doc.automated_purposes,
        purposes=_split(doc.purposes, [p.key in found.purposes for p in register.purposes]),
        categories=_split(
            doc.categories, [c.key in found.categories for c in register.data_categories]
        ),
        processors=_split(doc.processors, [s.key in receiving for s in register.processors()]),
        recipients=_split(
            doc.recipients,
            [_receives(found, r.purposes, r.data_categories) for r in register.recipients],
        ),
        retention=_retention(register, found, pick),
        transfers=tuple(t for t in doc.transfers if t.system in holders),
        tables=data_tables(register, shown),
        portable=names(selection.included) if selection else (),
        left_out=names(selection.left_out) if selection else (),
    )


def _found(register: Register, systems: Sequence[FoundSystem]) -> _Found:
    categories: set[str] = set()
    purposes: set[str] = set()
    for system in systems:
        keys = categories_found(register, system)
        known = register.system(system.key)
        categories |= keys
        purposes |= {
            p.key
            for p in register.purposes
            if (known is None or p.key in known.purposes) and keys.intersection(p.data_categories)
        }
    with_rows = {s.key for s in systems if any(c.rows for c in s.collections)}
    return _Found(frozenset(with_rows), frozenset(categories), frozenset(purposes))


def _receives(found: _Found, purposes: list[str], categories: list[str]) -> bool:
    """True for a holder that gets a found category for a purpose concerning the person."""
    return bool(found.purposes.intersection(purposes) and found.categories.intersection(categories))


def _retention(
    register: Register, found: _Found, pick: Callable[[LocalizedText], str]
) -> Split[RetentionRow]:
    """One row per rule, and one per purpose × category no rule covers (kept undecided)."""
    rows: list[RetentionRow] = []
    marks: list[bool] = []
    for purpose in register.purposes:
        concerned = purpose.key in found.purposes
        rules = [r for r in register.retention if r.purpose == purpose.key]
        for rule in rules:
            rows.append(retention_row(register, rule, pick(purpose.name), pick))
            marks.append(concerned and bool(found.categories.intersection(rule.data_categories)))
        covered = {key for rule in rules for key in rule.data_categories}
        uncovered = [k for k in purpose.data_categories if k not in covered]
        if uncovered:
            names = names_of(register, uncovered, pick)
            rows.append(RetentionRow(pick(purpose.name), names, terms.KEPT_UNDECIDED, (), "", ""))
            marks.append(concerned and bool(found.categories.intersection(uncovered)))
    return _split(rows, marks)


def data_tables(register: Register, systems: Sequence[FoundSystem]) -> tuple[DataTable, ...]:
    """Each collection found as the report shows it, under its system's name in the register."""
    tables = []
    for system in systems:
        known = register.system(system.key)
        name = known.name if known else system.key
        tables += [DataTable(name, c.name, c.columns, c.rows) for c in system.collections]
    return tuple(tables)
