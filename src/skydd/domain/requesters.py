"""Who a request is from: the identifiers it names, a name, and what the person wrote.

One request may name several identifiers (an e-mail address and a phone number, say):
every system is searched by each. They are validated and normalised on intake like
any identifier (:mod:`skydd.domain.identifiers`), kept apart from the request's
lifecycle, and encrypted at rest. Nothing here is looked up on intake: whether the
person is known is not decided, let alone told, before the request is verified.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from skydd.domain.errors import InvalidInput
from skydd.domain.identifiers import Identifier, IdentifierKind
from skydd.domain.rectification import Correction
from skydd.domain.subjects import checked_name

MAX_DETAILS_LENGTH = 5000

IDENTITY_NAMES = {
    IdentifierKind.EMAIL: "email",
    IdentifierKind.PHONE: "phone_number",
    IdentifierKind.PERSONNUMMER: "personnummer",
}
"""The fideslang identity each kind of identifier is looked up as (Fides' own names)."""


@dataclass(frozen=True)
class Requester:
    """The person a request names; values are left out of every ``repr``."""

    identifiers: tuple[Identifier, ...] = field(repr=False)
    name: str | None = field(default=None, repr=False)
    details: str | None = field(default=None, repr=False)
    """What the person wrote, in their own words."""
    corrections: tuple[Correction, ...] = field(default=(), repr=False)
    """For rectification: the right value of each category the person names."""

    def identifier(self, kind: IdentifierKind) -> Identifier | None:
        """The identifier of ``kind`` the request names, if any."""
        return next((i for i in self.identifiers if i.kind is kind), None)

    @property
    def email(self) -> Identifier | None:
        """The e-mail address a verification code can be sent to, if given."""
        return self.identifier(IdentifierKind.EMAIL)

    @property
    def identities(self) -> dict[str, list[str]]:
        """The identifiers as connectors look them up, by fideslang identity name."""
        return {IDENTITY_NAMES[i.kind]: [i.value] for i in self.identifiers}


def new_requester(
    identifiers: Iterable[Identifier],
    *,
    name: str | None = None,
    details: str | None = None,
    corrections: tuple[Correction, ...] = (),
) -> Requester:
    """A requester with at least one identifier, at most one of each kind."""
    by_kind: dict[IdentifierKind, Identifier] = {}
    for identifier in identifiers:
        if by_kind.setdefault(identifier.kind, identifier) != identifier:
            msg = f"two different values given for {identifier.kind.value}"
            raise InvalidInput(msg)
    if not by_kind:
        msg = "a request needs an e-mail address, a phone number or a personnummer"
        raise InvalidInput(msg)
    ordered = tuple(by_kind[k] for k in IdentifierKind if k in by_kind)
    return Requester(
        ordered,
        name=checked_name(name),
        details=_checked_details(details),
        corrections=corrections,
    )


def _checked_details(details: str | None) -> str | None:
    if details is None or not details.strip():
        return None
    if len(details) > MAX_DETAILS_LENGTH:
        msg = f"details are at most {MAX_DETAILS_LENGTH} characters"
        raise InvalidInput(msg)
    return details.strip()
