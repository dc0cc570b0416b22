"""The words of need-to-know: who acts, what they want to do, what a token allows (P12).

:func:`skydd.domain.access_control.decide` answers every access question in these
terms, and every adapter asks in them, so they live apart from both the roles and
the decision (docs/decisions/0009-need-to-know.md):

- A **personal-data action** is a bare word: ``read``, ``write``, ``erase``,
  ``export``, ``consent``. It is always asked about one purpose, some of that
  purpose's data categories and, when the record says whose it is, one data
  subject category.
- An **organisation-wide action** is ``noun.verb`` (``register.read``,
  ``audit.read`` …). It names no purpose.
- A **token** can do only what both its roles and its scopes allow; each scope
  names exactly the actions it allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

ActorId = NewType("ActorId", str)
"""Who acts: a user name, a token id or a job name. Never personal data of a subject."""


class Action(StrEnum):
    """What an actor wants to do; bare words touch personal data, dotted ones do not."""

    READ = "read"
    WRITE = "write"
    ERASE = "erase"
    EXPORT = "export"
    CONSENT = "consent"
    REGISTER_READ = "register.read"
    REGISTER_WRITE = "register.write"
    POLICY_PUBLISH = "policy.publish"
    AUDIT_READ = "audit.read"
    USERS_MANAGE = "users.manage"
    BREACH_MANAGE = "breach.manage"
    REQUESTS_READ = "requests.read"
    REQUESTS_MANAGE = "requests.manage"

    @property
    def on_personal_data(self) -> bool:
        """True when the action is asked about a purpose and granted per category."""
        return self in PERSONAL_DATA_ACTIONS


PERSONAL_DATA_ACTIONS = frozenset(
    {Action.READ, Action.WRITE, Action.ERASE, Action.EXPORT, Action.CONSENT}
)
ORGANISATION_ACTIONS = frozenset(set(Action) - PERSONAL_DATA_ACTIONS)


class Scope(StrEnum):
    """What a token was issued for; see :data:`SCOPE_ACTIONS`."""

    REGISTER_READ = "register:read"
    REGISTER_WRITE = "register:write"
    POLICY_PUBLISH = "policy:publish"
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"
    BREACH_MANAGE = "breach:manage"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"
    CONSENT_WRITE = "consent:write"
    DATA_READ = "data:read"
    DATA_WRITE = "data:write"
    DATA_ERASE = "data:erase"
    DATA_EXPORT = "data:export"


SCOPE_ACTIONS: Mapping[Scope, frozenset[Action]] = {
    Scope.REGISTER_READ: frozenset({Action.REGISTER_READ}),
    Scope.REGISTER_WRITE: frozenset({Action.REGISTER_WRITE}),
    Scope.POLICY_PUBLISH: frozenset({Action.POLICY_PUBLISH}),
    Scope.AUDIT_READ: frozenset({Action.AUDIT_READ}),
    Scope.USERS_MANAGE: frozenset({Action.USERS_MANAGE}),
    Scope.BREACH_MANAGE: frozenset({Action.BREACH_MANAGE}),
    Scope.REQUESTS_READ: frozenset({Action.REQUESTS_READ}),
    Scope.REQUESTS_WRITE: frozenset({Action.REQUESTS_MANAGE}),
    Scope.CONSENT_WRITE: frozenset({Action.CONSENT}),
    Scope.DATA_READ: frozenset({Action.READ}),
    Scope.DATA_WRITE: frozenset({Action.WRITE}),
    Scope.DATA_ERASE: frozenset({Action.ERASE}),
    Scope.DATA_EXPORT: frozenset({Action.EXPORT}),
}
"""Each scope maps to exactly the actions it names: no scope implies another."""


class ActorKind(StrEnum):
    """A person signed in, an API token, or skydd's own jobs."""

    USER = "user"
    TOKEN = "token"  # noqa: S105 - a kind of actor, not a secret
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who asks: the roles held in the organisation asked about, and a token's scopes.

    ``scopes`` narrows whatever the roles allow; a token without scopes may do nothing.
    A system actor has no bypass: a job holds roles like anyone else.
    """

    id: ActorId
    roles: tuple[str, ...] = ()
    kind: ActorKind = ActorKind.USER
    scopes: frozenset[Scope] | None = None
