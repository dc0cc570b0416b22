"""Importing consents collected elsewhere (another tool's list): the ledger decides, not the list.

An imported row records consent given (``CollectionMethod.IMPORT``) only for a person
the ledger knows nothing about for the purpose. Anyone whose last word on it was
"withdrawn" or "refused", or who objected to direct marketing or restricted processing
(ADR 0020), is skipped as suppressed: an old list cannot bring back someone who left.
Anyone already consenting is left as they are, so an import cannot widen a consent a
person narrowed. Rows are recorded one by one through
:func:`~skydd.services.consent.record_consent`; a bad row is counted by its line
number, never by what it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus, consent_purpose
from skydd.domain.errors import InvalidInput
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.purposes import Purpose
from skydd.domain.subjects import checked_name, single_match
from skydd.services.audit import record
from skydd.services.consent import record_consent
from skydd.services.newsletter import is_objected
from skydd.services.ports import ReceiptSigner, StoredRegister
from skydd.services.register import current_register
from skydd.services.subjects import Who, parse_identifier, subject_for
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ImportRow:
    """One row of an import file: the person's e-mail, optionally their name and language."""

    line: int
    email: str = field(repr=False)
    name: str | None = field(default=None, repr=False)
    language: str = ""


class Outcome(StrEnum):
    """What became of one row."""

    IMPORTED = "imported"
    ALREADY = "already"
    SUPPRESSED = "suppressed"
    INVALID = "invalid"


@dataclass
class ImportReport:
    """Counts per outcome, and the line numbers of invalid rows."""

    imported: int = 0
    already: int = 0
    suppressed: int = 0
    invalid: list[int] = field(default_factory=list)

    def count(self, row: ImportRow, outcome: Outcome) -> None:
        """Count ``row`` under ``outcome``."""
        if outcome is Outcome.INVALID:
            self.invalid.append(row.line)
        elif outcome is Outcome.IMPORTED:
            self.imported += 1
        elif outcome is Outcome.ALREADY:
            self.already += 1
        else:
            self.suppressed += 1


@dataclass(frozen=True)
class ImportSource:
    """Where the list came from, and the notice its people were shown when they consented."""

    source: str
    notice_id: str = ""


def import_consents(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    purpose_key: str,
    rows: Iterable[ImportRow],
    receipts: ReceiptSigner,
    origin: ImportSource,
    *,
    who: Who,
    progress: Callable[[Outcome], None] | None = None,
) -> ImportReport:
    """Record consent to ``purpose_key`` for each new person of ``rows``; skip the rest.

    The purpose is checked before any row is read. One audit event records the counts;
    each person added is audited as any new subject is.
    """
    stored = current_register(uow, organisation_key)
    purpose = consent_purpose(stored.register, purpose_key)
    report = ImportReport()
    for row in rows:
        outcome = _import_row(uow, clock, organisation_key, purpose, row, receipts, origin, who)
        report.count(row, outcome)
        if progress is not None:
            progress(outcome)
    with uow:
        record(
            uow,
            clock,
            actor=who.actor,
            action=AuditAction.PERSONAL_DATA_CHANGED,
            target=f"consent:{purpose.key}",
            origin=who.origin,
            organisation=stored.register.organisation.key,
            details={
                "what": "import",
                "imported": report.imported,
                "already": report.already,
                "suppressed": report.suppressed,
                "invalid": len(report.invalid),
            },
        )
        uow.commit()
    return report


def _import_row(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    purpose: Purpose,
    row: ImportRow,
    receipts: ReceiptSigner,
    origin: ImportSource,
    who: Who,
) -> Outcome:
    """One row in one transaction: the ledger is read and written together."""
    with uow:
        stored = current_register(uow, organisation_key)
        try:
            email = parse_identifier(IdentifierKind.EMAIL, row.email, stored.register, clock)
            name = checked_name(row.name)
            language = _language(stored, row.language)
        except InvalidInput:
            return Outcome.INVALID
        org_id = stored.organisation_id
        if is_objected(uow, org_id, purpose, [email]):
            return Outcome.SUPPRESSED
        found = single_match(uow.subjects.find(org_id, email))
        state = uow.consents.state(found.id, purpose.key) if found is not None else None
        if state is not None:
            given = state.status is ConsentStatus.GIVEN
            return Outcome.ALREADY if given else Outcome.SUPPRESSED
        identifiers = {IdentifierKind.EMAIL: email.value}
        if found is None:
            subject_for(uow, clock, org_id, stored.register, identifiers, name=name, who=who)
        change = ConsentChange(
            purpose=purpose.key,
            status=ConsentStatus.GIVEN,
            method=CollectionMethod.IMPORT,
            notice_id=origin.notice_id,
            language=language,
            source=origin.source,
        )
        record_consent(uow, clock, organisation_key, identifiers, change, receipts, who=who)
    return Outcome.IMPORTED


def _language(stored: StoredRegister, language: str) -> str:
    """The row's language if the organisation publishes in it; empty: the default."""
    cleaned = language.strip().lower()
    if cleaned and cleaned not in stored.register.organisation.languages:
        msg = "a language the organisation does not publish in"
        raise InvalidInput(msg)
    return cleaned
