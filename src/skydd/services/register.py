"""Use cases of the register: store a validated register, find the current one.

Every authorised API request asks for the roles of the organisation served, so
:func:`served_roles` answers from a :class:`RoleCache` keyed by the newest register
version id: one small query per request, and the roles are resolved again only when
a new version has been stored (by this process or another one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.ids import OrganisationId, RegisterVersionId
from skydd.domain.policy import register_content_hash
from skydd.domain.register import Register
from skydd.domain.roles import Role, roles_for
from skydd.services.audit import record
from skydd.services.ports import StoredRegister
from skydd.services.unit_of_work import UnitOfWork

_NO_REGISTER = "no register has been loaded; run `skydd register load PATH`"
_SEVERAL_ORGANISATIONS = "several organisations are loaded; set SKYDD_ORGANISATION__KEY"
_NO_STORED_REGISTER = "the organisation has no stored register"


def _no_organisation(key: str) -> str:
    return f"no organisation with key {key!r} has been loaded"


@dataclass(frozen=True)
class ServedRoles:
    """The newest register of the organisation served and the roles it resolves to."""

    version_id: RegisterVersionId
    register: Register
    roles: Mapping[str, Role]


class RoleCache:
    """The roles of the newest register version seen, shared by every request of a process.

    A stored version never changes, so roles resolved from it stay right for as long as
    it is the newest; a newly stored version has a new id, misses, and its roles apply
    from the next request on, without a restart. One slot suffices (a deployment serves
    one organisation), and it is replaced by a single assignment, so threads need no lock.
    """

    def __init__(self) -> None:
        self._entry: ServedRoles | None = None

    def get(self, version_id: RegisterVersionId) -> ServedRoles | None:
        """The cached roles when they were resolved from ``version_id``."""
        entry = self._entry
        return entry if entry is not None and entry.version_id == version_id else None

    def put(self, entry: ServedRoles) -> None:
        """Remember ``entry``, replacing whatever version was cached before."""
        self._entry = entry


def store_register(
    uow: UnitOfWork,
    clock: Clock,
    register: Register,
    source: str,
    *,
    actor: str = "system",
    origin: str = "local",
) -> StoredRegister:
    """Store ``register`` as the organisation's newest version, in one transaction.

    Loading the same register twice stores it once: the content hash decides. A new
    version is audited (``register.loaded``) in the same transaction.
    """
    content_hash = register_content_hash(register)
    org = register.organisation
    with uow:
        org_id = uow.organisations.id_for(org.key)
        if org_id is None:
            org_id = uow.organisations.add(org.key, org.name, clock.now())
        latest = uow.registers.latest(org_id)
        if latest is not None and latest.content_hash == content_hash:
            return latest
        stored = uow.registers.add(org_id, register, content_hash, source, clock.now())
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.REGISTER_LOADED,
            target=f"register:{stored.number}",
            origin=origin,
            organisation=org.key,
            details={"content_hash": content_hash},
        )
        uow.commit()
    return stored


def resolve_organisation(uow: UnitOfWork, key: str | None) -> OrganisationId:
    """The organisation named by ``key``, or the only one stored when ``key`` is None."""
    if key is not None:
        org_id = uow.organisations.id_for(key)
        if org_id is None:
            raise NotFoundError(_no_organisation(key))
        return org_id
    keys = uow.organisations.keys()
    if not keys:
        raise NotFoundError(_NO_REGISTER)
    if len(keys) > 1:
        raise InvalidInput(_SEVERAL_ORGANISATIONS)
    org_id = uow.organisations.id_for(keys[0])
    assert org_id is not None  # noqa: S101 - just listed
    return org_id


def newest_version_id(uow: UnitOfWork, key: str | None) -> RegisterVersionId:
    """The id of the served organisation's newest register, in one query.

    Refuses exactly as :func:`resolve_organisation` does, then 404 without a register.
    """
    with uow:
        heads = uow.registers.heads(key, limit=2)
    if not heads:
        raise NotFoundError(_no_organisation(key) if key is not None else _NO_REGISTER)
    if len(heads) > 1:
        raise InvalidInput(_SEVERAL_ORGANISATIONS)
    version_id = heads[0].version_id
    if version_id is None:
        raise NotFoundError(_NO_STORED_REGISTER)
    return version_id


def current_register(uow: UnitOfWork, key: str | None) -> StoredRegister:
    """The newest stored register of the organisation served."""
    with uow:
        return uow.registers.get(newest_version_id(uow, key))


def cached_served_roles(uow: UnitOfWork, cache: RoleCache, key: str | None) -> ServedRoles | None:
    """The served roles when the newest version is cached, else None; reads only.

    One query (the newest version id); the caller loads the register on a miss with
    :func:`served_roles`, which may wait for the database.
    """
    with uow:
        return cache.get(newest_version_id(uow, key))


def served_roles(uow: UnitOfWork, cache: RoleCache, key: str | None) -> ServedRoles:
    """The roles of the organisation served, resolved once per register version.

    While the newest version is the cached one this costs the one query of
    :func:`newest_version_id`; the register is loaded and its roles resolved only
    when a new version has been stored.
    """
    with uow:
        version_id = newest_version_id(uow, key)
        cached = cache.get(version_id)
        if cached is not None:
            return cached
        register = uow.registers.get(version_id).register
    served = ServedRoles(version_id, register, roles_for(register, register.roles))
    cache.put(served)
    return served
