"""Data subjects: the people skydd keeps data about, and how one is recognised again.

A subject is known by up to three identifiers (e-mail, phone, personnummer) and a
name, and may carry values of the register's data categories (an event guest's food
preferences, say). Requests, consent and retention all start by finding the subject
an identifier belongs to, so the rules of *which* subject that is live here:

- identifiers are compared in normalised form only (:mod:`skydd.domain.identifiers`);
- a new identifier joins the subject another identifier already found;
- identifiers pointing at two different subjects are a conflict, never merged silently
  (merging two people's data is a breach; a human decides).

Values are left out of every ``repr``: a subject in a traceback shows its id only.
The audit log names a subject by :attr:`Subject.pseudonym`, never by an identifier.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NewType

from skydd.domain.errors import ConflictError, InvalidInput
from skydd.domain.identifiers import Identifier, IdentifierKind

SubjectId = NewType("SubjectId", uuid.UUID)

NAME_CATEGORY = "user.name"
"""The data category a subject's name is encrypted under (fideslang's key)."""

IDENTIFIER_CATEGORIES: dict[IdentifierKind, str] = {
    IdentifierKind.EMAIL: "user.contact.email",
    IdentifierKind.PHONE: "user.contact.phone_number",
    IdentifierKind.PERSONNUMMER: "user.government_id.national_identification_number",
}
"""The data category each identifier kind is encrypted under (fideslang's keys).

Fixed rather than taken from a register: the key an identifier is encrypted under
must not change when an organisation renames its categories.
"""

MAX_NAME_LENGTH = 300
MAX_VALUE_LENGTH = 10_000


@dataclass(frozen=True)
class Subject:
    """One person, as skydd knows them; identifiers already normalised."""

    id: SubjectId
    created_at: dt.datetime
    updated_at: dt.datetime
    name: str | None = field(default=None, repr=False)
    email: Identifier | None = field(default=None, repr=False)
    phone: Identifier | None = field(default=None, repr=False)
    personnummer: Identifier | None = field(default=None, repr=False)

    @property
    def pseudonym(self) -> str:
        """How the audit log names this person: ``subject:<uuid>``."""
        return f"subject:{self.id}"

    @property
    def identifiers(self) -> tuple[Identifier, ...]:
        """The identifiers this subject has, in kind order."""
        return tuple(i for i in (self.email, self.phone, self.personnummer) if i is not None)

    def identifier(self, kind: IdentifierKind) -> Identifier | None:
        """This subject's identifier of ``kind``, if known."""
        return {
            IdentifierKind.EMAIL: self.email,
            IdentifierKind.PHONE: self.phone,
            IdentifierKind.PERSONNUMMER: self.personnummer,
        }[kind]


@dataclass(frozen=True)
class SubjectAttribute:
    """One value of one data category about a subject; ``sensitive`` picks its key family."""

    category: str
    value: str = field(repr=False)
    sensitive: bool
    recorded_at: dt.datetime


def new_subject(
    identifiers: Iterable[Identifier], *, name: str | None, now: dt.datetime
) -> Subject:
    """A new subject with ``identifiers``; at least one is needed to find them again."""
    by_kind = _by_kind(identifiers)
    if not by_kind:
        msg = "a subject needs an e-mail address, a phone number or a personnummer"
        raise InvalidInput(msg)
    return Subject(
        id=SubjectId(uuid.uuid4()),
        created_at=now,
        updated_at=now,
        name=checked_name(name),
        email=by_kind.get(IdentifierKind.EMAIL),
        phone=by_kind.get(IdentifierKind.PHONE),
        personnummer=by_kind.get(IdentifierKind.PERSONNUMMER),
    )


def merge_into(
    subject: Subject, identifiers: Iterable[Identifier], *, name: str | None, now: dt.datetime
) -> Subject:
    """``subject`` with new identifiers added and the name replaced when one is given.

    An identifier of a kind the subject already has with another value is a
    conflict: a person with two e-mail addresses is not modelled yet, and replacing
    the one on file would lose the way requests found them.
    """
    by_kind = _by_kind(identifiers)
    for kind, identifier in by_kind.items():
        known = subject.identifier(kind)
        if known is not None and known != identifier:
            msg = f"the subject already has another {kind.value}"
            raise ConflictError(msg)
    merged = replace(
        subject,
        name=checked_name(name) or subject.name,
        email=subject.email or by_kind.get(IdentifierKind.EMAIL),
        phone=subject.phone or by_kind.get(IdentifierKind.PHONE),
        personnummer=subject.personnummer or by_kind.get(IdentifierKind.PERSONNUMMER),
    )
    return subject if merged == subject else replace(merged, updated_at=now)


def single_match(matches: Iterable[Subject]) -> Subject | None:
    """The one subject several identifiers found, or ``None``; two subjects: a conflict."""
    found = {s.id: s for s in matches}
    if len(found) > 1:
        msg = "these identifiers belong to different subjects; resolve it by hand"
        raise ConflictError(msg)
    return next(iter(found.values()), None)


def checked_name(name: str | None) -> str | None:
    """A trimmed name, ``None`` for blank; refuses control characters and over-long text."""
    if name is None or not name.strip():
        return None
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in cleaned):
        msg = f"a name is at most {MAX_NAME_LENGTH} printable characters"
        raise InvalidInput(msg)
    return cleaned


def checked_value(value: str) -> str:
    """An attribute value: non-empty, bounded (it is encrypted and stored whole)."""
    if not value.strip() or len(value) > MAX_VALUE_LENGTH:
        msg = f"a value is 1-{MAX_VALUE_LENGTH} characters"
        raise InvalidInput(msg)
    return value


def _by_kind(identifiers: Iterable[Identifier]) -> dict[IdentifierKind, Identifier]:
    by_kind: dict[IdentifierKind, Identifier] = {}
    for identifier in identifiers:
        if by_kind.setdefault(identifier.kind, identifier) != identifier:
            msg = f"two different values given for {identifier.kind.value}"
            raise InvalidInput(msg)
    return by_kind
