"""Need-to-know: who may do what with which personal data (P12).

One function, :func:`decide`, answers every access question. The API, the web
pages, the CLI and the jobs all ask it, so "who can see CVs?" has one answer.
It denies by default: only a role's grant can allow, and nothing takes an
allowance away except the request itself being invalid or out of scope.

The vocabulary (docs/decisions/0009-need-to-know.md):

- A **personal-data action** is a bare word: ``read``, ``write``, ``erase``,
  ``export``, ``consent``. It is always asked about one purpose, some of that
  purpose's data categories and, when the record says whose it is, one data
  subject category. A role allows it through its :class:`Grant` s.
- An **organisation-wide action** is ``noun.verb`` (``register.read``,
  ``audit.read`` …). It names no purpose. A role allows it through its
  ``permissions``.
- A **sensitive** category (Art. 9, or flagged ``sensitive``) passes only
  through a grant that says ``include_sensitive``.
- A **token** can do only what both its roles and its scopes allow.

The words live in :mod:`skydd.domain.access_vocabulary`, the roles (built-in and
the organisation's own) in :mod:`skydd.domain.roles`; this module only decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from skydd.domain.access_vocabulary import SCOPE_ACTIONS, Action, Actor, ActorKind
from skydd.domain.errors import AccessDenied
from skydd.domain.purposes import Purpose
from skydd.domain.roles import Grant, Role

if TYPE_CHECKING:
    from skydd.domain.register import Register


@dataclass(frozen=True, kw_only=True)
class AccessRequest:
    """One question to :func:`decide`; ``data_subject`` is the record's subject category."""

    action: Action
    organisation: str
    purpose: str | None = None
    data_categories: tuple[str, ...] = ()
    data_subject: str | None = None


class Reason(StrEnum):
    """Why :func:`decide` said what it said; codes go into the audit log as they are."""

    GRANTED = "granted"
    OTHER_ORGANISATION = "other-organisation"
    OUT_OF_SCOPE = "out-of-scope"
    NO_ROLES = "no-roles"
    MALFORMED = "malformed-request"
    UNKNOWN_PURPOSE = "unknown-purpose"
    NOT_IN_PURPOSE = "not-in-purpose"
    SENSITIVE = "sensitive-not-granted"
    NOT_GRANTED = "not-granted"


@dataclass(frozen=True)
class Match:
    """A role that justified an allowance, and the grant (none for a permission)."""

    role: str
    grant: Grant | None = None


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, why, and which roles and grants carried it."""

    allowed: bool
    reason: Reason
    matched: tuple[Match, ...] = ()

    def enforce(self, request: AccessRequest) -> None:
        """Raise :class:`AccessDenied` unless allowed; the message holds keys only."""
        if not self.allowed:
            target = request.purpose or request.organisation
            msg = f"{request.action.value} on {target}: {self.reason.value}"
            raise AccessDenied(msg)


def _deny(reason: Reason) -> Decision:
    return Decision(allowed=False, reason=reason)


def decide(
    actor: Actor, request: AccessRequest, roles: Mapping[str, Role], register: Register
) -> Decision:
    """Decide one access; deny unless a role held by ``actor`` allows all of it.

    Categories may be allowed by different grants of different roles (their union
    counts), so asking for several categories at once equals asking one by one.
    Role keys the organisation does not define grant nothing.
    """
    if request.organisation != register.organisation.key:
        return _deny(Reason.OTHER_ORGANISATION)
    if not _in_scope(actor, request.action):
        return _deny(Reason.OUT_OF_SCOPE)
    held = [(key, roles[key]) for key in dict.fromkeys(actor.roles) if key in roles]
    if not held:
        return _deny(Reason.NO_ROLES)
    if not request.action.on_personal_data:
        if request.purpose or request.data_categories or request.data_subject:
            return _deny(Reason.MALFORMED)
        key = next((k for k, role in held if request.action in role.permissions), None)
        if key is None:
            return _deny(Reason.NOT_GRANTED)
        return Decision(allowed=True, reason=Reason.GRANTED, matched=(Match(key),))
    if request.purpose is None:
        return _deny(Reason.MALFORMED)
    purpose = register.purpose(request.purpose)
    if purpose is None:
        return _deny(Reason.UNKNOWN_PURPOSE)
    return _decide_on_purpose(request, purpose, held, register)


def _in_scope(actor: Actor, action: Action) -> bool:
    if actor.scopes is None:
        return actor.kind is not ActorKind.TOKEN
    return any(action in SCOPE_ACTIONS[scope] for scope in actor.scopes)


def _decide_on_purpose(
    request: AccessRequest,
    purpose: Purpose,
    held: list[tuple[str, Role]],
    register: Register,
) -> Decision:
    subject = request.data_subject
    if subject is not None and subject not in purpose.data_subjects:
        return _deny(Reason.NOT_IN_PURPOSE)
    if any(c not in purpose.data_categories for c in request.data_categories):
        return _deny(Reason.NOT_IN_PURPOSE)
    candidates = [
        Match(key, grant)
        for key, role in held
        for grant in role.grants
        if grant.reaches(request.action, purpose.key, subject)
    ]
    if not candidates:
        return _deny(Reason.NOT_GRANTED)
    matched: dict[Match, None] = {}
    for category in request.data_categories:
        sensitive = _is_sensitive(register, category)
        match = next(
            (m for m in candidates if m.grant and m.grant.covers(category, sensitive=sensitive)),
            None,
        )
        if match is None:
            named = any(m.grant and m.grant.covers(category, sensitive=False) for m in candidates)
            return _deny(Reason.SENSITIVE if sensitive and named else Reason.NOT_GRANTED)
        matched[match] = None
    return Decision(allowed=True, reason=Reason.GRANTED, matched=tuple(matched) or (candidates[0],))


def _is_sensitive(register: Register, category: str) -> bool:
    found = register.data_category(category)
    return found is None or found.is_sensitive  # unknown: fail closed


def visible_categories(
    actor: Actor,
    purpose: str,
    roles: Mapping[str, Role],
    register: Register,
    *,
    action: Action = Action.READ,
    data_subject: str | None = None,
) -> frozenset[str]:
    """The categories of ``purpose`` the actor may see: field-level need-to-know.

    Asks :func:`decide` per category, so the fields shown and the records allowed
    can never disagree.
    """
    found = register.purpose(purpose)
    if found is None:
        return frozenset()
    org = register.organisation.key
    return frozenset(
        category
        for category in found.data_categories
        if decide(
            actor,
            AccessRequest(
                action=action,
                organisation=org,
                purpose=purpose,
                data_categories=(category,),
                data_subject=data_subject,
            ),
            roles,
            register,
        ).allowed
    )
