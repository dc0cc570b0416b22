"""Use cases of access control shared by every edge: authorise, record a denial, list rights.

``access_control.decide`` is pure; these functions give it the served organisation's
roles and write the audit event a refusal needs. Each denial is committed in its own
unit of work, before the refused request could change anything, so a refusal leaves
exactly one trace: an ``access.denied`` event (ADR 0012, 0013).

The API (``api/auth.py``) and the web console (``web/staff.py``) both call
:func:`record_denial`, so both edges write the same event.
"""

from __future__ import annotations

from dataclasses import dataclass

from skydd.domain.access_control import AccessRequest, Decision, decide
from skydd.domain.access_vocabulary import (
    ORGANISATION_ACTIONS,
    PERSONAL_DATA_ACTIONS,
    Action,
    Actor,
)
from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.purposes import Purpose
from skydd.domain.register import Register
from skydd.domain.roles import Role
from skydd.services.audit import record
from skydd.services.register import RoleCache, ServedRoles, served_roles
from skydd.services.unit_of_work import UnitOfWork


def record_denial(
    uow: UnitOfWork,
    clock: Clock,
    *,
    actor: str,
    route: str,
    action: Action | None,
    reason: str,
    organisation: str | None = None,
    origin: str,
) -> None:
    """Write one ``access.denied`` event in its own unit of work, and commit it.

    ``route`` is the route's method and path template (``POST /console/password``),
    never the values sent; ``reason`` a code (a ``decide`` reason, ``invalid-token``,
    ``invalid-csrf-token`` …). Call it outside any open transaction of ``uow``:
    the denial must be durable although the refused request is not carried out.
    """
    details = {"reason": reason, "route": route}
    if action is not None:
        details["action"] = action.value
    with uow:
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.ACCESS_DENIED,
            target=f"route:{route}",
            origin=origin,
            organisation=organisation,
            details=details,
        )
        uow.commit()


def allows(
    served: ServedRoles,
    actor: Actor,
    action: Action,
    *,
    purpose: str | None = None,
    data_categories: tuple[str, ...] = (),
) -> bool:
    """Whether ``actor`` may do ``action`` under the served roles; records nothing.

    For a caller that handles a refusal apart (a batch sends it back to
    :func:`authorise`, which records it).
    """
    return _decided(served, actor, action, purpose, data_categories)[1].allowed


def _decided(
    served: ServedRoles,
    actor: Actor,
    action: Action,
    purpose: str | None,
    data_categories: tuple[str, ...],
) -> tuple[AccessRequest, Decision]:
    """What is asked of the served roles, and their answer."""
    register = served.register
    wanted = AccessRequest(
        action=action,
        organisation=register.organisation.key,
        purpose=purpose,
        data_categories=data_categories,
    )
    return wanted, decide(actor, wanted, served.roles, register)


def authorise(
    uow: UnitOfWork,
    clock: Clock,
    cache: RoleCache,
    actor: Actor,
    action: Action,
    *,
    organisation: str | None,
    route: str,
    origin: str,
    purpose: str | None = None,
    data_categories: tuple[str, ...] = (),
) -> None:
    """Let ``actor`` do ``action``, or record the denial and refuse.

    An organisation-wide action names no purpose; one on personal data names the
    purpose and the categories it touches, and each must be granted. The roles are
    those of the served organisation's newest register (built-in and its own). Raises
    :class:`AccessDenied` after the denial is committed, and :class:`NotFoundError`
    when no register is stored (no role can be resolved).
    """
    served = served_roles(uow, cache, organisation)
    wanted, decision = _decided(served, actor, action, purpose, data_categories)
    if not decision.allowed:
        record_denial(
            uow,
            clock,
            actor=actor.id,
            route=route,
            action=action,
            reason=decision.reason.value,
            organisation=wanted.organisation,
            origin=origin,
        )
        decision.enforce(wanted)


@dataclass(frozen=True)
class PurposeReach:
    """A purpose a personal-data action is allowed on: for all its subjects, or some."""

    purpose: Purpose
    data_subjects: tuple[str, ...] | None = None
    """``None``: records of every data subject category; else only these keys."""


@dataclass(frozen=True)
class Rights:
    """What an actor's roles allow in one organisation, as ``decide`` answers it."""

    register: Register
    roles: tuple[Role, ...]
    """The actor's roles the organisation knows, in the actor's order."""
    actions: tuple[Action, ...]
    """Organisation-wide actions allowed, in :class:`Action` order."""
    purposes: tuple[tuple[Action, tuple[PurposeReach, ...]], ...]
    """Per personal-data action allowed somewhere, the purposes it reaches."""


def rights_of(uow: UnitOfWork, cache: RoleCache, actor: Actor, organisation: str | None) -> Rights:
    """Everything ``actor`` may do in the served organisation, each answer from ``decide``.

    Asking ``decide`` rather than reading the grants keeps what a page shows and what
    a route allows from ever disagreeing. Nothing is audited: this is the actor's own
    view of their rights, not an access to data.
    """
    served = served_roles(uow, cache, organisation)
    register = served.register
    org = register.organisation.key

    def allowed(action: Action, purpose: str | None = None, subject: str | None = None) -> bool:
        request = AccessRequest(
            action=action, organisation=org, purpose=purpose, data_subject=subject
        )
        return decide(actor, request, served.roles, register).allowed

    def reach(action: Action, purpose: Purpose) -> PurposeReach | None:
        if allowed(action, purpose.key):
            return PurposeReach(purpose)
        subjects = tuple(s for s in purpose.data_subjects if allowed(action, purpose.key, s))
        return PurposeReach(purpose, subjects) if subjects else None

    actions = tuple(a for a in Action if a in ORGANISATION_ACTIONS and allowed(a))
    purposes = []
    for action in (a for a in Action if a in PERSONAL_DATA_ACTIONS):
        reached = tuple(r for p in register.purposes if (r := reach(action, p)) is not None)
        if reached:
            purposes.append((action, reached))
    roles = tuple(served.roles[key] for key in dict.fromkeys(actor.roles) if key in served.roles)
    return Rights(register, roles, actions, tuple(purposes))
