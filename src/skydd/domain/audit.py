"""The audit log as a hash chain: what happened, and proof that nobody rewrote it (P12, P16).

Each event carries the hash of the one before it, so altering, deleting or inserting
an event breaks the chain at that point and :func:`verify_chain` names the first
broken link. A chain can still be rewritten wholesale from some event onwards by
whoever can write the table and recompute SHA-256; a published :class:`Anchor` (the
head hash at a moment) makes that detectable too, because the rewritten chain no
longer passes through the anchored hash.

Events hold ids, keys and codes, never personal data: the subject is a pseudonymous
id and ``details`` are short strings and integers chosen by the use case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event: a chain starts from a fixed, public value."""

DetailValue = str | int
"""A value in ``details``: plain text or a whole number, so canonical JSON is unambiguous."""


class AuditAction(StrEnum):
    """What happened; the value is stored and hashed, so a value never changes meaning."""

    REGISTER_LOADED = "register.loaded"
    REGISTER_READ = "register.read"
    POLICY_PUBLISHED = "policy.published"
    ROPA_EXPORTED = "ropa.exported"
    AUDIT_EXPORTED = "audit.exported"
    PERSONAL_DATA_READ = "personal_data.read"
    PERSONAL_DATA_CHANGED = "personal_data.changed"
    PERSONAL_DATA_EXPORTED = "personal_data.exported"
    PERSONAL_DATA_ERASED = "personal_data.erased"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGOUT = "logout"
    TOKEN_CREATED = "token.created"  # noqa: S105 - an action, not a secret
    TOKEN_USED = "token.used"  # noqa: S105 - an action, not a secret
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an action, not a secret
    USER_ADDED = "user.added"
    USER_CHANGED = "user.changed"
    USER_DISABLED = "user.disabled"
    ACCESS_DENIED = "access.denied"
    KEYS_ROTATED = "keys.rotated"
    BREACH_OPENED = "breach.opened"
    BREACH_UPDATED = "breach.updated"
    BREACH_CLOSED = "breach.closed"
    REQUEST_RECEIVED = "request.received"
    REQUEST_CODE_SENT = "request.code_sent"
    REQUEST_CODE_FAILED = "request.code_failed"
    REQUEST_VERIFIED = "request.verified"
    REQUEST_EXTENDED = "request.extended"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_STARTED = "request.started"
    REQUEST_COMPLETED = "request.completed"
    REQUEST_TASK_ASSIGNED = "request.task_assigned"
    REQUEST_TASK_DONE = "request.task_done"
    REQUEST_TASK_RETRIED = "request.task_retried"
    PROCESSING_LIMITED = "processing.limited"
    PROCESSING_LIMIT_LIFTED = "processing.limit_lifted"


@dataclass(frozen=True)
class AuditEntry:
    """What happened, before it is sealed into the chain with a sequence number and hashes.

    ``actor`` is an id such as ``cli:root`` or ``user:<uuid>`` (never an e-mail
    address); ``target`` says what was touched (``policy:3``); ``origin`` where the
    request came from (``cli`` or an IP address).
    """

    occurred_at: dt.datetime
    actor: str
    action: str
    target: str
    origin: str
    organisation: str | None = None
    subject: str | None = None
    purpose: str | None = None
    details: Mapping[str, DetailValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Refused here, not at verification: a naive time or a float detail would
        # make the canonical form depend on the machine that wrote it.
        if self.occurred_at.tzinfo is None:
            msg = "naive datetime; pass an aware UTC datetime"
            raise ValueError(msg)
        for key, value in self.details.items():
            if not isinstance(key, str) or isinstance(value, bool) or not _is_detail(value):
                msg = f"audit detail {key!r} must map a string to a string or an integer"
                raise TypeError(msg)


def _is_detail(value: object) -> bool:
    return isinstance(value, str | int)


@dataclass(frozen=True)
class AuditEvent:
    """One sealed event: its content, its place in the chain and the hashes that bind it."""

    sequence: int
    occurred_at: dt.datetime
    actor: str
    action: str
    target: str
    origin: str
    organisation: str | None
    subject: str | None
    purpose: str | None
    details: Mapping[str, DetailValue]
    prev_hash: str
    hash: str

    def fields(self) -> dict[str, object]:
        """The hashed content, as plain JSON values (everything but the two hashes)."""
        return {
            "sequence": self.sequence,
            "occurred_at": utc_timestamp(self.occurred_at),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "origin": self.origin,
            "organisation": self.organisation,
            "subject": self.subject,
            "purpose": self.purpose,
            "details": dict(self.details),
        }

    def record(self) -> dict[str, object]:
        """The event as exported: ``sha256(canonical_json(record minus "hash")) == hash``."""
        return {**self.fields(), "prev_hash": self.prev_hash, "hash": self.hash}


@dataclass(frozen=True)
class ChainHead:
    """The newest link of the chain; ``sequence`` 0 and :data:`GENESIS` when empty."""

    sequence: int
    hash: str


EMPTY_CHAIN = ChainHead(0, GENESIS)


@dataclass(frozen=True)
class UnreadableEvent:
    """A stored row that no longer decodes into an event, which is itself proof of tampering."""

    sequence: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at a moment, to publish or hand over with an export.

    ``at`` is when the head event occurred (None for an empty log).
    """

    sequence: int
    head_hash: str
    at: dt.datetime | None


@dataclass(frozen=True)
class ChainReport:
    """The verdict of :func:`verify_chain`.

    ``count`` and ``head_hash`` describe the intact prefix: every event when ``ok``,
    the events before ``first_broken_sequence`` otherwise.
    """

    ok: bool
    count: int
    head_hash: str
    first_broken_sequence: int | None = None
    reason: str | None = None


def utc_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds, e.g. ``2026-11-25T09:00:00.000000+00:00``.

    Always the same shape, so the same instant hashes the same on every machine.
    """
    if moment.tzinfo is None:
        msg = "naive datetime; pass an aware UTC datetime"
        raise ValueError(msg)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_json(value: Mapping[str, object]) -> str:
    """Sorted keys, no spaces, UTF-8 as is: one byte string per value, in any language."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    """SHA-256 hex of the canonical JSON of ``fields`` plus ``prev_hash``: the link."""
    payload = canonical_json({**fields, "prev_hash": prev_hash})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def seal(entry: AuditEntry, head: ChainHead) -> AuditEvent:
    """Make ``entry`` the event after ``head``: next sequence number, linked and hashed."""
    unsealed = AuditEvent(
        sequence=head.sequence + 1,
        occurred_at=entry.occurred_at.astimezone(dt.UTC),
        actor=entry.actor,
        action=str(entry.action),
        target=entry.target,
        origin=entry.origin,
        organisation=entry.organisation,
        subject=entry.subject,
        purpose=entry.purpose,
        details=dict(entry.details),
        prev_hash=head.hash,
        hash="",
    )
    return replace(unsealed, hash=event_hash(head.hash, unsealed.fields()))


def anchor_of(head: AuditEvent | None) -> Anchor:
    """The anchor to publish for the newest event (or for the empty log)."""
    if head is None:
        return Anchor(EMPTY_CHAIN.sequence, EMPTY_CHAIN.hash, None)
    return Anchor(head.sequence, head.hash, head.occurred_at)


def verify_chain(
    events: Iterable[AuditEvent | UnreadableEvent], anchor: Anchor | None = None
) -> ChainReport:
    """Recompute the chain in sequence order and name the first broken link.

    Checks, per event: the sequence continues without a gap, the event decodes,
    ``prev_hash`` is the previous event's hash (:data:`GENESIS` first) and ``hash``
    matches the content. An event altered in place fails at itself; a deleted one at
    its missing number; one re-hashed to hide an edit breaks the link of the next.
    With ``anchor``, the event at the anchor's sequence must still carry its hash,
    which catches a rewritten or truncated tail.
    """
    if anchor is not None and anchor.sequence == 0 and anchor.head_hash != GENESIS:
        return ChainReport(False, 0, GENESIS, 1, "an anchor at 0 must carry the genesis hash")
    head = EMPTY_CHAIN
    anchored: str | None = GENESIS if anchor is not None and anchor.sequence == 0 else None
    for event in events:
        problem = _link_problem(event, head)
        if problem is not None:
            return ChainReport(False, head.sequence, head.hash, head.sequence + 1, problem)
        assert isinstance(event, AuditEvent)  # noqa: S101 - unreadable events fail above
        if anchor is not None and event.sequence == anchor.sequence:
            anchored = event.hash
            if event.hash != anchor.head_hash:
                reason = "hash differs from the published anchor: the chain was rewritten"
                return ChainReport(False, head.sequence, head.hash, event.sequence, reason)
        head = ChainHead(event.sequence, event.hash)
    if anchor is not None and anchored is None:
        reason = f"the log ends before the anchored event {anchor.sequence}: events were removed"
        return ChainReport(False, head.sequence, head.hash, head.sequence + 1, reason)
    return ChainReport(True, head.sequence, head.hash)


def _link_problem(event: AuditEvent | UnreadableEvent, head: ChainHead) -> str | None:
    expected = head.sequence + 1
    if event.sequence != expected:
        if event.sequence > expected:
            return f"event {expected} is missing (the next stored event is {event.sequence})"
        return f"event {event.sequence} is out of order where {expected} was expected"
    if isinstance(event, UnreadableEvent):
        return event.reason
    if event.prev_hash != head.hash:
        before = f"event {head.sequence}" if head.sequence else "the genesis hash"
        return f"prev_hash does not match the hash of {before}"
    if event_hash(event.prev_hash, event.fields()) != event.hash:
        return "hash does not match the event's content: the event was altered"
    return None
