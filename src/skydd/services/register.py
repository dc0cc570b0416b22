"""Use cases of the register: store a validated register, find the current one."""

from __future__ import annotations

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import InvalidInput, NotFoundError
from skydd.domain.ids import OrganisationId
from skydd.domain.policy import register_content_hash
from skydd.domain.register import Register
from skydd.services.audit import record
from skydd.services.ports import StoredRegister
from skydd.services.unit_of_work import UnitOfWork


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
            msg = f"no organisation with key {key!r} has been loaded"
            raise NotFoundError(msg)
        return org_id
    keys = uow.organisations.keys()
    if not keys:
        msg = "no register has been loaded; run `skydd register load PATH`"
        raise NotFoundError(msg)
    if len(keys) > 1:
        msg = "several organisations are loaded; set SKYDD_ORGANISATION__KEY"
        raise InvalidInput(msg)
    org_id = uow.organisations.id_for(keys[0])
    assert org_id is not None  # noqa: S101 - just listed
    return org_id


def current_register(uow: UnitOfWork, key: str | None) -> StoredRegister:
    """The newest stored register of the organisation served."""
    with uow:
        org_id = resolve_organisation(uow, key)
        stored = uow.registers.latest(org_id)
    if stored is None:
        msg = "the organisation has no stored register"
        raise NotFoundError(msg)
    return stored
