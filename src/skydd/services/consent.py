"""Use cases of the consent ledger: record a change, read a person's consents, rebuild, verify.

Recording appends the event and updates the projection in one transaction, so the
state a check reads is never behind the ledger. A change that changes nothing (the
same form sent twice) appends nothing: the ledger holds what people decided, not how
often they clicked. Each event is handed back as a receipt: a JWS of the event's
claims, signed with the organisation's key. Ed25519 signatures are deterministic, so
the receipt of an event can be made again at any time and need not be stored.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from skydd.domain.access_vocabulary import Action, Actor
from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.consent import (
    ConsentChange,
    ConsentEvent,
    ConsentEventId,
    ConsentState,
    ConsentStatus,
    consent_purpose,
    fold,
    is_stale,
    new_event,
    project,
    state_lines,
    withdrawn_categories,
)
from skydd.domain.errors import ConflictError, InvalidInput, NotFoundError
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.ids import OrganisationId
from skydd.domain.register import Register
from skydd.domain.subjects import Subject
from skydd.services.access import allows, authorise
from skydd.services.audit import record
from skydd.services.consent_withdrawal import ErasureDue, erase_withdrawn
from skydd.services.ports import ReceiptSigner
from skydd.services.register import RoleCache, ServedRoles, current_register, served_roles
from skydd.services.subjects import (
    Who,
    audit_subject,
    parse_identifier,
    subject_for,
    subjects_named,
)
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Recorded:
    """What recording a change came to."""

    state: ConsentState
    event: ConsentEvent | None
    """The new ledger entry; ``None`` when the change changed nothing."""
    receipt: str
    """The signed receipt of the event that decided this state."""
    withdrawn: tuple[str, ...]
    """Categories no longer consented to: erasure of what only this consent allowed is due."""
    erasure: ErasureDue | None = None
    """What the withdrawal erased in skydd, and the erasure request the caller dispatches."""


def record_consent(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    identifiers: dict[IdentifierKind, str],
    change: ConsentChange,
    signer: ReceiptSigner,
    *,
    who: Who,
    erase: tuple[str, ...] | None = None,
) -> Recorded:
    """Record ``change`` for the person ``identifiers`` name (found or added by blind index).

    A change that withdraws categories erases what only that consent allowed, in the
    same transaction (``services/consent_withdrawal.py``): ``erase`` is the person's
    choice among them (``None``: all).
    """
    applied = _record_unsigned(
        uow, clock, organisation_key, identifiers, change, who=who, erase=erase
    )
    return applied.signed(signer)


def _record_unsigned(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    identifiers: dict[IdentifierKind, str],
    change: ConsentChange,
    *,
    who: Who,
    erase: tuple[str, ...] | None,
) -> Applied:
    wrong = _unrecordable(identifiers, change, erase)
    if wrong is not None:
        raise InvalidInput(wrong)
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        subject = subject_for(uow, clock, org_id, register, identifiers, who=who)
        applied = apply_change(
            uow,
            clock,
            (org_id, register, subject),
            change,
            policy_version=_policy_in_force(uow, org_id),
            erase=erase,
            who=who,
        )
        uow.commit()  # a subject found by a new identifier is recorded even if nothing else is
    return applied


def _unrecordable(
    identifiers: dict[IdentifierKind, str],
    change: ConsentChange,
    erase: tuple[str, ...] | None,
) -> str | None:
    """Why the change cannot be recorded as sent, before the register is read; else None."""
    if not identifiers:
        return "a consent names the person by e-mail, phone or personnummer"
    if erase is not None and change.status is ConsentStatus.GIVEN:
        return "erase names categories to erase on a withdrawal, not when consent is given"
    return None


@dataclass(frozen=True)
class ConsentWrite:
    """One change to record, as an edge received it: whose, what, by whom, through what."""

    identifiers: dict[IdentifierKind, str]
    change: ConsentChange
    actor: Actor
    route: str
    """The route's method and path template, for the audit event of a refusal."""
    origin: str
    erase: tuple[str, ...] | None = None


def record_consent_writes(
    uow: Callable[[], UnitOfWork],
    clock: Clock,
    organisation_key: str | None,
    cache: RoleCache,
    writes: Sequence[ConsentWrite],
) -> list[Applied | Exception]:
    """Record many people's changes in one transaction (``services/group_commit.py``).

    Each write is checked as a lone one is (purpose and categories, then whether its
    actor may), and applied as a lone one is, in order, so two writes for one person
    meet as they would one after the other. A write that fails a check is left to be
    done alone, where it is refused and, when refused access, audited as ever. Should
    anything fail while writing, the batch is rolled back and every write done alone:
    no write is lost or made twice. Each result is what the write came to, for its
    caller to sign (outside the batch, which holds the database's write lock), or its
    error.
    """
    try:
        applied = _applied_together(uow(), clock, organisation_key, cache, writes)
    except Exception:  # noqa: BLE001 - each write, done alone, meets its own error
        applied = [None] * len(writes)
    results: list[Applied | Exception] = []
    for write, done in zip(writes, applied, strict=True):
        if done is not None:
            results.append(done)
            continue
        try:
            results.append(record_alone(uow(), clock, organisation_key, cache, write))
        except Exception as exc:  # noqa: BLE001 - handed to the write's caller to raise
            results.append(exc)
    return results


def record_alone(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    cache: RoleCache,
    write: ConsentWrite,
) -> Applied:
    """Check, authorise (a refusal audited) and record one write in its own transaction."""
    categories = write.change.categories
    purpose = write.change.purpose
    with uow:
        check_consent_terms(uow, organisation_key, purpose, categories, cache=cache)
        authorise(
            uow,
            clock,
            cache,
            write.actor,
            Action.CONSENT,
            organisation=organisation_key,
            route=write.route,
            origin=write.origin,
            purpose=purpose,
            data_categories=categories,
        )
        return _record_unsigned(
            uow,
            clock,
            organisation_key,
            write.identifiers,
            write.change,
            who=Who(write.actor.id, write.origin),
            erase=write.erase,
        )


def _applied_together(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    cache: RoleCache,
    writes: Sequence[ConsentWrite],
) -> list[Applied | None]:
    with uow:
        served = served_roles(uow, cache, organisation_key)
        stored = uow.registers.get(served.version_id)  # the version just read, cached
        org_id, register = stored.organisation_id, stored.register
        policy_version = _policy_in_force(uow, org_id)
        applied: list[Applied | None] = []
        for write in writes:
            if not _acceptable(served, write):
                applied.append(None)
                continue
            who = Who(write.actor.id, write.origin)
            subject = subject_for(uow, clock, org_id, register, write.identifiers, who=who)
            applied.append(
                apply_change(
                    uow,
                    clock,
                    (org_id, register, subject),
                    write.change,
                    policy_version=policy_version,
                    erase=write.erase,
                    who=who,
                )
            )
        uow.commit()
    return applied


def _acceptable(served: ServedRoles, write: ConsentWrite) -> bool:
    """Whether the write passes every check of :func:`record_alone`, recording nothing."""
    change = write.change
    if _unrecordable(write.identifiers, change, write.erase) is not None:
        return False
    try:
        consent_purpose(served.register, change.purpose, change.categories)
    except InvalidInput:
        return False
    return allows(
        served,
        write.actor,
        Action.CONSENT,
        purpose=change.purpose,
        data_categories=change.categories,
    )


@dataclass(frozen=True)
class Applied:
    """A change applied inside a unit of work, before it is signed for the person."""

    state: ConsentState
    event: ConsentEvent | None
    """The new ledger entry; ``None`` when the change changed nothing."""
    deciding: ConsentEvent
    """The event that decided the state: the new one, or the one before an unchanged state."""
    withdrawn: tuple[str, ...]
    erasure: ErasureDue | None
    organisation: str
    """The organisation's key, which the receipt names."""

    def signed(self, signer: ReceiptSigner) -> Recorded:
        """What recording came to, with the receipt of the deciding event."""
        receipt = signer.sign(self.deciding.claims(self.organisation))
        return Recorded(self.state, self.event, receipt, self.withdrawn, self.erasure)


def apply_change(
    uow: UnitOfWork,
    clock: Clock,
    whose: tuple[OrganisationId, Register, Subject],
    change: ConsentChange,
    *,
    policy_version: int | None,
    erase: tuple[str, ...] | None,
    who: Who,
) -> Applied:
    """Inside ``uow``: append ``change`` for the subject and fold it into their state.

    A change that changes nothing (the same form sent twice) appends nothing. One that
    withdraws categories erases what only that consent allowed (ADR 0025). Every way
    a consent is recorded (forms, the API, links, the cookie banner) goes through here.
    """
    org_id, register, subject = whose
    event = new_event(register, subject.id, change, at=clock.now(), policy_version=policy_version)
    before = uow.consents.state(subject.id, event.purpose)
    after = fold(before, event)
    if before is not None and _same(before, after):
        deciding = uow.consents.event(before.last_record_id)
        if deciding is None:  # the projection names an event the ledger lacks
            msg = "the consent state is out of step with the ledger: run consent rebuild"
            raise ConflictError(msg)
        return Applied(before, None, deciding, (), None, register.organisation.key)
    uow.consents.append(org_id, event)
    uow.consents.save_state(org_id, after)
    withdrawn = withdrawn_categories(before, after)
    erasure = None
    if withdrawn:
        erasure = erase_withdrawn(
            uow, clock, org_id, register, subject, event, withdrawn, erase=erase, who=who
        )
    return Applied(after, event, event, withdrawn, erasure, register.organisation.key)


def consents_of(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    identifiers: dict[IdentifierKind, str],
    *,
    who: Who,
) -> list[ConsentState]:
    """The current consents of the person ``identifiers`` name; none for someone unknown.

    Reading them is a read of the person's data: audited, under their pseudonym.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        states = []
        for subject in subjects_named(uow, clock, org_id, register, identifiers):
            states += uow.consents.states_of(subject.id)
            audit_subject(
                uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, what="consent"
            )
        uow.commit()
    return states


def consent_check(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    identifiers: dict[IdentifierKind, str],
    purpose: str,
    *,
    who: Who,
) -> ConsentState | None:
    """The person's consent to ``purpose`` now; ``None`` when none, or nobody, is known.

    The answer does not tell a known person without consent from an unknown one. A
    person found is an audited read of their data.
    """
    if not identifiers:
        msg = "a check names the person by e-mail, phone or personnummer"
        raise InvalidInput(msg)
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        consent_purpose(register, purpose)
        found = subjects_named(uow, clock, org_id, register, identifiers)
        if len(found) != 1:  # none, or identifiers of two people: nothing to say yes to
            return None
        [subject] = found
        state = uow.consents.state(subject.id, purpose)
        audit_subject(
            uow, clock, who, AuditAction.PERSONAL_DATA_READ, subject, register, what="consent"
        )
        uow.commit()
    return state


def check_consent_terms(
    uow: UnitOfWork,
    organisation_key: str | None,
    purpose: str,
    categories: tuple[str, ...] = (),
    *,
    missing: bool = False,
    cache: RoleCache | None = None,
) -> None:
    """Refuse a purpose or category the register does not allow consent for.

    Asked before anyone is authorised for the purpose, so a wrong name is a wrong name
    (400, or 404 with ``missing`` for a read of it), not a refusal to someone allowed.
    With the role ``cache`` the register is the one cached for the newest version: one
    read of its id, outside any transaction (on SQLite a transaction takes the write
    lock, even for a read).
    """
    with uow:
        if cache is not None:
            register = served_roles(uow, cache, organisation_key).register
        else:
            register = current_register(uow, organisation_key).register
    try:
        consent_purpose(register, purpose, categories)
    except InvalidInput as exc:
        if missing:
            raise NotFoundError(exc.message) from None
        raise


MAX_BULK = 100_000
"""Identities one bulk check may name."""


@dataclass(frozen=True)
class BulkCheck:
    """A bulk check's answer, in the order asked; malformed identities are listed apart."""

    consented: list[bool]
    invalid: list[int]


def bulk_consent_check(
    uow: UnitOfWork,
    clock: Clock,
    organisation_key: str | None,
    purpose: str,
    identities: Sequence[dict[IdentifierKind, str]],
    *,
    who: Who,
) -> BulkCheck:
    """Whether each identity's person consents to ``purpose`` (a mailing tool's list).

    A malformed identity is answered "no" and listed in ``invalid``, so one bad row
    does not fail a list of a hundred thousand. One audit event records the check,
    with its size: the list is the caller's, and its answers are yes or no.
    """
    if len(identities) > MAX_BULK:
        msg = f"at most {MAX_BULK} identities in one check"
        raise InvalidInput(msg)
    with uow:
        stored = current_register(uow, organisation_key)
        org_id, register = stored.organisation_id, stored.register
        consent_purpose(register, purpose)
        parsed: list[Identifier] = []
        where: list[int] = []
        invalid: list[int] = []
        for n, identity in enumerate(identities):
            try:
                [(kind, raw)] = identity.items()
                parsed.append(parse_identifier(kind, raw, register, clock))
                where.append(n)
            except (InvalidInput, ValueError):
                invalid.append(n)
        found = uow.consents.consenting(org_id, purpose, parsed)
        answers = [False] * len(identities)
        for n, yes in zip(where, found, strict=True):
            answers[n] = yes
        record(
            uow,
            clock,
            actor=who.actor,
            action=AuditAction.PERSONAL_DATA_READ,
            target=f"consent:{purpose}",
            origin=who.origin,
            organisation=register.organisation.key,
            details={"what": "bulk-check", "identities": str(len(identities))},
        )
        uow.commit()
    return BulkCheck(answers, invalid)


def stale_consents(uow: UnitOfWork, organisation_key: str | None) -> list[ConsentState]:
    """Consents in force given to a purpose whose substance the register has changed since.

    They need renewing (P20): the person agreed to what the purpose was then.
    """
    with uow:
        stored = current_register(uow, organisation_key)
        states = uow.consents.all_states(stored.organisation_id)
    return sorted(
        (s for s in states if is_stale(s, stored.register)),
        key=lambda s: (s.purpose, s.since, str(s.subject_id)),
    )


@dataclass(frozen=True)
class Rebuild:
    """A rebuild of the projection: the state's digest before and after, and its size."""

    before: str
    after: str
    states: int

    @property
    def unchanged(self) -> bool:
        """True when the ledger folds to exactly the state that was stored."""
        return self.before == self.after


def rebuild_states(uow: UnitOfWork, organisation_key: str | None) -> Rebuild:
    """Fold the whole ledger again and replace the stored state with the result."""
    with uow:
        org_id = current_register(uow, organisation_key).organisation_id
        before = state_digest(uow.consents.all_states(org_id))
        states = project(uow.consents.events(org_id))
        uow.consents.replace_states(org_id, states.values())
        uow.commit()
    return Rebuild(before, state_digest(states.values()), len(states))


def state_digest(states: Iterable[ConsentState]) -> str:
    """SHA-256 of the state's canonical lines: equal states, equal digests."""
    lines = state_lines({(s.subject_id, s.purpose): s for s in states})
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def verify_receipt(
    uow: UnitOfWork, organisation_key: str | None, signer: ReceiptSigner, receipt: str
) -> dict[str, object]:
    """The claims of a genuine receipt that the ledger still holds as it says; else why not."""
    claims = signer.verify(receipt)
    with uow:
        stored = current_register(uow, organisation_key)
        event = uow.consents.event(_record_id(claims.get("record_id")))
        if event is None or event.claims(stored.register.organisation.key) != claims:
            msg = "the receipt is signed, but the ledger holds no such consent event"
            raise InvalidInput(msg)
    return claims


def _record_id(value: object) -> ConsentEventId:
    try:
        return ConsentEventId(uuid.UUID(str(value)))
    except ValueError:
        msg = "the receipt names no consent event"
        raise InvalidInput(msg) from None


def _policy_in_force(uow: UnitOfWork, org_id: OrganisationId) -> int | None:
    """The number of the newest published policy: what an event records as in force.

    Only the number is read: the newest policy itself comes with every rendition of
    it, which cost a consent write more than all of its own statements together.
    """
    numbers = uow.policies.numbers(org_id)
    return numbers[-1] if numbers else None


def _same(before: ConsentState, after: ConsentState) -> bool:
    fields = ("status", "categories", "policy_version", "notice_id", "terms")
    return all(getattr(before, f) == getattr(after, f) for f in fields)
